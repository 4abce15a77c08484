export const id = 428;
export const ids = [428];
export const modules = {

/***/ 428:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deliver: () => (/* binding */ deliver)
});

// EXTERNAL MODULE: ./src/notify/attention.ts
var attention = __webpack_require__(991);
;// CONCATENATED MODULE: ./src/notify/formats.ts

const CHAT_BYTES = 4000;
/** Entries of one kind shown in a chat message; the rest are counted. */
const CHAT_ITEMS = 20;
/** WeCom's markdown subset: bold, links, inline code; its HTML (`<font>`) is escaped away. */
const WECOM = {
    bold: t => `**${t}**`,
    code: t => `\`${t.replace(/`/g, "'")}\``,
    link: (t, url) => `[${t}](${url})`,
    escape: t => t.replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    bullet: '- '
};
const DIALECTS = {
    // Slack's mrkdwn: &, < and > are its only escapes.
    slack: {
        bold: t => `*${t}*`,
        code: t => `\`${t.replace(/`/g, "'")}\``,
        link: (t, url) => `<${url}|${t}>`,
        escape: t => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
        bullet: '• '
    },
    wecom: WECOM,
    // DingTalk's markdown has no inline code.
    dingtalk: { ...WECOM, code: t => t },
    feishu: {
        bold: t => t,
        code: t => t,
        link: (t, url) => `${t}: ${url}`,
        escape: t => t,
        bullet: '- '
    }
};
function titleOf(a) {
    const mode = a.mode ?? 'run';
    return a.status === 'failed'
        ? `Tencent Cloud SSL: ${mode} failed`
        : `Tencent Cloud SSL: certificates need attention (${mode})`;
}
/** The JSON body a webhook gets for `format`. */
function webhookBody(format, a) {
    if (format === 'json')
        return jsonBody(a);
    const text = chatText(a, DIALECTS[format]);
    switch (format) {
        case 'slack':
            return { text };
        case 'wecom':
            return { msgtype: 'markdown', markdown: { content: text } };
        case 'dingtalk':
            return { msgtype: 'markdown', markdown: { title: titleOf(a), text } };
        case 'feishu':
            return { msg_type: 'text', content: { text } };
    }
}
/** `json`: the action's own names, as its outputs spell them. */
function jsonBody(a) {
    const certificate = (c) => ({
        id: c.id,
        alias: c.alias,
        domains: c.domains,
        'not-after': c.notAfter || null,
        'superseded-by': c.supersededBy,
        bound: c.bound
    });
    return {
        source: 'tencentcloud-ssl-action',
        mode: a.mode ?? null,
        status: a.status,
        expiring: a.expiring.map(certificate),
        'stale-bound': a.staleBound.map(certificate),
        mismatched: a.mismatched,
        failures: a.failures,
        'run-url': a.runUrl || null
    };
}
/** The chat message: title, one line per thing that needs a person, the run's link. */
function chatText(a, d) {
    const title = d.bold(d.escape(titleOf(a)));
    const run = a.runUrl ? d.link(`Run ${a.runName}`, a.runUrl) : '';
    const lines = [
        ...a.failures.map(f => `${d.bullet}${d.bold('Failed')}: ${d.escape(oneLine(f))}`),
        ...capped((0,attention/* expiringOnly */.JJ)(a), c => `${d.bold('Expiring')}: ${certificateText(c, d)}`, d),
        ...capped(a.staleBound, c => `${d.bold('Stale-bound')}: ${staleText(c, d)}`, d),
        ...capped(a.mismatched, e => `${d.bold('Endpoint')}: ${endpointText(e, d)}`, d)
    ];
    const fits = (body) => Buffer.byteLength([title, ...body, run].join('\n'), 'utf8') <= CHAT_BYTES;
    let body = lines;
    while (!fits(body) && body.length > 0)
        body = [...lines.slice(0, body.length - 2), '…'];
    if (!fits(body))
        body = [];
    return [title, ...body, run].filter(line => line !== '').join('\n');
}
function capped(items, line, d) {
    const shown = items.slice(0, CHAT_ITEMS).map(item => `${d.bullet}${line(item)}`);
    const more = items.length - shown.length;
    return more > 0 ? [...shown, `${d.bullet}… and ${more} more`] : shown;
}
function certificateText(c, d) {
    const names = c.domains.length > 0 ? ` (${d.escape(c.domains.join(', '))})` : '';
    const alias = c.alias ? ` ${d.escape(c.alias)}` : '';
    const date = c.notAfter ? `, not after ${c.notAfter.slice(0, 10)}` : '';
    return `${d.code(c.id)}${alias}${names}${date}`;
}
function staleText(c, d) {
    const by = c.supersededBy ? `, superseded by ${d.code(c.supersededBy)}` : '';
    const used = c.bound !== null ? `, still used by ${c.bound} resource(s)` : ', still in use';
    return `${certificateText(c, d)}${by}${used}`;
}
function endpointText(e, d) {
    const at = e.address ? ` (${e.address})` : '';
    const detail = e.status === 'unreachable'
        ? `unreachable${e.error ? `: ${d.escape(oneLine(e.error))}` : ''}`
        : e.status === 'expiring'
            ? `serves a certificate that expires ${(e['not-after'] ?? '').slice(0, 10)}`
            : 'serves another certificate';
    return `${d.escape(`${e.host}:${e.port}`)}${at} ${detail}`;
}
const oneLine = (text) => text.replace(/\s*\n\s*/g, ' ');

;// CONCATENATED MODULE: ./src/notify/issue-body.ts

const ISSUE_TITLE = 'Tencent Cloud certificates need attention';
/** In every body the action writes; with the label, what tells its issue from a person's. */
const ISSUE_MARKER = '<!-- tencentcloud-ssl-action:notify -->';
/** GitHub refuses bodies over 65,536 characters: rows beyond these are counted, not shown. */
const ROWS = 100;
const RUN_LINE = 'Reported by ';
function issueBody(a) {
    // The mode is unknown when the `mode` input itself was bad.
    const mode = a.mode ? ` \`${a.mode}\`` : '';
    const sections = [
        ISSUE_MARKER,
        '`tencentcloud-ssl-action` found what needs a person. It ' +
            'keeps this issue current and closes it when a `list` run finds nothing to report.',
        a.failures.length > 0 ? failureSection(a.failures, mode) : '',
        table(`Expiring with nothing newer (${(0,attention/* expiringOnly */.JJ)(a).length})`, ['id', 'alias', 'domains', 'not after'], (0,attention/* expiringOnly */.JJ)(a).map(c => [code(c.id), c.alias, c.domains.join(', '), day(c.notAfter)])),
        table(`Stale-bound: superseded, still used (${a.staleBound.length})`, ['id', 'alias', 'domains', 'not after', 'superseded by', 'resources'], a.staleBound.map(staleRow)),
        table(`Endpoints that do not serve what they should (${a.mismatched.length})`, ['endpoint', 'status', 'served certificate not after', 'error'], a.mismatched.map(endpointRow)),
        a.runUrl
            ? `${RUN_LINE}[run ${a.runName}](${a.runUrl}) (${mode ? `${mode.trim()} mode` : 'mode unknown'}).`
            : ''
    ];
    return sections.filter(s => s !== '').join('\n\n') + '\n';
}
/**
 * Whether two bodies report the same thing: the run line aside, so that a run that finds what
 * the last one found leaves the issue alone.
 */
function sameReport(a, b) {
    const state = (body) => body
        .replace(/\r\n/g, '\n')
        .split('\n')
        .filter(line => !line.startsWith(RUN_LINE))
        .join('\n')
        .trim();
    return state(a) === state(b);
}
function closingComment(a) {
    const run = a.runUrl ? `[Run ${a.runName}](${a.runUrl})` : 'The last `list` run';
    return `${run} found nothing that needs a person: no certificate expiring with nothing newer, none stale-bound, no endpoint mismatch. Closing.`;
}
function failureSection(failures, mode) {
    const quoted = failures.map(f => f
        .split(/\r?\n/)
        .map(line => `> ${line}`)
        .join('\n'));
    return [`### The${mode} run failed`, ...quoted].join('\n\n');
}
function staleRow(c) {
    return [
        code(c.id),
        c.alias,
        c.domains.join(', '),
        day(c.notAfter),
        c.supersededBy ? code(c.supersededBy) : '',
        c.bound === null ? 'not checked' : String(c.bound)
    ];
}
function endpointRow(e) {
    const at = e.address ? ` (${e.address})` : '';
    return [`${e.host}:${e.port}${at}`, e.status, day(e['not-after'] ?? ''), e.error ?? ''];
}
function table(title, head, rows) {
    if (rows.length === 0)
        return '';
    const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
    const shown = rows.slice(0, ROWS).map(line);
    const more = rows.length - ROWS;
    return [
        `### ${title}`,
        '',
        line(head),
        `| ${head.map(() => '---').join(' | ')} |`,
        ...shown,
        ...(more > 0 ? ['', `… and ${more} more: see the run's job summary.`] : [])
    ].join('\n');
}
/** A table cell: one line, pipes escaped. */
const cell = (text) => text.replace(/\s*\r?\n\s*/g, ' ').replace(/\|/g, '\\|') || '—';
const code = (text) => `\`${text.replace(/`/g, "'")}\``;
const day = (iso) => iso.slice(0, 10);

;// CONCATENATED MODULE: ./src/notify/issue.ts
/**
 * The notification issue's life: opened when a run has something to report and no issue of the
 * label is open, its body replaced when the report changed (left alone when it did not), closed
 * with a comment by a `list` run that finds nothing. A run with nothing to report and no open
 * issue creates nothing, not even the label.
 */


async function syncIssue(api, label, a) {
    // The label alone is not enough: a person may use it for issues of their own.
    const issue = (await api.openIssues(label)).find(i => i.body.includes(ISSUE_MARKER));
    if ((0,attention/* needsPerson */.z6)(a)) {
        const body = issueBody(a);
        if (!issue) {
            await api.ensureLabel(label);
            return { step: 'opened', issue: await api.create(ISSUE_TITLE, body, label) };
        }
        if (sameReport(issue.body, body))
            return { step: 'unchanged', issue };
        await api.updateBody(issue.number, body);
        return { step: 'updated', issue };
    }
    if (!issue || a.mode !== 'list')
        return { step: 'none' };
    await api.comment(issue.number, closingComment(a));
    await api.close(issue.number);
    return { step: 'closed', issue };
}

;// CONCATENATED MODULE: ./src/notify/webhook.ts
const WEBHOOK_ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 1000;
const LONGEST_RETRY_AFTER_MS = 30_000;
/** How a webhook is named in logs and messages: never its path or query, which hold its key. */
function webhookName(url, index) {
    return `webhook ${index + 1} (${new URL(url).host})`;
}
/** Posts `body`; resolves once delivered, throws an Error naming the webhook otherwise. */
async function postWebhook(url, name, format, body, deps) {
    const payload = JSON.stringify(body);
    let last = '';
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
        const answer = await attemptPost(url, payload, deps);
        if (answer.kind === 'delivered') {
            const refusal = robotRefusal(format, answer.text);
            if (refusal)
                throw new Error(`${name} refused the notification: ${refusal}`);
            deps.debug(`${name}: delivered (HTTP ${answer.status}, attempt ${attempt}).`);
            return;
        }
        last = answer.problem;
        if (!answer.retry)
            break;
        deps.debug(`${name}: ${last} (attempt ${attempt} of ${WEBHOOK_ATTEMPTS}).`);
        if (attempt < WEBHOOK_ATTEMPTS)
            await deps.sleep(answer.waitMs ?? backoff(attempt, deps.random));
    }
    throw new Error(`Could not deliver the notification to ${name}: ${last}`);
}
async function attemptPost(url, payload, deps) {
    const timeoutMs = deps.timeoutMs ?? 10_000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
        const response = await deps.fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json; charset=utf-8' },
            body: payload,
            signal: controller.signal,
            size: 65_536,
            redirect: 'manual'
        });
        const text = await response.text().catch(() => '');
        const status = response.status;
        if (status >= 200 && status < 300)
            return { kind: 'delivered', status, text };
        const problem = `HTTP ${status}${excerpt(text)}`;
        if (status === 429)
            return { kind: 'failed', problem, retry: true, waitMs: retryAfter(response) };
        if (status >= 300 && status < 400)
            return { kind: 'failed', problem: `${problem}, a redirect (not followed)`, retry: false };
        return { kind: 'failed', problem, retry: status >= 500 };
    }
    catch (error) {
        const problem = controller.signal.aborted
            ? `no answer within ${timeoutMs / 1000} s`
            : `the connection failed (${connectionCode(error)})`;
        return { kind: 'failed', problem, retry: true };
    }
    finally {
        clearTimeout(timer);
    }
}
/**
 * The system's code for a failed connection (ECONNREFUSED, ENOTFOUND…), never the error's text:
 * node-fetch's message quotes the whole URL, whose path and query are the webhook's secret, in
 * a normalised form that the runner's mask of the input as typed would miss.
 */
function connectionCode(error) {
    const codeOf = (value) => {
        const code = value?.code;
        return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : undefined;
    };
    return codeOf(error) ?? codeOf(error?.cause) ?? 'no code given';
}
/** 1 s, 2 s, 4 s…, each between half and all of it (jitter). */
function backoff(attempt, random) {
    const full = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
    return Math.round(full / 2 + (random() * full) / 2);
}
function retryAfter(response) {
    const seconds = Number(response.headers.get('retry-after'));
    if (!Number.isFinite(seconds) || seconds <= 0)
        return undefined;
    return Math.min(seconds * 1000, LONGEST_RETRY_AFTER_MS);
}
/**
 * Chat robots answer HTTP 200 with an error code of their own when they refuse a message (a
 * wrong key, a keyword the message lacks, a rate limit): WeCom and DingTalk `errcode`, Feishu
 * `code` (or `StatusCode` in its older answers). 0 is success.
 */
function robotRefusal(format, text) {
    if (format === 'json' || format === 'slack')
        return undefined;
    let answer;
    try {
        const parsed = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null)
            return undefined;
        answer = parsed;
    }
    catch {
        return undefined;
    }
    const [codeField, messageField] = format === 'feishu'
        ? 'code' in answer
            ? ['code', 'msg']
            : ['StatusCode', 'StatusMessage']
        : ['errcode', 'errmsg'];
    const code = answer[codeField];
    if (code === undefined || code === 0 || code === '0')
        return undefined;
    return `${codeField} ${String(code)}${answer[messageField] ? `: ${String(answer[messageField])}` : ''}`;
}
const excerpt = (text) => {
    const line = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return line ? `: ${line}` : '';
};

;// CONCATENATED MODULE: ./src/notify/deliver.ts




async function deliver(settings, a, deps) {
    const delivery = { notified: [], failures: [] };
    if (settings.issue)
        await keepIssue(settings, a, deps, delivery);
    if (settings.webhooks.length > 0 && (0,attention/* needsPerson */.z6)(a))
        await postAll(settings, a, deps, delivery);
    return delivery;
}
async function keepIssue(settings, a, deps, delivery) {
    const { gitHubIssues } = await Promise.all(/* import() */[__webpack_require__.e(758), __webpack_require__.e(214), __webpack_require__.e(377)]).then(__webpack_require__.bind(__webpack_require__, 4758));
    const api = gitHubIssues({
        token: settings.token,
        repository: settings.repository,
        baseUrl: (deps.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
        log: deps.log
    });
    try {
        const { step, issue } = await syncIssue(api, settings.label, a);
        const where = issue ? `#${issue.number} (${issue.url})` : '';
        const said = {
            opened: `Opened the notification issue ${where}.`,
            updated: `Updated the notification issue ${where}.`,
            unchanged: `The notification issue ${where} already says this; left as it is.`,
            closed: `Closed the notification issue ${where}: nothing needs a person.`,
            none: `No notification issue labelled '${settings.label}' is open; nothing to report.`
        };
        deps.log.info(said[step]);
        if (step === 'opened' || step === 'updated' || step === 'unchanged')
            delivery.notified.push('issue');
    }
    catch (error) {
        delivery.failures.push(`Could not keep the notification issue current: ${error instanceof Error ? error.message : String(error)}`);
    }
}
async function postAll(settings, a, deps, delivery) {
    const body = webhookBody(settings.format, a);
    let delivered = 0;
    for (const [index, url] of settings.webhooks.entries()) {
        const name = webhookName(url, index);
        try {
            await postWebhook(url, name, settings.format, body, { ...deps, debug: deps.log.debug });
            deps.log.info(`Sent the report to ${name} (${settings.format}).`);
            delivered++;
        }
        catch (error) {
            delivery.failures.push(error instanceof Error ? error.message : String(error));
        }
    }
    if (delivered > 0)
        delivery.notified.push('webhook');
}


/***/ })

};

//# sourceMappingURL=428.index.js.map