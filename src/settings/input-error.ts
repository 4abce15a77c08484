/** A bad input: the step fails with this message before any request is made. */
export class InputError extends Error {
  readonly input: string

  /** `problem` says what is wrong and what the input accepts; it never quotes a secret. */
  constructor(input: string, problem: string) {
    super(`Input '${input}': ${problem}`)
    this.name = 'InputError'
    this.input = input
  }
}
