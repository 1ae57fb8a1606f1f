import { AppError } from '../../shared/model'

/**
 * At most this many `opcua.endpoints` discoveries at once, over all clients. Each one dials a host and port the caller
 * names and reports "refused" vs "no answer", so without a bound the API is a fast port scanner of the plant network.
 */
export const MAX_CONCURRENT_DISCOVERIES = 4

/** Runs `fn` if fewer than `max` are running; otherwise refuses at once with `opcua.busy` (no queue to fill). */
export function concurrencyLimit(max: number) {
  let running = 0
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= max) throw new AppError('opcua.busy', `${max} endpoint discoveries are already running; retry when one has finished`)
    running++
    try {
      return await fn()
    } finally {
      running--
    }
  }
}
