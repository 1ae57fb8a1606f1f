/** Time source, so tests can drive time. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/**
 * Arrival stamps for samples whose source gives no time: the wall clock, made strictly increasing at the
 * store's resolution (1 µs). Messages arriving within the same millisecond get stamps a microsecond apart, so
 * each stays its own sample (the store keeps one sample per signal and timestamp); the stamps never run behind
 * the wall clock and run ahead of it only while more than 1,000 arrive in one millisecond.
 */
export class ArrivalClock {
  private lastUs = 0
  constructor(private readonly clock: Clock = systemClock) {}

  /** A stamp in ms (3 decimals), greater than every stamp given before; `now`: the wall clock, if already read. */
  next(now = this.clock.now()): number {
    const us = Math.max(Math.round(now * 1000), this.lastUs + 1)
    this.lastUs = us
    return us / 1000
  }
}
