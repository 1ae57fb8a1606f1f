/** How failed logins are throttled, per user name and per address alike. */
export interface ThrottleOptions {
  /** Failures allowed before the first lock (default 5). */
  freeFailures?: number
  /** The first lock; each further failure doubles it (default 1 s). */
  baseLockMs?: number
  /** The longest lock (default 15 min). */
  maxLockMs?: number
  /** Failures are forgotten this long after the last one (default 1 h). */
  forgetMs?: number
  /** Keys remembered at most; past it the oldest are forgotten (a flood of names must not grow memory; default 10,000). */
  maxKeys?: number
}

interface Entry {
  failures: number
  last: number
  lockedUntil: number
}

/**
 * Failed-login counters: after `freeFailures` failures a key (a user name, an address) is locked for `baseLockMs`,
 * doubling with every further failure up to `maxLockMs`. A lock refuses even the right password (the caller answers
 * `auth.locked`); a success clears the key.
 */
export class LoginThrottle {
  private readonly free: number
  private readonly base: number
  private readonly max: number
  /** Failures are forgotten this long after the last one. */
  readonly forget: number
  private readonly maxKeys: number
  private readonly keys = new Map<string, Entry>()
  /** Failures and locks since start, for diagnostics. */
  readonly counts = { failures: 0, locks: 0, refusedLocked: 0, recalled: 0 }

  constructor(
    private readonly now: () => number,
    o: ThrottleOptions = {},
  ) {
    this.free = o.freeFailures ?? 5
    this.base = o.baseLockMs ?? 1000
    this.max = o.maxLockMs ?? 15 * 60_000
    this.forget = o.forgetMs ?? 3_600_000
    this.maxKeys = o.maxKeys ?? 10_000
  }

  private entry(key: string): Entry | undefined {
    const e = this.keys.get(key)
    if (e && this.now() - e.last > this.forget && e.lockedUntil <= this.now()) {
      this.keys.delete(key)
      return undefined
    }
    return e
  }

  /** Milliseconds the key stays locked (0: not locked). */
  lockedFor(key: string): number {
    const e = this.entry(key)
    return e ? Math.max(0, e.lockedUntil - this.now()) : 0
  }

  /** The longest lock among `keys` (0: none is locked); counted as a refusal when locked. */
  check(keys: readonly string[]): number {
    const ms = Math.max(0, ...keys.map((k) => this.lockedFor(k)))
    if (ms > 0) this.counts.refusedLocked++
    return ms
  }

  failed(keys: readonly string[]): void {
    this.counts.failures++
    this.count(keys, this.now())
  }

  /**
   * Failures and successes from before this process started (the audit trail's), oldest first: counted and locked as
   * they were then, so a restart neither lifts a lock nor resets a count. Not counted in `failures` or `locks`.
   */
  recall(events: Iterable<{ at: number; keys: readonly string[]; ok: boolean }>): void {
    for (const e of events) {
      if (e.ok) this.succeeded(e.keys)
      else {
        this.counts.recalled++
        this.count(e.keys, e.at, false)
      }
    }
  }

  private count(keys: readonly string[], now: number, live = true): void {
    for (const key of keys) {
      const e = this.entry(key) ?? { failures: 0, last: now, lockedUntil: 0 }
      e.failures++
      e.last = now
      if (e.failures >= this.free) {
        e.lockedUntil = now + Math.min(this.max, this.base * 2 ** (e.failures - this.free))
        if (live) this.counts.locks++
      }
      this.keys.delete(key)
      this.keys.set(key, e) // newest last, so the oldest go first
    }
    while (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value!)
  }

  succeeded(keys: readonly string[]): void {
    for (const k of keys) this.keys.delete(k)
  }

  /** Keys locked now. */
  locked(): number {
    let n = 0
    for (const k of this.keys.keys()) if (this.lockedFor(k) > 0) n++
    return n
  }
}
