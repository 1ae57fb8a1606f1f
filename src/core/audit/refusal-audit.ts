import type { AuditEntryInput, AuditTrail } from '../ports/audit'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'

/** A refusal made before any handler runs (the RPC layer's access checks, a forged session secret, a locked login). */
export interface Refusal {
  /** The audit action: `rpc.refused`, `auth.bad_session`, `auth.login_failed`. */
  action: string
  user: string | null
  /** Where from (`ws 192.0.2.7`); the key when nobody is known. */
  from: string
  /** What was refused: the method, or the user name tried. */
  target: string
  /** The stable code answered (`auth.required`, `auth.forbidden`, `rpc.rate_limited`…): the entry's result. */
  code: string
  message?: string
}

export interface RefusalAuditOptions {
  audit: AuditTrail
  clock: Clock
  log: Logger
  /** One entry per key (user or address, action, target, code) per window; the repeats are counted (default 60 s). */
  windowMs?: number
  /** Entries written per window at most, all keys together; past it refusals are only counted (default 200). */
  maxPerWindow?: number
  /** Runs the writes later (default `setTimeout(fn, 0)`): a refusal never waits on its entry. Tests pass their own. */
  defer?: (fn: () => void) => void
}

interface Open {
  r: Refusal
  since: number
  /** Repeats after the first, not written yet. */
  more: number
}

export interface RefusalAuditStats {
  /** Refusals seen. */
  seen: number
  /** Entries written (first ones, repeat counts, overflow counts). */
  written: number
  /** Refusals only counted: repeats in a window, and those over `maxPerWindow`. */
  folded: number
  /** Entries that could not be written (logged). */
  failed: number
}

/**
 * Audits refusals that happen before a handler could audit them, without letting a flood fill the disk or slow
 * the refusal: the first refusal of a key (user or address + action + target + code) in a window is written at once
 * (deferred: the caller is answered first); repeats are counted and written as one entry with the count in `detail`
 * when the window ends; past `maxPerWindow` entries in a window, refusals of new keys are counted in one overflow
 * entry. So a flood costs at most `maxPerWindow + 1` entries a minute plus one per key seen in it.
 */
export class RefusalAudit {
  private readonly windowMs: number
  private readonly maxPerWindow: number
  private readonly open = new Map<string, Open>()
  private readonly queue: AuditEntryInput[] = []
  private scheduled = false
  private running: Promise<void> | undefined
  private windowStart: number
  private writtenInWindow = 0
  private overflow = 0
  private readonly s: RefusalAuditStats = { seen: 0, written: 0, folded: 0, failed: 0 }

  constructor(private readonly o: RefusalAuditOptions) {
    this.windowMs = o.windowMs ?? 60_000
    this.maxPerWindow = o.maxPerWindow ?? 200
    this.windowStart = o.clock.now()
  }

  /** Never throws, never waits: the entry (if any) is written after the caller's answer. */
  record(r: Refusal): void {
    try {
      this.s.seen++
      const now = this.o.clock.now()
      if (now - this.windowStart >= this.windowMs) this.sweep(now)
      const key = `${r.user !== null ? `u ${r.user}` : `a ${r.from}`}\u0000${r.action}\u0000${r.target}\u0000${r.code}`
      const o = this.open.get(key)
      if (o) {
        o.more++
        this.s.folded++
        return
      }
      if (this.writtenInWindow >= this.maxPerWindow) {
        this.overflow++
        this.s.folded++
        return
      }
      this.open.set(key, { r, since: now, more: 0 })
      this.push({ action: r.action, user: r.user, from: r.from, target: r.target, result: r.code, ...(r.message ? { detail: r.message } : {}) })
    } catch (e) {
      this.o.log.error({ err: (e as Error).message }, 'refusal not audited')
    }
  }

  /** Ends the windows that are over (all with `force`): writes each repeat count, and the overflow count. */
  sweep(now = this.o.clock.now(), force = false): void {
    for (const [key, o] of this.open) {
      if (!force && now - o.since < this.windowMs) continue
      this.open.delete(key)
      if (o.more > 0) {
        const secs = Math.max(1, Math.round((now - o.since) / 1000))
        this.push({
          action: o.r.action, user: o.r.user, from: o.r.from, target: o.r.target, result: o.r.code,
          detail: `${o.more} more of the same in ${secs} s since ${new Date(o.since).toISOString()} (count ${o.more + 1} in all)`,
          newValue: { count: o.more + 1, since: o.since, until: now },
        }, true)
      }
    }
    if (force || now - this.windowStart >= this.windowMs) {
      if (this.overflow > 0) {
        this.push({
          action: 'audit.refusals_folded', user: null, from: 'rpc', result: 'audit.flood',
          detail: `${this.overflow} refusals from new sources not written one by one: over ${this.maxPerWindow} entries in ${Math.round((now - this.windowStart) / 1000)} s`,
          newValue: { count: this.overflow, since: this.windowStart, until: now },
        }, true)
        this.overflow = 0
      }
      this.windowStart = now
      this.writtenInWindow = 0
    }
  }

  /** Writes what is pending now (at stop); resolves once written. */
  async flush(): Promise<void> {
    this.sweep(this.o.clock.now(), true)
    await this.drain()
  }

  stats(): RefusalAuditStats {
    return { ...this.s }
  }

  private push(e: AuditEntryInput, summary = false) {
    if (!summary) this.writtenInWindow++
    this.queue.push(e)
    this.schedule()
  }

  private schedule() {
    if (this.scheduled || this.running) return
    this.scheduled = true
    ;(this.o.defer ?? ((fn) => void setTimeout(fn, 0)))(() => {
      this.scheduled = false
      void this.drain()
    })
  }

  /** One writer at a time, in order. */
  private drain(): Promise<void> {
    if (this.running) return this.running.then(() => (this.queue.length ? this.drain() : undefined))
    this.running = (async () => {
      while (this.queue.length) {
        const e = this.queue.shift()!
        try {
          await this.o.audit.append(e)
          this.s.written++
        } catch (err) {
          this.s.failed++
          this.o.log.error({ action: e.action, target: e.target, result: e.result, err: (err as Error).message }, 'refusal not audited')
        }
      }
    })().finally(() => {
      this.running = undefined
      if (this.queue.length) this.schedule()
    })
    return this.running
  }
}
