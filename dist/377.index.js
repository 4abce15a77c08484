export const id = 377;
export const ids = [377];
export const modules = {

/***/ 4758:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   gitHubIssues: () => (/* binding */ gitHubIssues)
/* harmony export */ });
/* unused harmony export explain */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1758);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6856);
/**
 * The GitHub side of `notify: issue`: @actions/github's octokit (GITHUB_API_URL honoured, so
 * GitHub Enterprise Server works; the runner's proxy settings too) with octokit's own retry
 * (5xx, broken connections) and throttling (rate limits) plugins, behind the few issue calls
 * the action makes. Loaded only when `notify` asks for the issue.
 */



/** Rate-limit waits the action takes; anything longer fails the notification. */
const LONGEST_LIMIT_WAIT_S = 120;
const LABEL_COLOR = 'd93f0b';
function gitHubIssues(options) {
    const { log } = options;
    const [owner, repo] = options.repository.split('/');
    const onLimit = (kind) => (retryAfter, request, _, count) => {
        const wait = count < 2 && retryAfter <= LONGEST_LIMIT_WAIT_S;
        log.warning(`GitHub's ${kind} rate limit for ${request.method} ${request.url}: ` +
            (wait ? `retrying in ${retryAfter} s.` : 'not waiting for it.'));
        return wait;
    };
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(options.token, {
        baseUrl: options.baseUrl,
        retry: { retryAfterBaseValue: options.retryBaseMs ?? 1000 },
        throttle: {
            onRateLimit: onLimit('primary'),
            onSecondaryRateLimit: onLimit('secondary'),
            retryAfterBaseValue: options.retryBaseMs ?? 1000
        },
        log: {
            debug: (m) => log.debug(m),
            info: (m) => log.debug(m),
            warn: (m) => log.warning(m),
            error: (m) => log.warning(m)
        }
    }, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__/* .throttling */ .A);
    const deadline = options.callTimeoutMs ?? 60_000;
    // The outermost hook: one deadline per call, over the plugins' retries.
    octokit.hook.before('request', requestOptions => {
        requestOptions.request = {
            ...requestOptions.request,
            signal: requestOptions.request?.signal ?? AbortSignal.timeout(deadline)
        };
    });
    const call = async (what, fn) => {
        try {
            return await fn();
        }
        catch (error) {
            throw new Error(`GitHub ${what} failed: ${explain(error, options.repository, deadline)}`, {
                cause: error
            });
        }
    };
    const issueOf = (i) => ({
        number: i.number,
        body: i.body ?? '',
        url: i.html_url
    });
    return {
        openIssues: label => call('listing the open issues', async () => {
            const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
                owner,
                repo,
                state: 'open',
                labels: label,
                sort: 'created',
                direction: 'asc',
                per_page: 100
            });
            return issues.filter(i => !i.pull_request).map(issueOf);
        }),
        ensureLabel: label => call(`creating the label '${label}'`, async () => {
            try {
                await octokit.rest.issues.getLabel({ owner, repo, name: label });
                return;
            }
            catch (error) {
                if (statusOf(error) !== 404)
                    throw error;
            }
            try {
                await octokit.rest.issues.createLabel({
                    owner,
                    repo,
                    name: label,
                    color: LABEL_COLOR,
                    description: 'Tencent Cloud certificates that need a person (tencentcloud-ssl-action)'
                });
            }
            catch (error) {
                // Created meanwhile by a run beside this one.
                if (statusOf(error) !== 422)
                    throw error;
            }
        }),
        create: (title, body, label) => call('opening the issue', async () => {
            const { data } = await octokit.rest.issues.create({
                owner,
                repo,
                title,
                body,
                labels: [label]
            });
            return issueOf(data);
        }),
        updateBody: (number, body) => call(`updating issue #${number}`, async () => {
            await octokit.rest.issues.update({ owner, repo, issue_number: number, body });
        }),
        comment: (number, body) => call(`commenting on issue #${number}`, async () => {
            await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
        }),
        close: number => call(`closing issue #${number}`, async () => {
            await octokit.rest.issues.update({
                owner,
                repo,
                issue_number: number,
                state: 'closed',
                state_reason: 'completed'
            });
        })
    };
}
const statusOf = (error) => typeof error === 'object' && error !== null && 'status' in error
    ? Number(error.status)
    : undefined;
/** What went wrong, in terms of what the workflow's author can change. */
function explain(error, repository, deadlineMs) {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message.replace(/ - https:\/\/\S+$/, '') : '';
    if (status === 403 && /not accessible by integration/i.test(message))
        return (`403 ${message}: the job's token may not write issues; give the job ` +
            '`permissions: issues: write` (or github-token a token with that access)');
    if (status === 401)
        return `401 ${message}: github-token was refused`;
    if (status === 404)
        return `404 ${message}: ${repository} is not visible to github-token (or GITHUB_API_URL is wrong)`;
    if (status === 410)
        return `410 ${message}: issues are turned off in ${repository}`;
    if (/aborted due to timeout|TimeoutError/i.test(message) || isTimeout(error))
        return `no answer within ${deadlineMs / 1000} s`;
    return status ? `${status} ${message}` : message;
}
const isTimeout = (error) => error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');


/***/ })

};

//# sourceMappingURL=377.index.js.map