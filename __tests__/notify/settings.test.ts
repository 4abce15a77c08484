/** notify, notify-format, notify-label and github-token: read and refused before any request. */
import { describe, expect, it } from '@jest/globals'
import { notifySecrets, readNotifySettings } from '../../src/notify/settings.js'
import { readSettings } from '../../src/settings/inputs.js'

const ENV = { GITHUB_REPOSITORY: 'octo-org/octo-repo' }
const reader = (inputs: Record<string, string>) => (name: string) => (inputs[name] ?? '').trim()
const read = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = ENV) =>
  readNotifySettings(reader(inputs), env)

describe('readNotifySettings', () => {
  it('reads nothing by default', () => {
    expect(read({})).toEqual({
      issue: false,
      webhooks: [],
      format: 'json',
      label: 'tencentcloud-ssl',
      token: '',
      repository: 'octo-org/octo-repo'
    })
  })

  it('reads issue and webhook lines, deduplicated, a format and a label', () => {
    const s = read({
      notify:
        'Issue\nhttps://hooks.example/a?key=1\n\nhttp://127.0.0.1:8080/b\nhttps://hooks.example/a?key=1',
      'notify-format': 'WeCom',
      'notify-label': 'certs watch',
      'github-token': 'ghs_x'
    })
    expect(s).toMatchObject({
      issue: true,
      webhooks: ['https://hooks.example/a?key=1', 'http://127.0.0.1:8080/b'],
      format: 'wecom',
      label: 'certs watch',
      token: 'ghs_x'
    })
  })

  it.each([
    [
      { 'notify-format': 'teams' },
      /Input 'notify-format': must be one of 'json', 'slack', 'wecom', 'dingtalk', 'feishu'; got 'teams'/
    ],
    [
      { notify: 'issues' },
      /Input 'notify': line 1 is neither 'issue' nor a URL; accepts 'issue' and webhook URLs/
    ],
    [
      { notify: 'issue\nhttp://hooks.example/x?key=s3cret' },
      /Input 'notify': line 2: http:\/\/ is refused for hooks.example, which is not a loopback host; accepts 'issue'/
    ],
    [{ notify: 'ftp://hooks.example/x' }, /line 1: the scheme ftp:\/\/ is not supported/],
    [
      { notify: 'https://user:pw@hooks.example/x' },
      /line 1: credentials in the URL are not allowed/
    ],
    [
      { 'notify-label': 'a,b' },
      /Input 'notify-label': must be a label name of at most 50 characters, no comma/
    ],
    [
      { notify: 'issue' },
      /Input 'github-token': is empty, and notify 'issue' needs it.*issues: write/
    ],
    [
      { notify: 'issue', 'github-token': '${{ github.token }}' },
      /Input 'github-token': is an expression the runner did not expand/
    ]
  ])('refuses %j', (inputs, message) => {
    expect(() => read(inputs)).toThrow(message)
  })

  it('never quotes a webhook URL in its messages', () => {
    for (const notify of ['http://hooks.example/x?key=s3cret', 'hooks.example/x?key=s3cret']) {
      const message = (() => {
        try {
          read({ notify })
          return 'accepted'
        } catch (error) {
          return (error as Error).message
        }
      })()
      expect(message).toMatch(/^Input 'notify': line 1[: ]/)
      expect(message).not.toContain('s3cret')
    }
  })

  it('needs GITHUB_REPOSITORY for the issue', () => {
    expect(() => read({ notify: 'issue', 'github-token': 't' }, {})).toThrow(
      /'issue' needs GITHUB_REPOSITORY/
    )
  })

  it('masks the webhook lines and the token, never the word issue', () => {
    expect(
      notifySecrets(reader({ notify: 'issue\n https://h.example/x?k=1 ', 'github-token': 'ghs_t' }))
    ).toEqual(['https://h.example/x?k=1', '/x?k=1', 'ghs_t'])
  })

  it('masks a URL also as a client prints it, normalised, and its path with the query', () => {
    const secrets = notifySecrets(reader({ notify: 'HTTPS://Hooks.Example:443?key=s3cret' }))
    expect(secrets).toEqual([
      'HTTPS://Hooks.Example:443?key=s3cret',
      'https://hooks.example/?key=s3cret',
      '/?key=s3cret'
    ])
  })

  it('is part of the settings, checked with the other inputs', () => {
    const inputs = { mode: 'list', 'secret-id': 'id', 'secret-key': 'key', 'notify-format': 'xml' }
    expect(() => readSettings(reader(inputs), {})).toThrow(/notify-format/)
  })
})
