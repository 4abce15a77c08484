/** One error type for every Tencent Cloud API failure, whichever API version answered. */
export class TencentApiError extends Error {
  readonly operation: string
  /** Tencent's code: a 3.0 string code (`AuthFailure.SignatureFailure`), a 2.0 numeric code as
   * a string (`4100`), or a transport code of ours (`HttpError.502`, `NetworkError.ECONNRESET`,
   * `Timeout`, `MalformedResponse`). */
  readonly code: string
  readonly apiMessage: string
  readonly requestId: string
  readonly httpStatus?: number
  /** What the call was about (a certificate id, domains), for the message. */
  subject?: string

  constructor(init: {
    operation: string
    code: string
    message: string
    requestId?: string
    httpStatus?: number
    subject?: string
  }) {
    super('')
    this.name = 'TencentApiError'
    this.operation = init.operation
    this.code = init.code
    this.apiMessage = init.message
    this.requestId = init.requestId ?? ''
    this.httpStatus = init.httpStatus
    this.subject = init.subject
    this.message = this.format()
  }

  /** Names what the failed call was about (a certificate id, domains) in the message. */
  about(subject: string): this {
    this.subject = subject
    this.message = this.format()
    return this
  }

  private format(): string {
    const about = this.subject ? ` for ${this.subject}` : ''
    const rid = this.requestId ? ` (RequestId ${this.requestId})` : ''
    return `${this.operation}${about} failed: ${this.code}: ${this.apiMessage}${rid}`
  }
}

/** The message of anything thrown, so a non-Error rejection is never dropped. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}
