/**
 * The account guard (`allowed-account-ids`, promise 11), in two steps around the credentials
 * stage so that nothing reaches another account: with `role-arn`, the account in the role's ARN
 * is checked before the exchange (no request at all, and no credentials of that account are
 * exported); with keys, STS `GetCallerIdentity` is asked right after, before any SSL request.
 * Every mode, `list` included: an inventory of the wrong account is a wrong answer too.
 */
import { accountOfRoleArn, checkAccount } from '../guards/account.js'
import type { Outcome } from '../reporting/outcome.js'
import { errorMessage } from '../tencent/errors.js'
import { getCallerAccount } from '../tencent/sts.js'
import type { RunContext } from './context.js'

/** Before the credentials stage: the role ARN's account (keyless only). */
export async function guardRoleAccount(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings } = ctx
  if (settings.allowedAccountIds.length === 0 || !settings.oidc) return
  admit(ctx, outcome, accountOfRoleArn(settings.oidc.roleArn), 'the account of role-arn')
}

/** After the credentials stage: the keys' account, as STS GetCallerIdentity says. */
export async function guardKeyAccount(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings } = ctx
  if (settings.allowedAccountIds.length === 0 || settings.oidc) return
  admit(ctx, outcome, await callerAccount(ctx), 'STS GetCallerIdentity')
}

function admit(ctx: RunContext, outcome: Outcome, account: string, source: string): void {
  outcome.accountId = account
  checkAccount(account, ctx.settings.allowedAccountIds, source)
  ctx.io.log.info(`The credentials belong to account ${account}, one of allowed-account-ids.`)
}

async function callerAccount(ctx: RunContext): Promise<string> {
  const options = ctx.clientOptions
  if (!options) throw new Error('internal: the credentials stage has not run')
  try {
    return await getCallerAccount({ ...options, ...ctx.settings.sts })
  } catch (error) {
    throw new Error(
      `allowed-account-ids is set, but whose account the credentials belong to could not be ` +
        `found (STS GetCallerIdentity at ${ctx.settings.sts.endpoint.host}): ` +
        `${errorMessage(error)}. Nothing was uploaded, moved or deleted.`,
      { cause: error }
    )
  }
}
