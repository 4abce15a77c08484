/**
 * `ModifyCertificatesExpiringNotificationSwitch` (ssl 2019-12-05), as the official SDK's model
 * says: `CertificateIds` (at most 50), `SwitchStatus` 0 (keep the expiry reminders) or 1 (ignore
 * them); answers the ids. The switch is kept per certificate (`remindersOff` in a snapshot) so
 * tests can check which were muted. Where the docs are silent: an unknown id is
 * `FailedOperation.CertificateNotFound`, as for the other actions that take ids.
 */
import type { EmulatorContext } from './context.js'
import { ApiError, missing, readInteger, readStringArray, type Params } from './params.js'
import { notFound } from './v3-certificates.js'

export const MAX_SWITCH_IDS = 50

export function modifyCertificatesExpiringNotificationSwitch(
  params: Params,
  context: EmulatorContext
): Record<string, unknown> {
  const ids = readStringArray(params, 'CertificateIds')
  if (ids === undefined || ids.length === 0) throw missing('CertificateIds')
  if (ids.length > MAX_SWITCH_IDS)
    throw new ApiError(
      'InvalidParameterValue',
      `CertificateIds holds at most ${MAX_SWITCH_IDS} ids; got ${ids.length}.`
    )
  const status = readInteger(params, 'SwitchStatus')
  if (status === undefined) throw missing('SwitchStatus')
  if (status !== 0 && status !== 1)
    throw new ApiError('InvalidParameterValue', 'SwitchStatus must be 0 or 1.')
  const absent = ids.find(id => !context.store.get(id))
  if (absent !== undefined) throw notFound(absent)
  for (const id of ids) {
    const record = context.store.get(id)
    if (record) record.remindersOff = status === 1
  }
  return { CertificateIds: [...ids] }
}
