import { SinkError } from '../../../core/ports/sync-sink'

/**
 * Parsing of taosAdapter's REST answers, as its documentation describes them (TDengine 3.x, `/rest/sql`):
 * - success: HTTP 200, `{"code":0,"column_meta":[[name,type,len],…],"data":[[…],…],"rows":n}`;
 * - a failed statement: HTTP 200 (or 4xx/5xx with `httpCodeServerError`), `{"code":<TDengine code>,"desc":"…"}`;
 * - 401: authentication; 503: the adapter's connection pool or memory is exhausted (plain text body), retry later;
 * - `/rest/login/<user>/<password>`: `{"code":0,"desc":"<token>"}`;
 * - `/-/ping`: 200 when running, 503 when paused (memory over `pauseAllMemoryThreshold`).
 */

export interface Column {
  name: string
  type: string
  length: number
}

export interface SqlResult {
  columns: Column[]
  data: unknown[][]
  rows: number
}

/** A statement TDengine refused: its own error code and text. */
export interface SqlFailure {
  code: number
  desc: string
}

export type SqlAnswer = { ok: true; result: SqlResult } | { ok: false; failure: SqlFailure }

/** TSDB_CODE_TDB_TIMESTAMP_OUT_OF_RANGE: a row older than the database's KEEP (or too far ahead). */
export const TIMESTAMP_OUT_OF_RANGE = 0x060b
/** The authentication codes taosAdapter's REST documentation lists (TSDB_CODE_MND_USER_ALREADY_EXIST … _AUTH_FAILURE). */
const AUTH_CODES = new Set([0x0350, 0x0351, 0x0352, 0x0353, 0x0354, 0x0355, 0x0356, 0x0357])
/** TSDB_CODE_RPC_NETWORK_UNAVAIL (the documented network code): the adapter cannot reach the cluster, retry. */
const TRANSIENT_CODES = new Set([0x000b])

export function hexCode(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`
}

function short(body: string): string {
  const t = body.trim().replace(/\s+/g, ' ')
  return t.length > 200 ? `${t.slice(0, 200)}…` : t
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}

function failureOf(j: unknown): SqlFailure | null {
  if (!j || typeof j !== 'object') return null
  const o = j as { code?: unknown; desc?: unknown }
  if (typeof o.code !== 'number' || !Number.isInteger(o.code) || o.code === 0) return null
  return { code: o.code, desc: typeof o.desc === 'string' ? o.desc : '' }
}

/**
 * An answer of `/rest/sql`. Throws a SinkError for what is not a statement's own result: `sync.auth` (401, or an
 * authentication code), `sync.overloaded` (503), `sync.unreachable` (502: the adapter lost the cluster),
 * `sync.rejected` (404: no REST API there), `sync.bad_answer` (anything that is not the documented JSON).
 */
export function parseSqlAnswer(status: number, body: string, where: string): SqlAnswer {
  const j = parseJson(body)
  const failure = failureOf(j)
  if (status === 401) {
    throw new SinkError('sync.auth', `${where}: authentication failed${failure ? `: ${failure.desc} (${hexCode(failure.code)})` : ''}`, false)
  }
  if (status === 503) throw new SinkError('sync.overloaded', `${where} is overloaded (503): ${short(failure?.desc ?? body) || 'no reason given'}`, true)
  if (status === 502) throw new SinkError('sync.unreachable', `${where} cannot reach the cluster (502)${failure ? `: ${failure.desc}` : ''}`, true)
  if (status === 404) throw new SinkError('sync.rejected', `${where}: no taosAdapter REST API at this URL (404)`, false)
  if (failure) {
    if (AUTH_CODES.has(failure.code)) throw new SinkError('sync.auth', `${where}: ${failure.desc} (${hexCode(failure.code)})`, false)
    if (TRANSIENT_CODES.has(failure.code)) throw new SinkError('sync.unreachable', `${where}: ${failure.desc} (${hexCode(failure.code)})`, true)
    // 200 (the default) or 400/500 (httpCodeServerError): a statement's own failure.
    if (status === 200 || status === 400 || status === 500) return { ok: false, failure }
  }
  if (status !== 200) throw new SinkError('sync.bad_answer', `${where} answered HTTP ${status}: ${short(body) || '(empty)'}`, true)
  const o = j as { code?: unknown; column_meta?: unknown; data?: unknown; rows?: unknown } | undefined
  if (!o || typeof o !== 'object' || o.code !== 0 || !Array.isArray(o.column_meta) || !Array.isArray(o.data)) {
    throw new SinkError('sync.bad_answer', `${where} answered something that is not taosAdapter's JSON: ${short(body) || '(empty)'}`, true)
  }
  const columns: Column[] = []
  for (const m of o.column_meta as unknown[]) {
    if (!Array.isArray(m) || typeof m[0] !== 'string') throw new SinkError('sync.bad_answer', `${where}: malformed column_meta: ${short(body)}`, true)
    columns.push({ name: m[0], type: String(m[1]), length: Number(m[2]) })
  }
  const data: unknown[][] = []
  for (const row of o.data as unknown[]) {
    if (Array.isArray(row)) data.push(row)
    else if (row && typeof row === 'object') data.push(columns.map((c) => (row as Record<string, unknown>)[c.name]))
    else throw new SinkError('sync.bad_answer', `${where}: malformed data row: ${short(JSON.stringify(row) ?? '')}`, true)
  }
  return { ok: true, result: { columns, data, rows: typeof o.rows === 'number' ? o.rows : data.length } }
}

/** The token of `/rest/login/<user>/<password>`. */
export function parseLoginAnswer(status: number, body: string, where: string): string {
  const j = parseJson(body)
  const failure = failureOf(j)
  if (status === 401 || (failure && AUTH_CODES.has(failure.code))) {
    throw new SinkError('sync.auth', `${where}: login refused${failure ? `: ${failure.desc} (${hexCode(failure.code)})` : ''}`, false)
  }
  if (status === 503) throw new SinkError('sync.overloaded', `${where} is overloaded (503): ${short(body)}`, true)
  if (failure) throw new SinkError('sync.auth', `${where}: login failed: ${failure.desc} (${hexCode(failure.code)})`, false)
  const o = j as { code?: unknown; desc?: unknown } | undefined
  if (status !== 200 || !o || o.code !== 0 || typeof o.desc !== 'string' || o.desc === '') {
    throw new SinkError('sync.bad_answer', `${where}: unexpected login answer (HTTP ${status}): ${short(body) || '(empty)'}`, true)
  }
  return o.desc
}

/** `GET /-/ping`: 200 running, 503 paused (memory), anything else not a taosAdapter. */
export function parsePing(status: number, body: string, where: string): { ok: true } | { ok: false; code: string; reason: string } {
  if (status === 200) return { ok: true }
  if (status === 503) return { ok: false, code: 'sync.overloaded', reason: `${where} is paused (503): ${short(body) || 'memory over threshold'}` }
  return { ok: false, code: 'sync.bad_answer', reason: `${where} answered /-/ping with HTTP ${status}: ${short(body) || '(empty)'}` }
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/

/**
 * A TIMESTAMP of a REST answer as ms since the epoch with microsecond resolution (3 decimals): RFC3339 with up to
 * nine fraction digits (taosAdapter trims trailing zeros), or a number in the database's precision (µs).
 */
export function parseTimestamp(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v) / 1000 : null
  if (typeof v !== 'string') return null
  const m = RFC3339.exec(v)
  if (!m) return null
  const whole = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : (m[3] ?? '')}`)
  if (Number.isNaN(whole)) return null
  const micros = Number(((m[2] ?? '') + '000000').slice(0, 6)) + (Number(((m[2] ?? '') + '000000000').slice(6, 9)) >= 500 ? 1 : 0)
  return Math.round(whole * 1000 + micros) / 1000
}
