/**
 * Update, rollback and deploy records: one item per resource, each pending (0), then running
 * (3) for the resource's settle polls, then settled on a read: moved (1), failed (2, scripted),
 * rolled back (4), rollback failed (5) or nothing to do (6). A record is read (and so advanced)
 * by its Describe action; the state it settles on is the store's at that moment.
 */
import type { ResourceBook, StoredResource } from './resources.js'

export type RecordKind = 'update' | 'rollback' | 'deploy'

export interface RecordItem {
  id: number
  resource: StoredResource
  /** The certificate the item moves the resource to, and the one it moves it from. */
  certId: string
  oldCertId: string
  status: number
  error: string
  pollsLeft: number
  createdAt: number
  updatedAt: number
}

export interface ResourceRecord {
  id: number
  kind: RecordKind
  certId: string
  /** update: the old certificate; rollback: the certificate moved back from; deploy: ''. */
  oldCertId: string
  /** deploy: the resource type of the call. */
  type: string
  items: RecordItem[]
  createdAt: number
}

export const isSettled = (item: RecordItem): boolean => item.status !== 0 && item.status !== 3
export const isRunning = (record: ResourceRecord): boolean => !record.items.every(isSettled)

const DEFAULT_FAILURE = 'the resource refused the certificate (scripted failure)'

export class RecordBook {
  private readonly records = new Map<number, ResourceRecord>()
  private nextRecord = 1_760_001
  private nextItem = 90_000_001

  create(
    kind: RecordKind,
    move: { certId: string; oldCertId: string; type?: string },
    resources: { resource: StoredResource; from: string }[],
    polls: number,
    now: number
  ): ResourceRecord {
    const record: ResourceRecord = {
      id: this.nextRecord++,
      kind,
      certId: move.certId,
      oldCertId: move.oldCertId,
      type: move.type ?? '',
      createdAt: now,
      items: resources.map(({ resource, from }) => ({
        id: this.nextItem++,
        resource,
        certId: move.certId,
        oldCertId: from,
        status: 0,
        error: '',
        pollsLeft: resource.settlePolls ?? polls,
        createdAt: now,
        updatedAt: now
      }))
    }
    this.records.set(record.id, record)
    return record
  }

  get(id: number): ResourceRecord | undefined {
    return this.records.get(id)
  }

  /** The newest record of `kind` still running that matches. */
  running(
    kind: RecordKind,
    matches: (record: ResourceRecord) => boolean
  ): ResourceRecord | undefined {
    return [...this.records.values()]
      .reverse()
      .find(r => r.kind === kind && isRunning(r) && matches(r))
  }

  /** Every record of `kind` that matches, newest first. */
  list(kind: RecordKind, matches: (record: ResourceRecord) => boolean): ResourceRecord[] {
    return [...this.records.values()].reverse().filter(r => r.kind === kind && matches(r))
  }

  /** The record that holds item `itemId`. */
  holding(itemId: number): ResourceRecord | undefined {
    return [...this.records.values()].find(r => r.items.some(i => i.id === itemId))
  }

  clear(): void {
    this.records.clear()
  }
}

/** One read of `record`: every unsettled item takes a step, settling when its polls are spent. */
export function advance(
  record: ResourceRecord,
  book: ResourceBook,
  live: (id: string) => boolean,
  now: number
): void {
  for (const item of record.items) {
    if (isSettled(item)) continue
    item.updatedAt = now
    if (item.pollsLeft > 0) {
      item.pollsLeft--
      item.status = 3
      continue
    }
    settle(record, item, book, live)
  }
}

function settle(
  record: ResourceRecord,
  item: RecordItem,
  book: ResourceBook,
  live: (id: string) => boolean
): void {
  const { resource } = item
  const rollback = record.kind === 'rollback'
  const cause = `${record.kind} record ${record.id}`
  const finish = (status: number, error = '') => {
    item.status = status
    item.error = error
  }
  if (rollback) {
    if (resource.rollbackFails || !live(item.certId) || resource.certId !== item.oldCertId)
      return finish(5, 'the resource could not be moved back (scripted or changed since)')
    book.move(resource, item.certId, cause)
    return finish(4)
  }
  if (resource.certId === item.certId) return finish(record.kind === 'deploy' ? 1 : 6)
  if (record.kind === 'update' && resource.certId !== item.oldCertId) return finish(6)
  const script = resource.fail
  if (script && (script.times === undefined || script.times > 0)) {
    if (script.times !== undefined) script.times--
    return finish(2, script.message ?? DEFAULT_FAILURE)
  }
  if (!live(item.certId)) return finish(2, `certificate ${item.certId} does not exist`)
  book.move(resource, item.certId, cause)
  finish(1)
}
