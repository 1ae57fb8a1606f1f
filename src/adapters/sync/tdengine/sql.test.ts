import { describe, expect, it } from 'vitest'
import type { SinkSignal } from '../../../core/ports/sync-sink'
import {
  bucketQuerySql,
  createDatabaseSql,
  createSuperTableSql,
  packStatements,
  sqlRow,
  sqlString,
  statementSql,
  tableHead,
  toMicros,
  type TableRows,
} from './sql'

const sig = (id: string, dataType: SinkSignal['dataType'] = 'number', extra: Partial<SinkSignal> = {}): SinkSignal => ({ id, dataType, connection: 'plc1', ...extra })

describe('TDengine SQL text', () => {
  it('creates the database with microsecond precision and the configured KEEP, DURATION, REPLICA', () => {
    expect(createDatabaseSql({ database: 'plant', keepDays: 365, durationDays: 10, replica: 3 })).toBe(
      "CREATE DATABASE IF NOT EXISTS `plant` PRECISION 'us' KEEP 365 DURATION 10 REPLICA 3",
    )
  })

  it('creates one supertable per value type with the five descriptive tags and the signal id', () => {
    const sql = createSuperTableSql('plant', 'pd', 'number')
    expect(sql).toBe(
      'CREATE STABLE IF NOT EXISTS `plant`.`pd_double` (ts TIMESTAMP, v DOUBLE, q TINYINT, st NCHAR(128)) ' +
        'TAGS (signal NCHAR(256), asset_path NCHAR(1024), attribute NCHAR(256), unit NCHAR(64), connection NCHAR(256), source NCHAR(1024))',
    )
    expect(createSuperTableSql('plant', 'pd', 'boolean')).toContain('`pd_bool` (ts TIMESTAMP, v BOOL,')
    expect(createSuperTableSql('plant', 'pd', 'string')).toContain('`pd_text` (ts TIMESTAMP, v NCHAR(4096),')
  })

  it('escapes string literals (quote, backslash, control characters) and drops NULs', () => {
    expect(sqlString("it's")).toBe("'it\\'s'")
    expect(sqlString('a\\b')).toBe("'a\\\\b'")
    expect(sqlString('l1\nl2\tx\r')).toBe("'l1\\nl2\\tx\\r'")
    expect(sqlString('a\0b')).toBe("'ab'")
    expect(sqlString('abcdef', 3)).toBe("'abc'")
  })

  it("turns the store's ms with 3 decimals into integer µs exactly", () => {
    expect(toMicros(1_700_000_000_000.123)).toBe(1_700_000_000_000_123)
    expect(toMicros(1_700_000_000_000.001)).toBe(1_700_000_000_000_001)
    expect(toMicros(0.999)).toBe(999)
  })

  it('renders rows: value, quality, status; nulls and non-finite numbers as NULL', () => {
    expect(sqlRow({ ts: 1000.5, value: 1.25, quality: 'good' }, 'number')).toBe('(1000500,1.25,0,NULL)')
    expect(sqlRow({ ts: 1, value: null, quality: 'bad', status: 'BadCommunicationError' }, 'number')).toBe("(1000,NULL,2,'BadCommunicationError')")
    expect(sqlRow({ ts: 1, value: Number.NaN, quality: 'bad' }, 'number')).toBe('(1000,NULL,2,NULL)')
    expect(sqlRow({ ts: 1, value: true, quality: 'uncertain' }, 'boolean')).toBe('(1000,true,1,NULL)')
    expect(sqlRow({ ts: 1, value: "o'k", quality: 'good' }, 'string')).toBe("(1000,'o\\'k',0,NULL)")
  })

  it('auto-creates the child table with its tags (asset path split from the attribute)', () => {
    const head = tableHead('plant', 'pd', 'n_speed', sig('speed', 'number', { assetPath: 'Plant/Line2/Pump201/Speed', unit: 'rpm', source: 'ns=2;s=Speed' }))
    expect(head).toBe("`plant`.`n_speed` USING `plant`.`pd_double` TAGS ('speed','Plant/Line2/Pump201','Speed','rpm','plc1','ns=2;s=Speed') VALUES")
  })

  it('builds a multi-table INSERT', () => {
    const t1: TableRows = { signal: 'a', table: 'n_a', head: tableHead('db', 'pd', 'n_a', sig('a')), rows: ['(1,1,0,NULL)', '(2,2,0,NULL)'] }
    const t2: TableRows = { signal: 'b', table: 'b_b', head: tableHead('db', 'pd', 'b_b', sig('b', 'boolean')), rows: ['(1,true,0,NULL)'] }
    const { statements } = packStatements([t1, t2], 1024 * 1024)
    expect(statements).toHaveLength(1)
    expect(statementSql(statements[0] ?? [])).toBe(
      "INSERT INTO `db`.`n_a` USING `db`.`pd_double` TAGS ('a','','','','plc1','') VALUES (1,1,0,NULL) (2,2,0,NULL) " +
        "`db`.`b_b` USING `db`.`pd_bool` TAGS ('b','','','','plc1','') VALUES (1,true,0,NULL)",
    )
  })

  it('keeps every statement under the length limit, every row exactly once, a big table continued in the next statement', () => {
    const tables: TableRows[] = []
    for (let t = 0; t < 40; t++) {
      const rows = Array.from({ length: t === 7 ? 3000 : 1 + (t % 50) * 7 }, (_, i) => `(${1_700_000_000_000_000 + i},${(i * 1.5).toFixed(3)},0,'${'é'.repeat(t % 5)}')`)
      tables.push({ signal: `s${t}`, table: `n_s${t}`, head: tableHead('db', 'pd', `n_s${t}`, sig(`s${t}`, 'number', { assetPath: `Plant/Ünit${t}/x` })), rows })
    }
    const limit = 64 * 1024
    const { statements, oversize } = packStatements(tables, limit)
    expect(oversize).toEqual([])
    expect(statements.length).toBeGreaterThan(2)
    const seen = new Map<string, number>()
    for (const st of statements) {
      const sql = statementSql(st)
      expect(Buffer.byteLength(sql)).toBeLessThanOrEqual(limit)
      for (const c of st) seen.set(c.table.table, (seen.get(c.table.table) ?? 0) + c.to - c.from)
    }
    for (const t of tables) expect(seen.get(t.table)).toBe(t.rows.length)
    // The 3000-row table does not fit one statement: it is split across several.
    expect(statements.filter((st) => st.some((c) => c.table.table === 'n_s7')).length).toBeGreaterThan(1)
    // Packed tight: every statement but the last would overflow with the next row.
    const total = statements.reduce((n, st) => n + Buffer.byteLength(statementSql(st)), 0)
    expect(total / statements.length).toBeGreaterThan(limit * 0.8)
  })

  it('sets aside a row that fits no statement instead of sending an oversize one', () => {
    const t: TableRows = { signal: 'x', table: 'n_x', head: tableHead('db', 'pd', 'n_x', sig('x')), rows: ['(1,1,0,NULL)', `(2,1,0,'${'z'.repeat(200)}')`, '(3,1,0,NULL)'] }
    const { statements, oversize } = packStatements([t], 180)
    expect(oversize.map((o) => o.row)).toEqual([1])
    expect(statements.flat().reduce((n, c) => n + c.to - c.from, 0)).toBe(2)
    for (const st of statements) expect(Buffer.byteLength(statementSql(st))).toBeLessThanOrEqual(180)
  })

  it('asks several signals of one type in one bucket query, by tbname, in epoch-aligned ms windows', () => {
    expect(bucketQuerySql('plant', 'pd', 'number', ['n_a', 'n_b'], 60_000, 179_999.999, 60_000)).toBe(
      'SELECT tbname AS tb, _wstart AS wstart, MIN(v) AS mn, MAX(v) AS mx, AVG(v) AS av, FIRST(v) AS fv, LAST(v) AS lv, COUNT(*) AS n ' +
        "FROM `plant`.`pd_double` WHERE tbname IN ('n_a','n_b') AND ts >= 60000000 AND ts <= 179999999 PARTITION BY tbname INTERVAL(60000a)",
    )
    expect(bucketQuerySql('plant', 'pd', 'boolean', ['b_a'], 0, 1, 1)).toContain('MIN(CAST(v AS TINYINT)) AS mn')
    expect(bucketQuerySql('plant', 'pd', 'string', ['s_a'], 0, 1, 1)).toContain('NULL AS mn, NULL AS mx, NULL AS av, FIRST(v)')
  })
})
