/** Bounded concurrency, shared by deletion batches and verify's handshakes. */

/** Runs `work` on every item, at most `limit` at once; waits for all, then throws the first
 * error, if any (callers write `work` not to throw: a throw here is a bug, not a failure). */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++])
  }
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, worker)
  )
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failure) throw failure.reason
}
