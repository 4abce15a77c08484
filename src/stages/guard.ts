/**
 * The guard stage, right after the credentials and before any other request: with
 * `allowed-account-ids`, whose account the credentials belong to (the role ARN's with
 * `role-arn`, else STS `GetCallerIdentity`), and a failure naming both when it is not listed.
 * Every mode, `list` included: an inventory of the wrong account is a wrong answer too.
 */
import { accountOfRoleArn, checkAccount } from '../guards/account.js'
import type { Outcome } from '../reporting/outcome.js'
import { errorMessage } from '../tencent/errors.js'
import { getCallerAccount } from '../tencent/sts.js'
import type { RunContext } from './context.js'

export async function guard(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings, io } = ctx
  if (settings.allowedAccountIds.length === 0) return
  const { account, source } = settings.oidc
    ? { account: accountOfRoleArn(settings.oidc.roleArn), source: 'the account of role-arn' }
    : { account: await callerAccount(ctx), source: 'STS GetCallerIdentity' }
  outcome.accountId = account
  checkAccount(account, settings.allowedAccountIds, source)
  io.log.info(`The credentials belong to account ${account}, one of allowed-account-ids.`)
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
