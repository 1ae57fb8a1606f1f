import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Sample } from '../../../shared/model'
import { SinkError, type SinkSignal } from '../../../core/ports/sync-sink'
import { ok, parseInsert, query, sqlError, startStandIn, type StandIn } from '../../../../test/helpers/taosadapter-standin'
import { childTableName } from './naming'
import { createTdengineSink, type TdengineSink } from './tdengine-sink'
import type { TdengineSinkConfigInput } from './config'

// Against a STAND-IN for taosAdapter (a real node:http server answering as taosAdapter's REST documentation says):
// this tests the sink's protocol handling, not TDengine. The real-TDengine suite is test/integration/tdengine.int.test.ts.

const NOW = Date.UTC(2025, 0, 1)
const sig = (id: string, dataType: SinkSignal['dataType'] = 'number'): SinkSignal => ({ id, dataType, connection: 'plc1', assetPath: `Plant/Line/${id}` })
const signals = new Map<string, SinkSignal>([
  ['a', sig('a')],
  ['b', sig('b')],
  ['c', sig('c')],
  ['flag', sig('flag', 'boolean')],
  ['mode', sig('mode', 'string')],
])
const sample = (signal: string, ts: number, value: Sample['value'] = 1): Sample => ({ signal, ts, value, quality: 'good' })

let peers: StandIn[] = []
let sinks: TdengineSink[] = []
let clock = NOW

async function standIn(): Promise<StandIn> {
  const s = await startStandIn()
  peers.push(s)
  return s
}

function sink(endpoints: string[], extra: Partial<TdengineSinkConfigInput> = {}): TdengineSink {
  const s = createTdengineSink({ id: 'td', kind: 'tdengine', endpoints, auth: { user: 'root', password: 'taosdata' }, timeoutMs: 2000, ...extra }, { now: () => clock })
  sinks.push(s)
  return s
}

async function rejection(p: Promise<unknown>): Promise<SinkError> {
  try {
    await p
  } catch (e) {
    if (e instanceof SinkError) return e
    throw e
  }
  throw new Error('resolved')
}

beforeEach(() => {
  clock = NOW
})
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  await Promise.all(peers.map((p) => p.close()))
  peers = []
  sinks = []
})

describe('TDengine sink against a taosAdapter stand-in (protocol handling, not TDengine)', () => {
  it('bootstraps once (database in µs, three supertables), then writes every sample with Basic auth', async () => {
    const t = await standIn()
    const s = sink([t.url], { keepDays: 30, durationDays: 5, replica: 1 })
    const batch = [sample('a', NOW - 1000.5, 1.5), sample('b', NOW - 1000, 2), sample('flag', NOW - 999, true), sample('mode', NOW - 998, "it's on")]
    expect(await s.write(batch, signals)).toEqual({ written: 4, dropped: [] })
    expect(await s.write([sample('a', NOW - 500, 3)], signals)).toEqual({ written: 1, dropped: [] })
    const sqls = t.sqlStatements()
    expect(sqls.slice(0, 4)).toEqual([
      "CREATE DATABASE IF NOT EXISTS `plantdeck` PRECISION 'us' KEEP 30 DURATION 5 REPLICA 1",
      expect.stringContaining('CREATE STABLE IF NOT EXISTS `plantdeck`.`plantdeck_double`'),
      expect.stringContaining('CREATE STABLE IF NOT EXISTS `plantdeck`.`plantdeck_bool`'),
      expect.stringContaining('CREATE STABLE IF NOT EXISTS `plantdeck`.`plantdeck_text`'),
    ])
    expect(sqls.filter((q) => q.startsWith('CREATE'))).toHaveLength(4)
    expect(t.requests.every((r) => r.authorization === `Basic ${Buffer.from('root:taosdata').toString('base64')}`)).toBe(true)
    expect(t.requests.filter((r) => r.body.startsWith('INSERT')).every((r) => r.url === '/rest/sql/plantdeck')).toBe(true)
    expect([...(t.tables.get('n_a')?.keys() ?? [])]).toEqual([(NOW - 1000.5) * 1000, (NOW - 500) * 1000])
    expect(t.tables.get('s_mode')?.get((NOW - 998) * 1000)).toBe(`(${(NOW - 998) * 1000},'it\\'s on',0,NULL)`)
  })

  it('a replayed batch is harmless: same rows, same tables (last write wins on a timestamp)', async () => {
    const t = await standIn()
    const s = sink([t.url])
    const batch = [sample('a', NOW - 10, 1), sample('a', NOW - 9, 2), sample('a', NOW - 10, 5)]
    expect((await s.write(batch, signals)).written).toBe(2)
    await s.write(batch, signals)
    expect([...(t.tables.get('n_a')?.entries() ?? [])]).toEqual([
      [(NOW - 10) * 1000, `(${(NOW - 10) * 1000},5,0,NULL)`],
      [(NOW - 9) * 1000, `(${(NOW - 9) * 1000},2,0,NULL)`],
    ])
  })

  it('keeps statements under maxSqlBytes, and every sample arrives', async () => {
    const t = await standIn()
    const s = sink([t.url], { maxSqlBytes: 64 * 1024 })
    const batch: Sample[] = []
    for (let i = 0; i < 6000; i++) batch.push(sample(['a', 'b', 'c'][i % 3] as string, NOW - 100_000 + i * 0.001 * 7, i * 0.25))
    expect(await s.write(batch, signals)).toEqual({ written: 6000, dropped: [] })
    const inserts = t.sqlStatements().filter((q) => q.startsWith('INSERT'))
    expect(inserts.length).toBeGreaterThan(1)
    for (const q of inserts) expect(Buffer.byteLength(q)).toBeLessThanOrEqual(64 * 1024)
    expect(['n_a', 'n_b', 'n_c'].map((n) => t.tables.get(n)?.size)).toEqual([2000, 2000, 2000])
  })

  it('reads code/desc under HTTP 200: a table that fails alone is reported, the other tables are written', async () => {
    const t = await standIn()
    t.onSql = (q) => (q.startsWith('INSERT') && q.includes('`n_b`') ? sqlError(0x2603, 'Table does not exist') : undefined)
    const s = sink([t.url])
    const r = await s.write([sample('a', NOW - 3), sample('b', NOW - 2), sample('c', NOW - 1), sample('b', NOW - 0.5)], signals)
    expect(r.written).toBe(2)
    expect(r.dropped).toEqual([{ signal: 'b', count: 2, code: 'sync.rejected', reason: 'table `n_b`: Table does not exist (0x2603)' }])
    expect(t.tables.get('n_a')?.size).toBe(1)
    expect(t.tables.get('n_c')?.size).toBe(1)
    expect(t.tables.has('n_b')).toBe(false)
  })

  it('rows older than KEEP: dropped before sending, and those the server still calls out of range are found by halving', async () => {
    const t = await standIn()
    const cut = (NOW - 5 * 86_400_000) * 1000 // the server's own horizon, later than ours
    t.onSql = (q) => {
      if (!q.startsWith('INSERT')) return undefined
      const old = [...parseInsert(q).values()].some((rows) => [...rows.keys()].some((ts) => ts < cut))
      return old ? sqlError(0x060b, 'Timestamp data out of range') : undefined
    }
    const s = sink([t.url], { keepDays: 10 })
    const day = 86_400_000
    const batch = [sample('a', NOW - 20 * day), sample('a', NOW - 7 * day), sample('a', NOW - 6 * day), sample('a', NOW - day), sample('b', NOW - day), sample('c', NOW - 8 * day)]
    const r = await s.write(batch, signals)
    expect(r.written).toBe(2)
    expect(r.dropped).toEqual([
      { signal: 'a', count: 1, code: 'sync.expired', reason: "older than the database's KEEP (10 days)" },
      { signal: 'a', count: 2, code: 'sync.expired', reason: "outside the database's time range: Timestamp data out of range (0x060b)" },
      { signal: 'c', count: 1, code: 'sync.expired', reason: "outside the database's time range: Timestamp data out of range (0x060b)" },
    ])
    expect([...(t.tables.get('n_a')?.keys() ?? [])]).toEqual([(NOW - day) * 1000])
    expect(t.tables.get('n_b')?.size).toBe(1)
  })

  it('a statement nothing of which goes in rejects the write (retryable, nothing dropped)', async () => {
    const t = await standIn()
    t.onSql = (q) => (q.startsWith('INSERT') ? sqlError(0x0390, 'Database in dropping status') : undefined)
    const s = sink([t.url])
    const e = await rejection(s.write([sample('a', NOW - 2), sample('b', NOW - 1)], signals))
    expect([e.code, e.retryable]).toEqual(['sync.rejected', true])
    expect(e.message).toContain('Database in dropping status (0x0390)')
  })

  it('creates the database again when the server says it is gone, then writes', async () => {
    const t = await standIn()
    let gone = true
    t.onSql = (q) => {
      if (q.startsWith('CREATE DATABASE')) gone = false
      return q.startsWith('INSERT') && gone ? sqlError(0x0388, 'Database not exist') : undefined
    }
    const s = sink([t.url])
    await s.write([sample('a', NOW - 1)], signals) // bootstraps: gone = false
    gone = true // dropped behind our back
    expect((await s.write([sample('a', NOW - 0.5)], signals)).written).toBe(1)
    expect(t.sqlStatements().filter((q) => q.startsWith('CREATE DATABASE'))).toHaveLength(2)
  })

  it('a wrong password is sync.auth (401), not retried', async () => {
    const t = await standIn()
    const s = createTdengineSink({ id: 'td', kind: 'tdengine', endpoints: [t.url], auth: { user: 'root', password: 'wrong' } })
    sinks.push(s)
    const e = await rejection(s.write([sample('a', Date.now())], signals))
    expect([e.code, e.retryable]).toEqual(['sync.auth', false])
  })

  it('token mode: logs in at /rest/login, sends Taosd <token>, and logs in again after a 401', async () => {
    const t = await standIn()
    const s = sink([t.url], { auth: { user: 'root', password: 'taosdata', mode: 'token' } })
    await s.write([sample('a', NOW - 1)], signals)
    expect(t.requests[0]?.url).toBe('/rest/login/root/taosdata')
    expect(t.requests.filter((r) => r.url.startsWith('/rest/sql')).every((r) => r.authorization === 'Taosd TOKEN-1')).toBe(true)
    t.token = 'TOKEN-2' // the adapter restarted: the old token is refused
    expect((await s.write([sample('a', NOW - 0.5)], signals)).written).toBe(1)
    expect(t.requests.filter((r) => r.url.startsWith('/rest/login'))).toHaveLength(2)
    expect(t.requests.at(-1)?.authorization).toBe('Taosd TOKEN-2')
  })

  it('503 from the adapter fails over to the next endpoint; all overloaded is sync.overloaded (retryable)', async () => {
    const t1 = await standIn()
    const t2 = await standIn()
    t1.onSql = () => ({ status: 503, body: 'memory exceeds threshold' })
    const s = sink([t1.url, t2.url])
    expect((await s.write([sample('a', NOW - 1)], signals)).written).toBe(1)
    expect(s.route.endpoint).toBe(t2.url)
    expect(t2.tables.get('n_a')?.size).toBe(1)
    t2.onSql = () => ({ status: 503, body: 'query memory exceeds threshold' })
    const e = await rejection(s.write([sample('a', NOW - 0.5)], signals))
    expect([e.code, e.retryable]).toEqual(['sync.overloaded', true])
    expect(e.message).toContain('memory exceeds threshold')
  })

  it('an endpoint that is down: fail over, and come back after failbackMs when its /-/ping answers', async () => {
    const t1 = await standIn()
    const t2 = await standIn()
    const url1 = t1.url
    const port1 = t1.port
    await t1.close()
    peers = peers.filter((p) => p !== t1)
    const s = sink([url1, t2.url], { failbackMs: 60_000 })
    expect((await s.write([sample('a', NOW - 3)], signals)).written).toBe(1)
    expect(s.route.endpoint).toBe(t2.url)
    // The first endpoint comes back on the same port.
    const back = await startStandIn({ port: port1 })
    peers.push(back)
    await s.write([sample('a', NOW - 2)], signals)
    expect(s.route.endpoint).toBe(t2.url) // not yet: failbackMs has not passed
    clock += 60_000
    await s.write([sample('a', NOW - 1)], signals)
    expect(s.route.endpoint).toBe(url1)
    expect(back.tables.get('n_a')?.size).toBe(1)
  })

  it('probe: /-/ping 503 (paused) moves to the next endpoint; none answering reports why', async () => {
    const t1 = await standIn()
    const t2 = await standIn()
    const s = sink([t1.url, t2.url])
    expect(await s.probe()).toEqual({ ok: true, endpoint: t1.url })
    t1.ping = 503
    expect(await s.probe()).toEqual({ ok: true, endpoint: t2.url })
    t2.ping = 503
    const p = await s.probe()
    expect(p).toMatchObject({ ok: false, code: 'sync.overloaded' })
    expect(p.reason).toContain('paused (503)')
    t1.ping = 200
    expect(await s.probe()).toEqual({ ok: true, endpoint: t1.url })
  })

  it('garbage is sync.bad_answer; a stalled adapter is sync.unreachable after timeoutMs', async () => {
    const t = await standIn()
    const s = sink([t.url], { timeoutMs: 300 })
    t.onSql = () => ({ status: 200, body: '<html>captive portal</html>' })
    expect((await rejection(s.write([sample('a', NOW - 1)], signals))).code).toBe('sync.bad_answer')
    t.onSql = null
    t.stall = true
    const e = await rejection(s.write([sample('a', NOW - 1)], signals))
    expect([e.code, e.retryable]).toEqual(['sync.unreachable', true])
  })

  it('reports unknown signals and wrong types as dropped with a code, writes the rest', async () => {
    const t = await standIn()
    const s = sink([t.url])
    const r = await s.write([sample('nope', NOW - 1), sample('a', NOW - 1, 'text'), sample('a', NOW - 0.5, 4)], signals)
    expect(r).toEqual({
      written: 1,
      dropped: [
        { signal: 'nope', count: 1, code: 'sync.unknown_signal', reason: 'signal not known to the sink' },
        { signal: 'a', count: 1, code: 'sync.wrong_type', reason: 'a string value for a number signal' },
      ],
    })
  })

  it('readBuckets: one query per value type for several signals, parsed into BucketSeries', async () => {
    const t = await standIn()
    const cols: [string, string, number][] = [
      ['tb', 'VARCHAR', 192],
      ['wstart', 'TIMESTAMP', 8],
      ['mn', 'DOUBLE', 8],
      ['mx', 'DOUBLE', 8],
      ['av', 'DOUBLE', 8],
      ['fv', 'DOUBLE', 8],
      ['lv', 'DOUBLE', 8],
      ['n', 'BIGINT', 8],
    ]
    t.onSql = (q) => {
      if (q.includes('`plantdeck_double`') && q.startsWith('SELECT')) {
        return query(cols, [
          ['n_b', '2024-12-31T00:01:00Z', 1, 4, 2.5, 1, 4, 10],
          ['n_a', '2024-12-31T00:01:00Z', 0, 2, 1, 0, 2, 3],
          ['n_a', '2024-12-31T00:00:00Z', -1, 1, 0, -1, 1, 5],
        ])
      }
      if (q.includes('`plantdeck_bool`') && q.startsWith('SELECT')) {
        return query(cols.map((c) => (c[0] === 'fv' || c[0] === 'lv' ? [c[0], 'BOOL', 1] : c)), [['b_flag', '2024-12-31T00:00:00.000000Z', 0, 1, 0.5, false, true, 2]])
      }
      return undefined
    }
    const s = sink([t.url])
    const from = Date.UTC(2024, 11, 31)
    const out = await s.readBuckets({ signals: ['a', 'b', 'flag', 'unknown'], from, to: from + 2 * 60_000 - 1, points: 3 }, signals)
    const selects = t.sqlStatements().filter((q) => q.startsWith('SELECT'))
    expect(selects).toHaveLength(2)
    expect(selects[0]).toContain(`tbname IN ('${childTableName('a', 'number')}','${childTableName('b', 'number')}')`)
    expect(selects[0]).toContain('PARTITION BY tbname INTERVAL(60000a)')
    expect(out).toEqual([
      { signal: 'a', bucketMs: 60_000, source: 'raw', t: [from, from + 60_000], count: [5, 3], min: [-1, 0], max: [1, 2], avg: [0, 1], first: [-1, 0], last: [1, 2] },
      { signal: 'b', bucketMs: 60_000, source: 'raw', t: [from + 60_000], count: [10], min: [1], max: [4], avg: [2.5], first: [1], last: [4] },
      { signal: 'flag', bucketMs: 60_000, source: 'raw', t: [from], count: [2], min: [0], max: [1], avg: [0.5], first: [false], last: [true] },
    ])
  })

  it('a bad configuration is a SinkError sync.config, with the field', () => {
    let e: unknown
    try {
      createTdengineSink({ id: 'td', kind: 'tdengine', endpoints: ['ftp://x'], auth: { user: 'root', password: '' } })
    } catch (x) {
      e = x
    }
    expect(e).toBeInstanceOf(SinkError)
    expect((e as SinkError).code).toBe('sync.config')
    expect((e as SinkError).message).toContain('endpoints.0')
  })
})

// Keep the helper honest: the stand-in's parser reads back what the sink's SQL writes.
describe('taosAdapter stand-in', () => {
  it('parses the INSERT statements the sink writes', () => {
    const m = parseInsert("INSERT INTO `db`.`n_a` USING `db`.`st` TAGS ('a','(x)','it\\'s','','c','') VALUES (1,2,0,NULL) (3,4,0,'p)q') `db`.`b_b` USING `db`.`st` TAGS ('b','','','','c','') VALUES (5,true,0,NULL)")
    expect([...m.entries()].map(([t, rows]) => [t, [...rows.keys()]])).toEqual([
      ['n_a', [1, 3]],
      ['b_b', [5]],
    ])
    expect(ok(1).status).toBe(200)
  })
})
