/** The log channels the action's logic writes to; @actions/core in production, arrays in tests. */
export interface Log {
  info(message: string): void
  notice(message: string): void
  warning(message: string): void
  debug(message: string): void
}
