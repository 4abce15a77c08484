/**
 * The notification issue's life: opened when a run has something to report and no issue of the
 * label is open, its body replaced when the report changed (left alone when it did not), closed
 * with a comment by a `list` run that finds nothing. A run with nothing to report and no open
 * issue creates nothing, not even the label.
 */
import { needsPerson, type Attention } from './attention.js'
import type { IssueApi, OpenIssue } from './github.js'
import { closingComment, ISSUE_MARKER, ISSUE_TITLE, issueBody, sameReport } from './issue-body.js'

export type IssueStep = 'opened' | 'updated' | 'unchanged' | 'closed' | 'none'

export interface IssueResult {
  step: IssueStep
  issue?: OpenIssue
}

export async function syncIssue(api: IssueApi, label: string, a: Attention): Promise<IssueResult> {
  // The label alone is not enough: a person may use it for issues of their own.
  const issue = (await api.openIssues(label)).find(i => i.body.includes(ISSUE_MARKER))
  if (needsPerson(a)) {
    const body = issueBody(a)
    if (!issue) {
      await api.ensureLabel(label)
      return { step: 'opened', issue: await api.create(ISSUE_TITLE, body, label) }
    }
    if (sameReport(issue.body, body)) return { step: 'unchanged', issue }
    await api.updateBody(issue.number, body)
    return { step: 'updated', issue }
  }
  if (!issue || a.mode !== 'list') return { step: 'none' }
  await api.comment(issue.number, closingComment(a))
  await api.close(issue.number)
  return { step: 'closed', issue }
}
