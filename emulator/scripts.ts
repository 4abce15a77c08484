/**
 * Scripted situations the emulator does not produce by itself: what another client does between
 * two of our requests, and answers Tencent gives in some accounts. Each names the certificate it
 * is about.
 *
 * - `delete-after` `{action, id, skipNext? = 0}`: right after answering a request of `action`
 *   (the one after `skipNext` others), certificate `id` is deleted as by another client, bindings
 *   or not. One-shot.
 * - `binding-answer` `{id, shape}`: every binding task of `id` settles with Status 1 and an
 *   answer that does not say what is bound: `result-null` / `result-absent` (BindResourceResult
 *   null / left out), `regions-null` (a resource type whose BindResourceRegionResult is null),
 *   `region-null` (a null entry among the regions); or `task-refused` (the task ends with Status 2
 *   and a refusal code, `FailedOperation.RoleNotFoundAuthorization`); or `detail-empty` (the
 *   task's detail answers Status 1 with none of the type arrays). Stays until cleared.
 * - `refuse-delete` `{id, as, message?}`: every deletion of `id` is refused and the certificate
 *   stays: `task-status-3` (the asynchronous task ends in Status 3, service role not authorised),
 *   `task-failed` (Status 2), `fail-entry` (a `Fail` entry of DeleteCertificates instead of a
 *   task). `message` is the task's `Error` or the entry's `Msg`; the defaults are Tencent's
 *   wordings. Stays until cleared.
 */

export const BINDING_SHAPES = [
  'result-null',
  'result-absent',
  'regions-null',
  'region-null',
  'task-refused',
  'detail-empty'
] as const
export type BindingShape = (typeof BINDING_SHAPES)[number]

export const REFUSALS = ['task-status-3', 'task-failed', 'fail-entry'] as const
export type Refusal = (typeof REFUSALS)[number]

/** Tencent's wordings: the RoleNotFoundAuthorization message, and the documented `Msg` example. */
export const DEFAULT_REFUSAL_MESSAGES: Record<Refusal, string> = {
  'task-status-3': 'role does not exist, please authorise',
  'task-failed': 'role does not exist, please authorise',
  'fail-entry': 'certificate not yet expired, cannot be deleted'
}

export type Script =
  | { kind: 'delete-after'; action: string; id: string; skipNext?: number }
  | { kind: 'binding-answer'; id: string; shape: BindingShape }
  | { kind: 'refuse-delete'; id: string; as: Refusal; message?: string }

const KINDS = ['delete-after', 'binding-answer', 'refuse-delete']

/** Checks a script that may come from JSON; throws TypeError saying what is wrong. */
export function checkScript(input: unknown): Script {
  if (typeof input !== 'object' || input === null) throw new TypeError('a script is an object')
  const script = input as Record<string, unknown>
  if (!KINDS.includes(script.kind as string))
    throw new TypeError(`script kind must be one of ${KINDS.join(', ')}`)
  if (typeof script.id !== 'string' || script.id === '')
    throw new TypeError('a script needs id, the certificate it is about')
  const nonEmpty = (name: string): boolean =>
    typeof script[name] === 'string' && script[name] !== ''
  switch (script.kind) {
    case 'delete-after':
      if (!nonEmpty('action')) throw new TypeError('delete-after needs action')
      if (
        script.skipNext !== undefined &&
        !(Number.isInteger(script.skipNext) && (script.skipNext as number) >= 0)
      )
        throw new TypeError('delete-after skipNext must be an integer >= 0')
      break
    case 'binding-answer':
      if (!BINDING_SHAPES.includes(script.shape as BindingShape))
        throw new TypeError(`binding-answer shape must be one of ${BINDING_SHAPES.join(', ')}`)
      break
    case 'refuse-delete':
      if (!REFUSALS.includes(script.as as Refusal))
        throw new TypeError(`refuse-delete as must be one of ${REFUSALS.join(', ')}`)
      if (script.message !== undefined && typeof script.message !== 'string')
        throw new TypeError('refuse-delete message must be a string')
      break
  }
  return { ...script } as Script
}

export class ScriptBook {
  private scripts: Script[] = []

  add(script: Script): void {
    this.scripts.push(checkScript(script))
  }

  clear(): void {
    this.scripts = []
  }

  /** Scripts still in force (delete-after with what is left of its skipNext). */
  pending(): Script[] {
    return this.scripts.map(script => ({ ...script }))
  }

  /**
   * The certificates to delete now that a request of `action` was answered; each `delete-after`
   * that fires is used up.
   */
  deletionsAfter(action: string): string[] {
    const fired: string[] = []
    this.scripts = this.scripts.filter(script => {
      if (script.kind !== 'delete-after' || script.action !== action) return true
      if ((script.skipNext ?? 0) > 0) {
        script.skipNext = (script.skipNext ?? 0) - 1
        return true
      }
      fired.push(script.id)
      return false
    })
    return fired
  }

  bindingShape(id: string): BindingShape | undefined {
    const found = this.scripts.find(s => s.kind === 'binding-answer' && s.id === id)
    return found?.kind === 'binding-answer' ? found.shape : undefined
  }

  /** How deleting `id` is refused, with the message, if it is. */
  refusal(id: string): { as: Refusal; message: string } | undefined {
    const found = this.scripts.find(s => s.kind === 'refuse-delete' && s.id === id)
    if (found?.kind !== 'refuse-delete') return undefined
    return { as: found.as, message: found.message ?? DEFAULT_REFUSAL_MESSAGES[found.as] }
  }
}

/** A BindResourceResult (what the task would answer) spoiled into `shape`. */
export function spoilBindingAnswer(
  answer: Record<string, unknown>,
  shape: BindingShape
): Record<string, unknown> {
  const spoiled = { ...answer }
  const types = Array.isArray(answer.BindResourceResult)
    ? (answer.BindResourceResult as Record<string, unknown>[])
    : []
  switch (shape) {
    case 'result-null':
      spoiled.BindResourceResult = null
      break
    case 'result-absent':
      delete spoiled.BindResourceResult
      break
    case 'regions-null':
      spoiled.BindResourceResult = types.map((type, i) =>
        i === 0 ? { ...type, BindResourceRegionResult: null } : type
      )
      break
    case 'region-null':
      spoiled.BindResourceResult = types.map((type, i) =>
        i === 0 ? { ...type, BindResourceRegionResult: [null] } : type
      )
      break
    case 'task-refused':
      spoiled.Status = 2
      spoiled.Error = {
        Code: 'FailedOperation.RoleNotFoundAuthorization',
        Message: 'role does not exist, please authorise'
      }
      spoiled.BindResourceResult = []
      break
    case 'detail-empty':
      break
  }
  return spoiled
}
