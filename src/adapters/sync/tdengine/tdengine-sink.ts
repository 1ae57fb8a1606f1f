import { readFileSync } from 'node:fs'
import type http from 'node:http'
import type { DataType, Sample } from '../../../shared/model'
import type { BucketQuery, BucketSeries } from '../../../core/ports/sample-store'
import { SinkError, type SinkProbe, type SinkSignal, type SinkWriteResult, type SyncSink } from '../../../core/ports/sync-sink'
import { planBuckets } from '../../store-engine/buckets'
import { createEgressAgent, describeProxy, ProxyError, resolveProxy, type ProxySpec } from '../egress'
import { httpRequest, type TlsOptions } from '../http'
import { TdengineSinkConfig, type TdengineSinkConfigInput } from './config'
import { childTableName } from './naming'
import { hexCode, parseLoginAnswer, parsePing, parseSqlAnswer, parseTimestamp, TIMESTAMP_OUT_OF_RANGE, type SqlFailure, type SqlResult } from './rest'
import {
  BUCKET_COLUMNS,
  bucketQuerySql,
  type Chunk,
  createDatabaseSql,
  createSuperTableSql,
  packStatements,
  sqlRow,
  statementSql,
  tableHead,
  type TableRows,
} from './sql'

export interface TdengineSinkDeps {
  /** Wall clock (ms): KEEP's horizon and the failback interval. */
  now?: () => number
  /** The global egress setting (`sync.proxy`), used when the sink has none of its own. */
  proxy?: string | undefined
}

const DAY = 86_400_000
const TYPES: DataType[] = ['number', 'boolean', 'string']

interface Endpoint {
  url: URL
  agent: http.Agent
  token?: string
}

type Dropped = SinkWriteResult['dropped'][number]

/** A statement's failure that bisecting pins on one chunk. */
interface Leaf {
  chunk: Chunk
  failure: SqlFailure
}

/**
 * The TDengine sink over taosAdapter's REST API. See docs/sync.md "TDengine". What runs here:
 * - bootstrap once (and again when the server says the database or a supertable is gone);
 * - write: samples grouped per signal into child tables, packed under `maxSqlBytes`, one POST per statement; a
 *   statement that fails is split in halves until the failing tables (or rows, for KEEP) are found: the rest is
 *   written, rows out of the database's time range are `dropped` (`sync.expired`), and a table that alone fails is
 *   `dropped` (`sync.rejected`, its name and TDengine's reason); if nothing of the statement goes in, the whole write
 *   rejects (retryable, nothing is lost);
 * - endpoints in order of preference, fail over on unreachable/503, come back to an earlier one after `failbackMs`.
 */
export class TdengineSink implements SyncSink {
  readonly kind = 'tdengine'
  readonly id: string
  private readonly cfg: TdengineSinkConfig
  private readonly endpoints: Endpoint[]
  private readonly tlsOptions: TlsOptions | undefined
  private readonly proxy: ProxySpec | null
  private readonly now: () => number
  private current = 0
  private lastFailbackCheck = 0
  private bootstrapped: Promise<void> | null = null
  private closed = false

  constructor(config: TdengineSinkConfigInput, deps: TdengineSinkDeps = {}) {
    const parsed = TdengineSinkConfig.safeParse(config)
    if (!parsed.success) {
      throw new SinkError('sync.config', `tdengine sink: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, false)
    }
    this.cfg = parsed.data
    this.id = this.cfg.id
    this.now = deps.now ?? Date.now
    try {
      this.proxy = resolveProxy(this.cfg.proxy, deps.proxy)
    } catch (e) {
      throw new SinkError('sync.proxy', (e as Error).message, false)
    }
    const t = this.cfg.tls
    if (t) {
      let ca = t.ca
      if (t.caFile) {
        try {
          ca = readFileSync(t.caFile, 'utf8')
        } catch (e) {
          throw new SinkError('sync.config', `tdengine sink ${this.id}: cannot read tls.caFile ${t.caFile}: ${(e as Error).message}`, false)
        }
      }
      this.tlsOptions = { ca, rejectUnauthorized: t.rejectUnauthorized, servername: t.servername }
    }
    this.endpoints = this.cfg.endpoints.map((s) => {
      const url = new URL(s)
      if (!url.port) url.port = '6041'
      return { url, agent: createEgressAgent(this.proxy, url.protocol === 'https:', { timeoutMs: this.cfg.timeoutMs }) }
    })
  }

  /** The endpoint in use, and the proxy (if any) traffic goes through. */
  get route(): { endpoint: string; proxy: string | null } {
    return { endpoint: this.endpointName(this.current), proxy: this.proxy ? describeProxy(this.proxy) : null }
  }

  private endpointName(i: number): string {
    const u = this.endpoints[i]?.url
    return u ? `${u.protocol}//${u.host}` : ''
  }

  async probe(): Promise<SinkProbe> {
    let last: { code: string; reason: string } = { code: 'sync.unreachable', reason: 'no endpoint' }
    for (let i = 0; i < this.endpoints.length; i++) {
      const r = await this.ping(i)
      if (r.ok) {
        this.current = i
        return { ok: true, endpoint: this.endpointName(i) }
      }
      last = r
    }
    return { ok: false, endpoint: this.endpointName(this.current), ...last }
  }

  private async ping(i: number): Promise<{ ok: true } | { ok: false; code: string; reason: string }> {
    const ep = this.endpoints[i] as Endpoint
    const where = this.endpointName(i)
    try {
      const a = await httpRequest({ url: new URL('/-/ping', ep.url), method: 'GET', agent: ep.agent, tls: this.tlsOptions, timeoutMs: this.cfg.timeoutMs, maxBytes: 64 * 1024 })
      return parsePing(a.status, a.body, where)
    } catch (e) {
      const err = e instanceof SinkError ? e : new SinkError('sync.unreachable', String(e), true)
      return { ok: false, code: err.code, reason: err.message }
    }
  }

  /** Back to an earlier endpoint when one answers `/-/ping` again (checked at most every `failbackMs`). */
  private async failback(): Promise<void> {
    if (this.current === 0 || this.now() - this.lastFailbackCheck < this.cfg.failbackMs) return
    this.lastFailbackCheck = this.now()
    for (let i = 0; i < this.current; i++) {
      if ((await this.ping(i)).ok) {
        this.current = i
        return
      }
    }
  }

  private authHeader(ep: Endpoint): string {
    const { user, password } = this.cfg.auth
    if (this.cfg.auth.mode === 'token' && ep.token) return `Taosd ${ep.token}`
    return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  }

  private async login(i: number): Promise<void> {
    const ep = this.endpoints[i] as Endpoint
    const { user, password } = this.cfg.auth
    const url = new URL(`/rest/login/${encodeURIComponent(user)}/${encodeURIComponent(password)}`, ep.url)
    const a = await httpRequest({ url, method: 'GET', agent: ep.agent, tls: this.tlsOptions, timeoutMs: this.cfg.timeoutMs, maxBytes: 64 * 1024 })
    ep.token = parseLoginAnswer(a.status, a.body, this.endpointName(i))
  }

  /** One statement on one endpoint (token login, and one fresh login after a 401 with an old token). */
  private async execOn(i: number, sql: string, database: boolean): Promise<{ ok: true; result: SqlResult } | { ok: false; failure: SqlFailure }> {
    const ep = this.endpoints[i] as Endpoint
    const where = this.endpointName(i)
    for (let attempt = 0; ; attempt++) {
      if (this.cfg.auth.mode === 'token' && !ep.token) await this.login(i)
      const path = database ? `/rest/sql/${this.cfg.database}` : '/rest/sql'
      const a = await httpRequest({
        url: new URL(path, ep.url),
        method: 'POST',
        headers: { authorization: this.authHeader(ep), 'content-type': 'text/plain; charset=utf-8' },
        body: sql,
        agent: ep.agent,
        tls: this.tlsOptions,
        timeoutMs: this.cfg.timeoutMs,
      })
      if (a.status === 401 && this.cfg.auth.mode === 'token' && attempt === 0) {
        delete ep.token
        continue
      }
      return parseSqlAnswer(a.status, a.body, where)
    }
  }

  /** A statement on the endpoint in use, failing over to the others on what another endpoint may not have. */
  private async exec(sql: string, database = true): Promise<{ ok: true; result: SqlResult } | { ok: false; failure: SqlFailure }> {
    if (this.closed) throw new SinkError('sync.closed', `sink ${this.id} is closed`, false)
    await this.failback()
    let lastError: SinkError | null = null
    const n = this.endpoints.length
    for (let k = 0; k < n; k++) {
      const i = (this.current + k) % n
      try {
        const r = await this.execOn(i, sql, database)
        if (i !== this.current) {
          this.current = i
          this.lastFailbackCheck = this.now()
        }
        return r
      } catch (e) {
        const err = e instanceof SinkError ? e : e instanceof ProxyError ? new SinkError('sync.proxy', e.message, true) : new SinkError('sync.bad_answer', String(e), true)
        // Another endpoint may be up, or not overloaded; auth, TLS and a proxy's refusal are the same everywhere.
        if (err.code !== 'sync.unreachable' && err.code !== 'sync.overloaded' && err.code !== 'sync.bad_answer') throw err
        lastError = err
      }
    }
    throw lastError ?? new SinkError('sync.unreachable', 'no endpoint', true)
  }

  private bootstrap(): Promise<void> {
    if (!this.bootstrapped) {
      this.bootstrapped = (async () => {
        const statements = [
          createDatabaseSql({ database: this.cfg.database, keepDays: this.cfg.keepDays, durationDays: this.cfg.durationDays, replica: this.cfg.replica }),
          ...TYPES.map((t) => createSuperTableSql(this.cfg.database, this.cfg.superTablePrefix, t)),
        ]
        for (const sql of statements) {
          const r = await this.exec(sql, false)
          if (!r.ok) {
            throw new SinkError('sync.bootstrap', `${this.endpointName(this.current)}: ${sql.split(' (')[0]}: ${r.failure.desc} (${hexCode(r.failure.code)})`, false)
          }
        }
      })()
      this.bootstrapped.catch(() => {
        this.bootstrapped = null
      })
    }
    return this.bootstrapped
  }

  async write(samples: readonly Sample[], signals: ReadonlyMap<string, SinkSignal>): Promise<SinkWriteResult> {
    await this.bootstrap()
    const dropped = new Map<string, Dropped>()
    const drop = (signal: string, code: string, reason: string, count = 1) => {
      const key = `${signal}\u0000${code}\u0000${reason}`
      const d = dropped.get(key)
      if (d) d.count += count
      else dropped.set(key, { signal, count, code, reason })
    }
    const horizon = this.now() - this.cfg.keepDays * DAY
    // Per signal, the last sample of each timestamp (a later one replaces an earlier one, as on the server).
    const bySignal = new Map<string, Map<number, Sample>>()
    for (const s of samples) {
      const sig = signals.get(s.signal)
      if (!sig) {
        drop(s.signal, 'sync.unknown_signal', 'signal not known to the sink')
        continue
      }
      if (s.value !== null && typeof s.value !== (sig.dataType === 'number' ? 'number' : sig.dataType)) {
        drop(s.signal, 'sync.wrong_type', `a ${typeof s.value} value for a ${sig.dataType} signal`)
        continue
      }
      if (s.ts < horizon) {
        drop(s.signal, 'sync.expired', `older than the database's KEEP (${this.cfg.keepDays} days)`)
        continue
      }
      let m = bySignal.get(s.signal)
      if (!m) bySignal.set(s.signal, (m = new Map()))
      m.set(Math.round(s.ts * 1000), s)
    }
    const tables: TableRows[] = []
    for (const [id, m] of bySignal) {
      const sig = signals.get(id) as SinkSignal
      const table = childTableName(id, sig.dataType)
      const rows = [...m.values()].sort((a, b) => a.ts - b.ts).map((s) => sqlRow(s, sig.dataType))
      tables.push({ signal: id, table, head: tableHead(this.cfg.database, this.cfg.superTablePrefix, table, sig), rows })
    }
    const { statements, oversize } = packStatements(tables, this.cfg.maxSqlBytes)
    for (const o of oversize) drop(o.table.signal, 'sync.too_large', `a row longer than maxSqlBytes (${this.cfg.maxSqlBytes})`)
    let written = 0
    let expiredRows = 0
    const failed: Leaf[] = []
    for (const chunks of statements) {
      const r = await this.insert(chunks)
      written += r.ok
      for (const e of r.expired) {
        expiredRows += e.rows
        drop(e.table.signal, 'sync.expired', `outside the database's time range: ${e.failure.desc} (${hexCode(e.failure.code)})`, e.rows)
      }
      failed.push(...r.failed)
    }
    if (failed.length > 0 && written === 0 && expiredRows === 0) {
      // Nothing went in: not a table's own problem but the statement's (or the server's). Retry later, lose nothing.
      const f = failed[0] as Leaf
      throw new SinkError('sync.rejected', `${this.endpointName(this.current)} refused the insert: ${f.failure.desc} (${hexCode(f.failure.code)})`, true)
    }
    for (const f of failed) {
      drop(f.chunk.table.signal, 'sync.rejected', `table \`${f.chunk.table.table}\`: ${f.failure.desc} (${hexCode(f.failure.code)})`, f.chunk.to - f.chunk.from)
    }
    return { written, dropped: [...dropped.values()] }
  }

  /**
   * One statement; on a statement error, halves until each failure is pinned on one table (or, for a time-range error,
   * one row). Replays are harmless: a row written by a half that succeeded before is replaced by itself.
   */
  private async insert(chunks: Chunk[], rebootstrapped = false): Promise<{ ok: number; expired: { table: TableRows; rows: number; failure: SqlFailure }[]; failed: Leaf[] }> {
    const rows = chunks.reduce((n, c) => n + c.to - c.from, 0)
    const r = await this.exec(statementSql(chunks))
    if (r.ok) return { ok: rows, expired: [], failed: [] }
    const f = r.failure
    if (!rebootstrapped && /not exist/i.test(f.desc) && /database|stable|super table/i.test(f.desc)) {
      // Someone dropped the database or a supertable under us: create them again, once, and retry.
      this.bootstrapped = null
      await this.bootstrap()
      return this.insert(chunks, true)
    }
    if (chunks.length === 1) {
      const c = chunks[0] as Chunk
      const n = c.to - c.from
      if (f.code !== TIMESTAMP_OUT_OF_RANGE) return { ok: 0, expired: [], failed: [{ chunk: c, failure: f }] }
      if (n === 1) return { ok: 0, expired: [{ table: c.table, rows: 1, failure: f }], failed: [] }
      const mid = c.from + Math.floor(n / 2)
      return merge(await this.insert([{ ...c, to: mid }], true), await this.insert([{ ...c, from: mid }], true))
    }
    const mid = Math.floor(chunks.length / 2)
    return merge(await this.insert(chunks.slice(0, mid), true), await this.insert(chunks.slice(mid), true))
  }

  async readBuckets(query: BucketQuery, signals: ReadonlyMap<string, SinkSignal>): Promise<BucketSeries[]> {
    const plan = planBuckets(query.from, query.to, query.points)
    const out: BucketSeries[] = []
    for (const type of TYPES) {
      const wanted = query.signals.filter((id) => signals.get(id)?.dataType === type)
      if (wanted.length === 0) continue
      const byTable = new Map<string, BucketSeries>()
      for (const id of wanted) {
        const s: BucketSeries = { signal: id, bucketMs: plan.bucketMs, source: 'raw', t: [], count: [], min: [], max: [], avg: [], first: [], last: [] }
        byTable.set(childTableName(id, type), s)
        out.push(s)
      }
      const sql = bucketQuerySql(this.cfg.database, this.cfg.superTablePrefix, type, [...byTable.keys()], plan.start, plan.end, plan.bucketMs)
      const r = await this.exec(sql)
      if (!r.ok) {
        // A database or supertable not created yet holds no history: nothing to add.
        if (/not exist/i.test(r.failure.desc)) continue
        throw new SinkError('sync.rejected', `${this.endpointName(this.current)} refused the history query: ${r.failure.desc} (${hexCode(r.failure.code)})`, true)
      }
      parseBuckets(r.result, type, byTable, this.endpointName(this.current))
    }
    return out
  }

  async close(): Promise<void> {
    this.closed = true
    for (const ep of this.endpoints) ep.agent.destroy()
  }
}

function merge<T extends { ok: number; expired: unknown[]; failed: unknown[] }>(a: T, b: T): T {
  return { ...a, ok: a.ok + b.ok, expired: [...a.expired, ...b.expired], failed: [...a.failed, ...b.failed] }
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v)
  return Number.isFinite(n) ? n : null
}

function value(v: unknown, type: DataType): string | number | boolean | null {
  if (v === null || v === undefined) return null
  if (type === 'number') return num(v)
  if (type === 'boolean') return typeof v === 'boolean' ? v : v === 1 || v === 'true' ? true : v === 0 || v === 'false' ? false : null
  return typeof v === 'string' ? v : String(v)
}

/** The bucket query's rows (by column name) into each signal's series, ascending. */
export function parseBuckets(result: SqlResult, type: DataType, byTable: Map<string, BucketSeries>, where: string): void {
  const at = new Map(result.columns.map((c, i) => [c.name, i]))
  const idx = BUCKET_COLUMNS.map((name) => {
    const i = at.get(name)
    if (i === undefined) throw new SinkError('sync.bad_answer', `${where}: the history answer has no column ${name}`, true)
    return i
  })
  const [tb, ws, mn, mx, av, fv, lv, n] = idx as [number, number, number, number, number, number, number, number]
  const rows: { s: BucketSeries; t: number; row: unknown[] }[] = []
  for (const row of result.data) {
    const s = byTable.get(String(row[tb]))
    if (!s) continue
    const t = parseTimestamp(row[ws])
    if (t === null) throw new SinkError('sync.bad_answer', `${where}: a bucket start that is not a timestamp: ${JSON.stringify(row[ws])}`, true)
    rows.push({ s, t, row })
  }
  rows.sort((a, b) => a.t - b.t)
  for (const { s, t, row } of rows) {
    s.t.push(t)
    s.count.push(num(row[n]) ?? 0)
    s.min.push(num(row[mn]))
    s.max.push(num(row[mx]))
    s.avg.push(num(row[av]))
    s.first.push(value(row[fv], type))
    s.last.push(value(row[lv], type))
  }
}

/** The `tdengine` sink kind's factory, for the sink registry: validates the config (SinkError `sync.config` when bad). */
export function createTdengineSink(config: TdengineSinkConfigInput, deps: TdengineSinkDeps = {}): TdengineSink {
  return new TdengineSink(config, deps)
}
