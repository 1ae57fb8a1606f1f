import { describe, expect, it } from 'vitest'
import { AppError } from '../../shared/model/errors'
import { AppConfig } from '../config/app-config'
import { NotificationRule, type NotificationRuleInput } from '../config/alarms-config'
import { silentLogger } from '../ports/logger'
import type { NotificationAction } from '../ports/driver'
import { FakeCollector } from '../testing/fake-collector'
import { backoffMs, createNotifier, matches, notificationEvent, TokenBucket, type NotifierClock } from './notifications'
import type { JournalRecord } from './ports'

/** Time the test moves: `sleep` waits until `advance` passes its due time. */
class FakeClock implements NotifierClock {
  t = 1_000_000
  private sleepers: { due: number; resolve: () => void; reject: (e: unknown) => void }[] = []
  now = () => this.t
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = { due: this.t + ms, resolve, reject }
      this.sleepers.push(s)
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })
    })
  }
  /** Due times of the sleeps waiting now, relative to now. */
  waiting(): number[] {
    return this.sleepers.map((s) => s.due - this.t)
  }
  async advance(ms: number): Promise<void> {
    await flush()
    this.t += ms
    const due = this.sleepers.filter((s) => s.due <= this.t)
    this.sleepers = this.sleepers.filter((s) => s.due > this.t)
    due.forEach((s) => s.resolve())
    await flush()
  }
}
const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

function entry(o: Partial<JournalRecord> = {}): JournalRecord {
  return {
    at: Date.UTC(2026, 11, 6, 10, 0, 0),
    key: 'p1/Temp/hi',
    assetId: 'p1',
    path: 'Plant/Area1/Pump-1',
    attribute: 'Temp',
    defId: 'hi',
    priority: 'high',
    event: 'raise',
    state: 'unack',
    value: 91.5,
    message: 'Temperature high',
    who: 'system',
    occurrence: 1,
    ...o,
  }
}

const rule = (o: Partial<NotificationRuleInput> = {}) => NotificationRule.parse({ id: 'r', action: { kind: 'webhook', url: 'http://hooks.example:8080/alarm?token=secret' }, ...o })

/** A fetch that answers the statuses given, in turn (then the last one), and keeps the requests. */
function fakeFetch(statuses: number[]) {
  const calls: { url: string; body: string; headers: Record<string, string> }[] = []
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: String(init.body), headers: init.headers as Record<string, string> })
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)]!
    return new Response(status === 204 ? null : 'x', { status })
  }) as unknown as typeof fetch
  return { f, calls }
}

describe('notification rules: matching and templates', () => {
  it('matches priorities, events and an asset with everything under it (Pump-1 is not Pump-10)', () => {
    const r = rule({ match: { priorities: ['critical', 'high'], events: ['raise', 'clear'], path: 'Plant/Area1/Pump-1' } })
    expect(matches(r, entry())).toBe(true)
    expect(matches(r, entry({ path: 'Plant/Area1/Pump-1/Motor' }))).toBe(true)
    expect(matches(r, entry({ path: 'Plant/Area1/Pump-10' }))).toBe(false)
    expect(matches(r, entry({ priority: 'low' }))).toBe(false)
    expect(matches(r, entry({ event: 'ack' }))).toBe(false)
    expect(matches(rule(), entry({ event: 'shelve', priority: 'low' }))).toBe(true) // no match fields: everything
  })

  it('fills templates; json() escapes values so a JSON template stays JSON; other braces stay', () => {
    const ev = notificationEvent(entry({ message: 'said "hot"\n', note: 'n' }))
    expect(ev.text('alarms/{priority}/{path} {unknown} {value} {at} {ms}')).toBe(`alarms/high/Plant/Area1/Pump-1 {unknown} 91.5 2026-12-06T10:00:00.000Z ${Date.UTC(2026, 11, 6, 10)}`)
    const body = ev.json('{"m":"{message}","v":"{value}","k":"{key}","n":"{note}","o":{occurrence}}')
    expect(JSON.parse(body)).toEqual({ m: 'said "hot"\n', v: '91.5', k: 'p1/Temp/hi', n: 'n', o: 1 })
    expect(notificationEvent(entry({ value: undefined })).text('[{value}|{note}]')).toBe('[|]')
  })
})

describe('token bucket and backoff (fake clock)', () => {
  it('lets a burst through, then refills at the rate, never beyond the burst', () => {
    const b = new TokenBucket(6, 3, 0) // one every 10 s
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false])
    expect(b.take(9_999)).toBe(false)
    expect(b.take(10_000)).toBe(true)
    expect(b.take(10_000)).toBe(false)
    // a long quiet spell fills it to the burst only
    expect([b.take(1_000_000), b.take(1_000_000), b.take(1_000_000), b.take(1_000_000)]).toEqual([true, true, true, false])
  })

  it('doubles the delay from baseMs up to maxMs, jittered between half and all of it', () => {
    const retry = { attempts: 6, baseMs: 1000, maxMs: 3000 }
    expect([1, 2, 3, 4].map((n) => backoffMs(retry, n, () => 0))).toEqual([500, 1000, 1500, 1500])
    expect([1, 2, 3, 4].map((n) => backoffMs(retry, n, () => 0.999999))).toEqual([1000, 2000, 3000, 3000])
    expect(backoffMs(retry, 2, () => 0.5)).toBe(1500)
  })
})

describe('createNotifier (fake clock, fake fetch)', () => {
  it('rate-limits per rule: a storm sends the burst, drops and counts the rest, and sends again once refilled', async () => {
    const clock = new FakeClock()
    const { f, calls } = fakeFetch([204])
    const n = createNotifier({ rules: [rule({ rate: { perMinute: 6, burst: 3 } }), rule({ id: 'other', match: { priorities: ['low'] } })], collectors: [], clock, log: silentLogger, fetch: f })
    n.notify(Array.from({ length: 5 }, (_, i) => entry({ occurrence: i })))
    await clock.advance(0)
    expect(calls).toHaveLength(3)
    expect(n.status().rules[0]).toMatchObject({ id: 'r', matched: 5, sent: 3, dropped: 2, failed: 0, inFlight: 0, lastError: { code: 'notify.rate_limited' } })
    expect(n.status().rules[1]).toMatchObject({ id: 'other', matched: 0, sent: 0 })
    await clock.advance(10_000)
    n.notify([entry(), entry()])
    await clock.advance(0)
    expect(calls).toHaveLength(4)
    expect(n.status().rules[0]).toMatchObject({ matched: 7, sent: 4, dropped: 3 })
    await n.stop()
  })

  it('retries with exponential backoff up to the attempts, then counts a failure with the last error', async () => {
    const clock = new FakeClock()
    const { f, calls } = fakeFetch([500])
    const n = createNotifier({ rules: [rule({ retry: { attempts: 4, baseMs: 1000, maxMs: 3000 } })], collectors: [], clock, log: silentLogger, fetch: f, random: () => 0 })
    n.notify([entry()])
    await clock.advance(0)
    expect(calls).toHaveLength(1)
    expect(clock.waiting()).toEqual([500])
    await clock.advance(499)
    expect(calls).toHaveLength(1)
    await clock.advance(1)
    expect(calls).toHaveLength(2)
    expect(clock.waiting()).toEqual([1000])
    await clock.advance(1000)
    expect(calls).toHaveLength(3)
    expect(clock.waiting()).toEqual([1500]) // 4000 capped at 3000, jittered to half
    expect(n.status().rules[0]).toMatchObject({ sent: 0, failed: 0, retried: 3, inFlight: 1 }) // the third retry waits
    await clock.advance(1500)
    expect(calls).toHaveLength(4)
    expect(clock.waiting()).toEqual([])
    expect(n.status().rules[0]).toMatchObject({ sent: 0, failed: 1, retried: 3, inFlight: 0, lastError: { code: 'notify.failed', message: 'webhook answered HTTP 500', at: clock.t } })
    await n.stop()
  })

  it('fails twice, then succeeds: one sent, two retries, no failure', async () => {
    const clock = new FakeClock()
    const { f, calls } = fakeFetch([503, 502, 200])
    const n = createNotifier({ rules: [rule()], collectors: [], clock, log: silentLogger, fetch: f, random: () => 0.5 })
    n.notify([entry()])
    await clock.advance(0)
    await clock.advance(750) // 1000 · (0.5 + 0.25)
    await clock.advance(1500)
    expect(calls).toHaveLength(3)
    expect(n.status().rules[0]).toMatchObject({ sent: 1, retried: 2, failed: 0, lastSentAt: clock.t })
    // the body is the journal entry as JSON; the status names the origin only, never the path, query or headers
    expect(JSON.parse(calls[0]!.body)).toEqual(entry())
    expect(n.status().rules[0]!.action).toEqual({ kind: 'webhook', target: 'http://hooks.example:8080' })
    await n.stop()
  })

  it('does not retry what another attempt will not mend (HTTP 400) and tells a network error by code', async () => {
    const clock = new FakeClock()
    const { f, calls } = fakeFetch([400])
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
    }) as unknown as typeof fetch
    const n = createNotifier({ rules: [rule(), rule({ id: 'down', retry: { attempts: 1, baseMs: 10, maxMs: 10 } })], collectors: [], clock, log: silentLogger, fetch: (async (u: string, i: RequestInit) => (u && calls.length < 1 ? f(u, i) : refused(u, i))) as typeof fetch })
    n.notify([entry()])
    await clock.advance(0)
    const [bad, down] = n.status().rules
    expect(bad).toMatchObject({ failed: 1, retried: 0, lastError: { code: 'notify.failed', message: 'webhook answered HTTP 400' } })
    expect(down).toMatchObject({ failed: 1, retried: 0, lastError: { code: 'notify.failed', message: 'webhook not reached: ECONNREFUSED' } })
    expect(clock.waiting()).toEqual([])
    await n.stop()
  })

  it("runs a driver's action through the named connection's collector; a missing connection fails for good", async () => {
    const clock = new FakeClock()
    const got: { connection: string; text: string; collector: string }[] = []
    let failures = 1
    const action: NotificationAction = {
      schema: undefined as never,
      async run(a, ev, collector) {
        if (failures-- > 0) throw new AppError('mqtt.not_connected', 'broker away')
        got.push({ connection: a.connection, text: ev.text('{path}:{event}'), collector: collector.id })
      },
    }
    const rules = [
      NotificationRule.parse({ id: 'bus', action: { kind: 'mqtt', connection: 'm1', topic: 'a/{path}' } }),
      NotificationRule.parse({ id: 'gone', action: { kind: 'mqtt', connection: 'nope', topic: 'a' } }),
    ]
    const n = createNotifier({ rules, collectors: [new FakeCollector('m1')], clock, log: silentLogger, actions: new Map([['mqtt', action]]), random: () => 0 })
    n.notify([entry({ event: 'clear', state: 'normal' })])
    await clock.advance(0)
    expect(n.status().rules[0]).toMatchObject({ retried: 1, lastError: { code: 'mqtt.not_connected' } })
    await clock.advance(500)
    expect(got).toEqual([{ connection: 'm1', text: 'Plant/Area1/Pump-1:clear', collector: 'm1' }])
    expect(n.status().rules[0]).toMatchObject({ sent: 1, failed: 0 })
    expect(n.status().rules[1]).toMatchObject({ sent: 0, failed: 1, retried: 0, lastError: { code: 'notify.unknown_connection' } })
    await n.stop()
  })

  it('stop() ends waiting retries (counted as failed) and ignores later transitions; a disabled rule matches nothing', async () => {
    const clock = new FakeClock()
    const { f, calls } = fakeFetch([500])
    const n = createNotifier({ rules: [rule(), rule({ id: 'off', enabled: false })], collectors: [], clock, log: silentLogger, fetch: f })
    n.notify([entry()])
    await clock.advance(0)
    expect(clock.waiting()).toHaveLength(1)
    await n.stop()
    expect(n.status().rules[0]).toMatchObject({ failed: 1, inFlight: 0 })
    n.notify([entry()])
    await clock.advance(100_000)
    expect(calls).toHaveLength(1)
    expect(n.status().rules[1]).toMatchObject({ enabled: false, matched: 0 })
  })
})

describe('the configuration file\'s alarms section', () => {
  const base = { demo: { enabled: false }, connections: [{ id: 'bus', kind: 'mqtt', name: 'Bus', url: 'mqtt://127.0.0.1:1883' }] }
  it('takes rules of both kinds with their defaults, and the journal retention', () => {
    const c = AppConfig.parse({
      ...base,
      alarms: {
        journalRetentionDays: 90,
        notifications: [
          { id: 'crit-mqtt', match: { priorities: ['critical'], events: ['raise'] }, action: { kind: 'mqtt', connection: 'bus', topic: 'plant/alarms/{path}' } },
          { id: 'hook', action: { kind: 'webhook', url: 'https://ops.example/hook', headers: { authorization: 'Bearer x' } }, rate: { perMinute: 2 } },
        ],
      },
    })
    expect(c.alarms.journalRetentionDays).toBe(90)
    expect(c.alarms.notifications[0]).toMatchObject({ enabled: true, action: { kind: 'mqtt', qos: 1, retain: false }, rate: { perMinute: 30, burst: 10 }, retry: { attempts: 4, baseMs: 1000, maxMs: 60_000 } })
    expect(c.alarms.notifications[1]).toMatchObject({ action: { timeoutMs: 5000 }, rate: { perMinute: 2, burst: 10 } })
    expect(AppConfig.parse({}).alarms).toEqual({ notifications: [], journalRetentionDays: 400 })
  })

  const refused: [string, unknown, (string | number)[]][] = [
    ['a connection that is not configured', [{ id: 'x', action: { kind: 'mqtt', connection: 'nope', topic: 't' } }], ['alarms', 'notifications', 0, 'action', 'connection']],
    ['a kind with no action', [{ id: 'x', action: { kind: 'opcua', connection: 'bus' } }], ['alarms', 'notifications', 0, 'action', 'kind']],
    ['a webhook that is no http URL', [{ id: 'x', action: { kind: 'webhook', url: 'ftp://x' } }], ['alarms', 'notifications', 0, 'action', 'url']],
    ['two rules of one id', [{ id: 'x', action: { kind: 'webhook', url: 'http://a' } }, { id: 'x', action: { kind: 'webhook', url: 'http://b' } }], ['alarms', 'notifications', 1, 'id']],
    ['an unknown priority', [{ id: 'x', match: { priorities: ['urgent'] }, action: { kind: 'webhook', url: 'http://a' } }], ['alarms', 'notifications', 0, 'match', 'priorities', 0]],
    ['retry.maxMs below baseMs', [{ id: 'x', retry: { baseMs: 5000, maxMs: 100 }, action: { kind: 'webhook', url: 'http://a' } }], ['alarms', 'notifications', 0, 'retry', 'maxMs']],
    ['an unknown field', [{ id: 'x', action: { kind: 'webhook', url: 'http://a' }, every: 5 }], ['alarms', 'notifications', 0]],
  ]
  for (const [what, notifications, path] of refused) {
    it(`refuses ${what}, naming the field`, () => {
      const r = AppConfig.safeParse({ ...base, alarms: { notifications } })
      expect(r.success).toBe(false)
      expect(r.error!.issues[0]!.path).toEqual(path)
    })
  }
  it('with the simulated plant on, a rule may name one of its connections (checked when they exist)', () => {
    expect(AppConfig.safeParse({ alarms: { notifications: [{ id: 'x', action: { kind: 'mqtt', connection: 'demo-mqtt', topic: 't' } }] } }).success).toBe(true)
  })
})
