/**
 * The notify stage in-process: when it loads the notification code at all, what it hands it,
 * and how a delivery's failures join the run's.
 */
import { describe, expect, it } from '@jest/globals'
import { recordingIO } from '../../fixtures/io.js'
import type { Attention } from '../../src/notify/attention.js'
import type { Delivery } from '../../src/notify/deliver.js'
import type { NotifySettings } from '../../src/notify/settings.js'
import { emptyOutcome, type Outcome } from '../../src/reporting/outcome.js'
import { notify } from '../../src/stages/notify.js'

const ENV = { GITHUB_REPOSITORY: 'octo-org/octo-repo', GITHUB_RUN_ID: '1' }
const ISSUE = { notify: 'issue', 'github-token': 'ghs_t' }

async function stage(inputs: Record<string, string>, outcome: Outcome, delivery?: Delivery) {
  const io = recordingIO(inputs, { env: ENV })
  const calls: { settings: NotifySettings; attention: Attention }[] = []
  await notify(io, outcome, { sleep: async () => undefined }, async () => ({
    deliver: async (settings, attention) => {
      calls.push({ settings, attention })
      return delivery ?? { notified: ['issue'], failures: [] }
    }
  }))
  return calls
}

const expiring = (): Outcome => ({
  ...emptyOutcome(),
  mode: 'list',
  inventory: { certificates: [], expiringIds: ['Exp00001'], staleBoundIds: [], markdown: '' }
})

describe('the notify stage', () => {
  it('loads nothing without notify, or when a run other than list has nothing to report', async () => {
    expect(await stage({}, { ...emptyOutcome(), mode: 'list', failure: 'x' })).toEqual([])
    expect(await stage(ISSUE, { ...emptyOutcome(), mode: 'upload' })).toEqual([])
    // A webhook alone has nothing to close.
    expect(
      await stage({ notify: 'https://h.example/x' }, { ...emptyOutcome(), mode: 'list' })
    ).toEqual([])
  })

  it('loads nothing when the notify inputs are bad: prepare failed the run naming them', async () => {
    const outcome = {
      ...emptyOutcome(),
      mode: 'list' as const,
      failure: "Input 'notify-format': …"
    }
    expect(await stage({ notify: 'issue', 'notify-format': 'xml' }, outcome)).toEqual([])
    expect(outcome.notified).toEqual([])
  })

  it('hands a list run with nothing to report to the issue, which may close', async () => {
    const calls = await stage(ISSUE, { ...emptyOutcome(), mode: 'list' })
    expect(calls).toHaveLength(1)
    expect(calls[0].attention.status).toBe('ok')
  })

  it('reports what needs a person and sets notified', async () => {
    const outcome = expiring()
    const calls = await stage(ISSUE, outcome)
    expect(calls[0].settings).toMatchObject({ issue: true, token: 'ghs_t' })
    expect(calls[0].attention.expiring.map(c => c.id)).toEqual(['Exp00001'])
    expect(outcome.notified).toEqual(['issue'])
    expect(outcome.failure).toBeUndefined()
  })

  it("joins a delivery's failures to the run's", async () => {
    const outcome = { ...expiring(), failure: 'the run failed' }
    await stage(ISSUE, outcome, { notified: [], failures: ['webhook 1 down', 'issue refused'] })
    expect(outcome.failure).toBe('the run failed; webhook 1 down; issue refused')
    const clean = expiring()
    await stage(ISSUE, clean, { notified: ['issue'], failures: ['webhook 1 down'] })
    expect(clean.failure).toBe('webhook 1 down')
    expect(clean.notified).toEqual(['issue'])
  })
})
