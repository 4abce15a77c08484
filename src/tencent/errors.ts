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
  /** How many attempts were made, when more than one (the transport's retries). */
  attempts?: number

  constructor(init: {
    operation: string
    code: string
    message: string
    requestId?: string
    httpStatus?: number
    subject?: string
    attempts?: number
  }) {
    super('')
    this.name = 'TencentApiError'
    this.operation = init.operation
    this.code = init.code
    this.apiMessage = init.message
    this.requestId = init.requestId ?? ''
    this.httpStatus = init.httpStatus
    this.subject = init.subject
    this.attempts = init.attempts
    this.message = this.format()
  }

  /** Says how many attempts the transport made before giving up. */
  after(attempts: number): this {
    if (attempts > 1) this.attempts = attempts
    this.message = this.format()
    return this
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
    const tries = this.attempts ? `; gave up after ${this.attempts} attempts` : ''
    return `${this.operation}${about} failed: ${this.code}: ${this.apiMessage}${rid}${tries}`
  }
}

/** Codes that refuse the credentials themselves (not a CAM permission): nothing can succeed. */
export function refusesCredentials(code: string): boolean {
  return code.startsWith('AuthFailure') && !/UnauthorizedOperation|SignatureExpire/.test(code)
}

/** The error with a pointer at the credentials' inputs. */
export function withCredentialHint(error: TencentApiError): TencentApiError {
  return new TencentApiError({
    operation: error.operation,
    code: error.code,
    message:
      `${error.apiMessage}; Tencent refused the credentials: check secret-id and secret-key ` +
      '(or the TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY secrets they come from), ' +
      'session-token, or role-arn',
    requestId: error.requestId,
    httpStatus: error.httpStatus,
    subject: error.subject,
    attempts: error.attempts
  })
}

/** The step's message for anything thrown: refused credentials get the pointer at them. */
export function failureText(error: unknown): string {
  if (error instanceof TencentApiError && refusesCredentials(error.code))
    return withCredentialHint(error).message
  return errorMessage(error)
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
