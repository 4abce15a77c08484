/**
 * Asynchronous tasks (deletions with a binding check, binding look-ups). Each stays "running"
 * for a set number of polls and settles on the first poll after that; the outcome is decided
 * then, against the store as it is at that moment, and kept.
 */
import type { StoredResource } from './resources.js'
import { randomId } from './store.js'

export interface TaskOutcome {
  status: number
  /** Error code for failed deletions (`CertificateNotFound`, ...), '' otherwise. */
  error: string
  /** Resource types found bound (binding tasks). */
  boundTo: string[]
  domains: string[]
  /** Binding tasks: the resources on the certificate when the task settled. */
  resources?: StoredResource[]
}

export interface Task {
  id: string
  kind: 'delete' | 'bind'
  certId: string
  createdAt: number
  pollsLeft: number
  outcome?: TaskOutcome
}

/** A binding result computed within this window is reused when IsCache is 1 (Tencent: 30 min). */
export const BIND_CACHE_MS = 30 * 60_000

export class TaskBook {
  private readonly tasks = new Map<string, Task>()

  create(kind: Task['kind'], certId: string, polls: number, now: number): Task {
    let id = randomId(12)
    while (this.tasks.has(id)) id = randomId(12)
    const task: Task = { id, kind, certId, createdAt: now, pollsLeft: polls }
    this.tasks.set(id, task)
    return task
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id)
  }

  /** The newest binding task for a certificate created within the cache window. */
  cachedBindTask(certId: string, now: number): Task | undefined {
    let newest: Task | undefined
    for (const task of this.tasks.values()) {
      if (task.kind === 'bind' && task.certId === certId && now - task.createdAt < BIND_CACHE_MS) {
        newest = task
      }
    }
    return newest
  }

  /**
   * One poll: the task's outcome, settling it with `settle` once its running polls are used up;
   * undefined while it is still running.
   */
  poll(task: Task, settle: (task: Task) => TaskOutcome): TaskOutcome | undefined {
    if (task.outcome) return task.outcome
    if (task.pollsLeft > 0) {
      task.pollsLeft--
      return undefined
    }
    task.outcome = settle(task)
    return task.outcome
  }

  clear(): void {
    this.tasks.clear()
  }
}
