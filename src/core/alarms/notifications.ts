import { AppError, isAppError, type ErrorCode } from '../../shared/model/errors'
import type { NotificationRule, WebhookAction } from '../config/alarms-config'
import { driverNotificationActions } from '../drivers'
import type { Clock } from '../ports/clock'
import type { Collector } from '../ports/collector'
import type { NotificationAction } from '../ports/driver'
import type { Logger } from '../ports/logger'
import type { JournalRecord, NotificationEvent } from './ports'

/**
 * Alarm notifications (Simple IoT's rules, in spirit): each rule matches alarm transitions (priorities, events, an
 * asset path and what is under it) and runs one action: `webhook` (an HTTP POST of JSON, the notifier's own) or a
 * protocol driver's action (`CoreDriver.notificationAction`: MQTT publishes through its connection's collector).
 * Per rule a token bucket bounds the rate (what goes beyond is dropped and counted, so a storm cannot queue without
 * end), a failed attempt is retried with exponential backoff and jitter up to the rule's attempts, and the counters
 * and the last error are kept for the API (`status()`). Notifications never write to equipment and never throw into
 * the caller: `notify` returns at once.
 */

export interface NotificationRuleStatus {
  id: string
  enabled: boolean
  /** The action's kind and where it goes (the webhook's origin, the connection), never a header or a token. */
  action: { kind: string; target: string }
  /** Transitions that matched the rule. */
  matched: number
  /** Notifications delivered (after however many attempts). */
  sent: number
  /** Notifications given up after the last attempt (or refused for good: an HTTP 4xx, a missing connection). */
  failed: number
  /** Failed attempts followed by another (one may be waiting now). */
  retried: number
  /** Matched transitions dropped by the rate limit, or because too many were in flight. */
  dropped: number
  /** Notifications being sent or waiting for a retry now. */
  inFlight: number
  lastSentAt: number | null
  lastError: { code: ErrorCode; message: string; at: number } | null
}

export interface NotifierStatus {
  rules: NotificationRuleStatus[]
}

/** Time for the notifier: `now` for the token buckets, `sleep` between attempts (tests drive both). */
export interface NotifierClock extends Clock {
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export interface NotifierDeps {
  rules: readonly NotificationRule[]
  /** The collectors by connection id (a driver's action sends through its connection's). */
  collectors: readonly Collector[]
  clock?: NotifierClock
  log: Logger
  /** Protocol actions by kind; default: the drivers' (`driverNotificationActions()`). */
  actions?: ReadonlyMap<string, NotificationAction>
  /** Default: Node's global `fetch`. */
  fetch?: typeof fetch
  /** In [0, 1): the jitter; default Math.random. */
  random?: () => number
  /** At most this many notifications of one rule in flight (sending or waiting to retry); beyond: dropped. Default 100. */
  maxInFlight?: number
}

export interface Notifier {
  /** Hands the notifier transitions (as journaled); returns at once, sending in the background. */
  notify(entries: readonly JournalRecord[]): void
  status(): NotifierStatus
  /** Stops retries and sends in flight (they count as failed) and refuses further work; resolves when all settled. */
  stop(): Promise<void>
}

export const realNotifierClock: NotifierClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(stopped())
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(t)
        reject(stopped())
      }
      signal.addEventListener('abort', onAbort, { once: true })
    }),
}

const stopped = () => new AppError('notify.failed', 'the notifier stopped')

/** The delay before attempt `n + 1` (n ≥ 1): `baseMs · 2^(n-1)`, capped at `maxMs`, then between half and all of it (jitter). */
export function backoffMs(retry: NotificationRule['retry'], n: number, random: () => number): number {
  const d = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(n - 1, 30))
  return Math.round(d / 2 + (d / 2) * random())
}

/** A token bucket: `burst` tokens, refilled continuously at `perMinute`. */
export class TokenBucket {
  private tokens: number
  private at: number
  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst
    this.at = now
  }
  take(now: number): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perMinute) / 60_000)
      this.at = now
    }
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** Whether a rule's `match` takes this transition. */
export function matches(rule: NotificationRule, e: JournalRecord): boolean {
  const m = rule.match
  if (m.priorities?.length && !m.priorities.includes(e.priority)) return false
  if (m.events?.length && !m.events.includes(e.event)) return false
  if (m.path !== undefined) {
    const p = m.path.replace(/\/+$/, '')
    if (e.path !== p && !e.path.startsWith(`${p}/`)) return false
  }
  return true
}

const FIELDS = /\{(path|attribute|message|priority|event|value|at|ms|key|state|who|note|occurrence)\}/g

/** The event a rule's action gets: the entry and its templates filled. */
export function notificationEvent(entry: JournalRecord): NotificationEvent {
  const value = (name: string): string => {
    switch (name) {
      case 'value':
        return entry.value === undefined || entry.value === null ? '' : String(entry.value)
      case 'at':
        return new Date(entry.at).toISOString()
      case 'ms':
        return String(entry.at)
      case 'note':
        return entry.note ?? ''
      default:
        return String(entry[name as keyof JournalRecord])
    }
  }
  return {
    entry,
    text: (t) => t.replace(FIELDS, (_m, name: string) => value(name)),
    json: (t) => t.replace(FIELDS, (_m, name: string) => JSON.stringify(value(name)).slice(1, -1)),
  }
}

/** A failure that another attempt will not mend (an HTTP 4xx other than 408 and 429, a missing connection). */
class Permanent extends Error {
  constructor(readonly error: AppError) {
    super(error.message)
  }
}

async function callWebhook(action: WebhookAction, ev: NotificationEvent, doFetch: typeof fetch, stop: AbortSignal): Promise<void> {
  const body = action.body === undefined ? JSON.stringify(ev.entry) : ev.json(action.body)
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), action.timeoutMs)
  const onStop = () => timeout.abort()
  stop.addEventListener('abort', onStop, { once: true })
  try {
    const res = await doFetch(action.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...action.headers },
      body,
      signal: timeout.signal,
      redirect: 'error',
    })
    // the answer's body is not needed: drain it so the connection is reused
    await res.arrayBuffer().catch(() => undefined)
    if (res.ok) return
    const e = new AppError('notify.failed', `webhook answered HTTP ${res.status}`, { status: res.status })
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new Permanent(e)
    throw e
  } catch (e) {
    if (e instanceof Permanent || isAppError(e)) throw e
    if (stop.aborted) throw stopped()
    if (timeout.signal.aborted) throw new AppError('notify.timeout', `webhook did not answer within ${action.timeoutMs} ms`)
    const cause = (e as { cause?: { code?: string; message?: string } }).cause
    throw new AppError('notify.failed', `webhook not reached: ${cause?.code ?? cause?.message ?? (e as Error).message}`)
  } finally {
    clearTimeout(timer)
    stop.removeEventListener('abort', onStop)
  }
}

/** Where an action goes, for the status: never headers, credentials or a URL's path and query (they may carry a token). */
function targetOf(a: NotificationRule['action']): string {
  if (a.kind === 'webhook') {
    try {
      return new URL(a.url).origin
    } catch {
      return 'webhook'
    }
  }
  return (a as { connection: string }).connection
}

export function createNotifier(d: NotifierDeps): Notifier {
  const clock = d.clock ?? realNotifierClock
  const actions = d.actions ?? driverNotificationActions()
  const doFetch = d.fetch ?? globalThis.fetch
  const random = d.random ?? Math.random
  const maxInFlight = d.maxInFlight ?? 100
  const stop = new AbortController()
  const pending = new Set<Promise<void>>()
  const log = d.log

  const rules = d.rules.map((rule) => {
    const s: NotificationRuleStatus = {
      id: rule.id,
      enabled: rule.enabled,
      action: { kind: rule.action.kind, target: targetOf(rule.action) },
      matched: 0,
      sent: 0,
      failed: 0,
      retried: 0,
      dropped: 0,
      inFlight: 0,
      lastSentAt: null,
      lastError: null,
    }
    return { rule, status: s, bucket: new TokenBucket(rule.rate.perMinute, rule.rate.burst, clock.now()) }
  })
  for (const { rule } of rules) {
    if (rule.action.kind !== 'webhook' && !actions.has(rule.action.kind)) log.warn({ rule: rule.id, kind: rule.action.kind }, 'notification rule: no driver has this action kind; it will fail')
  }

  const attempt = (rule: NotificationRule, ev: NotificationEvent): Promise<void> => {
    const a = rule.action
    if (a.kind === 'webhook') return callWebhook(a as WebhookAction, ev, doFetch, stop.signal)
    const driver = actions.get(a.kind)
    const connection = (a as { connection: string }).connection
    const collector = d.collectors.find((c) => c.id === connection)
    if (!driver || !collector) {
      return Promise.reject(new Permanent(new AppError('notify.unknown_connection', driver ? `no connection "${connection}"` : `no driver has the notification action "${a.kind}"`, { connection })))
    }
    return driver.run(a as never, ev, collector)
  }

  const send = async (r: (typeof rules)[number], ev: NotificationEvent): Promise<void> => {
    const { rule, status } = r
    for (let n = 1; ; n++) {
      try {
        await attempt(rule, ev)
        status.sent++
        status.lastSentAt = clock.now()
        return
      } catch (raw) {
        const permanent = raw instanceof Permanent
        const e = raw instanceof Permanent ? raw.error : isAppError(raw) ? raw : new AppError('notify.failed', (raw as Error)?.message ?? String(raw))
        status.lastError = { code: e.code, message: e.message, at: clock.now() }
        if (permanent || n >= rule.retry.attempts || stop.signal.aborted) {
          status.failed++
          log.warn({ rule: rule.id, key: ev.entry.key, event: ev.entry.event, attempts: n, code: e.code, err: e.message }, 'alarm notification not sent')
          return
        }
        status.retried++
        try {
          await clock.sleep(backoffMs(rule.retry, n, random), stop.signal)
        } catch {
          status.failed++
          return
        }
      }
    }
  }

  return {
    notify(entries) {
      if (stop.signal.aborted) return
      for (const e of entries) {
        for (const r of rules) {
          if (!r.rule.enabled || !matches(r.rule, e)) continue
          r.status.matched++
          const full = r.status.inFlight >= maxInFlight
          if (full || !r.bucket.take(clock.now())) {
            r.status.dropped++
            r.status.lastError = { code: 'notify.rate_limited', message: full ? `${maxInFlight} notifications in flight: dropped` : `over ${r.rule.rate.perMinute} a minute (burst ${r.rule.rate.burst}): dropped`, at: clock.now() }
            continue
          }
          r.status.inFlight++
          const p = send(r, notificationEvent(e)).finally(() => {
            r.status.inFlight--
            pending.delete(p)
          })
          pending.add(p)
        }
      }
    },
    status: () => ({ rules: rules.map((r) => ({ ...r.status, action: { ...r.status.action }, lastError: r.status.lastError && { ...r.status.lastError } })) }),
    async stop() {
      stop.abort()
      await Promise.allSettled([...pending])
    },
  }
}
