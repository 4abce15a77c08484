/**
 * `allowed-account-ids` (promise 11, never the wrong account), the pure part: the list as the
 * input gives it, the account a role ARN names, and the verdict. Which account the credentials
 * belong to is asked by stages/guard.ts.
 */
import { InputError } from '../settings/input-error.js'

/** A main account's UIN: digits (Tencent's are 10 to 13 today). */
const ACCOUNT_ID = /^\d{1,20}$/
/** `qcs::cam::uin/<account>:roleName/<name>` or `:role/<id>` (oidc-settings.ts checks the rest). */
const ROLE_ARN_ACCOUNT = /^qcs::cam::uin\/(\d{1,20}):/

/** Newline- or comma-separated account ids; empty when the input is not set. */
export function parseAllowedAccountIds(raw: string): string[] {
  const ids = [
    ...new Set(
      raw
        .split(/[\n,]/)
        .map(s => s.trim())
        .filter(s => s !== '')
    )
  ]
  for (const id of ids)
    if (!ACCOUNT_ID.test(id))
      throw new InputError(
        'allowed-account-ids',
        `'${id}' is not an account id: give the main accounts' UINs (digits, as the console's ` +
          'account page shows them), comma- or newline-separated'
      )
  return ids
}

/** The account a CAM role ARN belongs to; the temporary credentials act in it. */
export function accountOfRoleArn(roleArn: string): string {
  const match = ROLE_ARN_ACCOUNT.exec(roleArn)
  if (!match)
    throw new InputError(
      'role-arn',
      `'${roleArn}' names no account (qcs::cam::uin/<account id>:...)`
    )
  return match[1]
}

/** Throws, naming both, when `account` is not among `allowed`. */
export function checkAccount(account: string, allowed: readonly string[], source: string): void {
  if (allowed.includes(account)) return
  throw new Error(
    `The credentials belong to account ${account} (${source}), which is not in ` +
      `allowed-account-ids (${allowed.join(', ')}): nothing was uploaded, moved or deleted. ` +
      'Check the secrets or role-arn of this step, or add the account to allowed-account-ids.'
  )
}
