import type { DataType, Quality, Sample, SampleValue } from '../../../shared/model'
import type { SinkSignal } from '../../../core/ports/sync-sink'
import { quoteName, superTableName } from './naming'

/**
 * The SQL the TDengine sink sends over taosAdapter's REST API: bootstrap (database, one supertable per value type),
 * batched multi-table inserts under the server's SQL length limit, and the bucket query of the history read-through.
 * Pure functions: the text is unit-tested as text.
 */

export interface DatabaseOptions {
  database: string
  /** Days of data the database keeps (TDengine's KEEP). */
  keepDays: number
  /** Days per data file (TDengine's DURATION). */
  durationDays: number
  replica: 1 | 3
}

/** Tag columns, and their lengths in characters (NCHAR: 4 bytes each; all six stay under TDengine's 16 KB of tags). */
export const TAGS = [
  ['signal', 256],
  ['asset_path', 1024],
  ['attribute', 256],
  ['unit', 64],
  ['connection', 256],
  ['source', 1024],
] as const

/** Longest string value (the store's own limit: SampleValue strings are at most 4096 characters). */
export const TEXT_LEN = 4096
export const STATUS_LEN = 128

const VALUE_COLUMN: Record<DataType, string> = { number: 'DOUBLE', boolean: 'BOOL', string: `NCHAR(${TEXT_LEN})` }

export function createDatabaseSql(o: DatabaseOptions): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteName(o.database)} PRECISION 'us' KEEP ${o.keepDays} DURATION ${o.durationDays} REPLICA ${o.replica}`
}

/** `ts` (µs), the value, quality (0 good, 1 uncertain, 2 bad) and the raw status; the tags describe the signal. */
export function createSuperTableSql(database: string, prefix: string, dataType: DataType): string {
  const tags = TAGS.map(([name, len]) => `${name} NCHAR(${len})`).join(', ')
  return (
    `CREATE STABLE IF NOT EXISTS ${quoteName(database)}.${quoteName(superTableName(prefix, dataType))} ` +
    `(ts TIMESTAMP, v ${VALUE_COLUMN[dataType]}, q TINYINT, st NCHAR(${STATUS_LEN})) TAGS (${tags})`
  )
}

/** A string literal: single quotes, with backslash escapes for `\`, `'` and control characters; NULs removed. */
export function sqlString(s: string, maxChars?: number): string {
  let t = s.replace(/\0/g, '')
  if (maxChars !== undefined && t.length > maxChars) t = t.slice(0, maxChars)
  return `'${t.replace(/[\\'\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`))}'`
}

/** A time in ms with up to 3 decimals (the store's resolution) as integer µs. */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000)
}

const QUALITY: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 }

export function sqlValue(v: SampleValue, dataType: DataType): string {
  if (v === null) return 'NULL'
  if (dataType === 'number') return typeof v === 'number' && Number.isFinite(v) ? (Object.is(v, -0) ? '0' : String(v)) : 'NULL'
  if (dataType === 'boolean') return typeof v === 'boolean' ? (v ? 'true' : 'false') : 'NULL'
  return typeof v === 'string' ? sqlString(v, TEXT_LEN) : 'NULL'
}

/** One row: `(ts, v, q, st)`. */
export function sqlRow(s: Pick<Sample, 'ts' | 'value' | 'quality' | 'status'>, dataType: DataType): string {
  const st = s.status === undefined ? 'NULL' : sqlString(s.status, STATUS_LEN)
  return `(${toMicros(s.ts)},${sqlValue(s.value, dataType)},${QUALITY[s.quality]},${st})`
}

/** Asset path and attribute from the signal's place in the plant (`Plant/Line2/Pump201/Speed` → `Plant/Line2/Pump201`, `Speed`). */
export function splitAssetPath(assetPath: string | undefined): [string, string] {
  if (!assetPath) return ['', '']
  const i = assetPath.lastIndexOf('/')
  return i < 0 ? ['', assetPath] : [assetPath.slice(0, i), assetPath.slice(i + 1)]
}

export function tagValues(signal: SinkSignal): string {
  const [asset, attribute] = splitAssetPath(signal.assetPath)
  const values = [signal.id, asset, attribute, signal.unit ?? '', signal.connection, signal.source ?? '']
  return values.map((v, i) => sqlString(v, TAGS[i]?.[1])).join(',')
}

/** The rows of one child table, rendered. */
export interface TableRows {
  signal: string
  table: string
  /** `\`db\`.\`table\` USING \`db\`.\`stable\` TAGS (…) VALUES` */
  head: string
  rows: string[]
}

export function tableHead(database: string, prefix: string, table: string, signal: SinkSignal): string {
  const db = quoteName(database)
  return `${db}.${quoteName(table)} USING ${db}.${quoteName(superTableName(prefix, signal.dataType))} TAGS (${tagValues(signal)}) VALUES`
}

/** A part of one table's rows in one statement: rows [from, to). */
export interface Chunk {
  table: TableRows
  from: number
  to: number
}

const INSERT = 'INSERT INTO'

export function chunkBytes(c: Chunk): number {
  let n = 1 + Buffer.byteLength(c.table.head)
  for (let i = c.from; i < c.to; i++) n += 1 + Buffer.byteLength(c.table.rows[i] ?? '')
  return n
}

export function statementSql(chunks: readonly Chunk[]): string {
  let sql = INSERT
  for (const c of chunks) sql += ` ${c.table.head} ${c.table.rows.slice(c.from, c.to).join(' ')}`
  return sql
}

/** A row too long for any statement under the limit (only with a very small limit). */
export interface Oversize {
  table: TableRows
  row: number
}

/**
 * Packs tables into multi-table INSERT statements of at most `maxBytes` bytes each (UTF-8, the way the server
 * counts): a table's rows stay together while they fit, and a table larger than the room left continues in the next
 * statement under the same head (a child table may appear in several statements).
 */
export function packStatements(tables: readonly TableRows[], maxBytes: number): { statements: Chunk[][]; oversize: Oversize[] } {
  const statements: Chunk[][] = []
  const oversize: Oversize[] = []
  let current: Chunk[] = []
  let size = INSERT.length
  const flush = () => {
    if (current.length > 0) statements.push(current)
    current = []
    size = INSERT.length
  }
  for (const table of tables) {
    const headBytes = 1 + Buffer.byteLength(table.head)
    let chunk: Chunk | null = null
    for (let i = 0; i < table.rows.length; i++) {
      const rowBytes = 1 + Buffer.byteLength(table.rows[i] ?? '')
      if (INSERT.length + headBytes + rowBytes > maxBytes) {
        oversize.push({ table, row: i })
        chunk = null
        continue
      }
      const need = chunk ? rowBytes : headBytes + rowBytes
      if (size + need > maxBytes) {
        flush()
        chunk = null
      }
      if (!chunk) {
        chunk = { table, from: i, to: i }
        current.push(chunk)
        size += headBytes
      } else if (chunk.to !== i) {
        // A skipped oversize row split the run: continue in a new chunk.
        chunk = { table, from: i, to: i }
        current.push(chunk)
        size += headBytes
      }
      chunk.to = i + 1
      size += rowBytes
    }
  }
  flush()
  return { statements, oversize }
}

/** Column aliases of the bucket query, read back by name from `column_meta`. */
export const BUCKET_COLUMNS = ['tb', 'wstart', 'mn', 'mx', 'av', 'fv', 'lv', 'n'] as const

/**
 * Buckets of several signals of one value type in one query: `INTERVAL` windows of `bucketMs` (unit `a`, ms),
 * aligned on the epoch like the local store's, per child table (`PARTITION BY tbname`). Booleans feed min/max/avg as
 * 0/1; text only counts (min/max/avg are NULL).
 */
export function bucketQuerySql(database: string, prefix: string, dataType: DataType, tables: readonly string[], fromMs: number, toMs: number, bucketMs: number): string {
  const num = dataType === 'number' ? 'v' : dataType === 'boolean' ? 'CAST(v AS TINYINT)' : null
  const agg = num ? `MIN(${num}) AS mn, MAX(${num}) AS mx, AVG(${num}) AS av` : 'NULL AS mn, NULL AS mx, NULL AS av'
  const list = tables.map((t) => sqlString(t)).join(',')
  return (
    `SELECT tbname AS tb, _wstart AS wstart, ${agg}, FIRST(v) AS fv, LAST(v) AS lv, COUNT(*) AS n ` +
    `FROM ${quoteName(database)}.${quoteName(superTableName(prefix, dataType))} ` +
    `WHERE tbname IN (${list}) AND ts >= ${toMicros(fromMs)} AND ts <= ${toMicros(toMs)} ` +
    `PARTITION BY tbname INTERVAL(${Math.round(bucketMs)}a)`
  )
}
