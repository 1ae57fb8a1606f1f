import { describe, expect, it } from 'vitest'
import { SinkError } from '../../../core/ports/sync-sink'
import { parseLoginAnswer, parsePing, parseSqlAnswer, parseTimestamp } from './rest'

// Bodies as taosAdapter's REST documentation shows them (TDengine 3.x). Parsing only: no TDengine here.
const W = 'http://h1:6041'

function codeOf(f: () => unknown): [string, boolean] {
  try {
    f()
  } catch (e) {
    if (e instanceof SinkError) return [e.code, e.retryable]
    throw e
  }
  throw new Error('did not throw')
}

describe('taosAdapter REST answers (documented shapes)', () => {
  it('reads a successful insert: affected_rows', () => {
    const a = parseSqlAnswer(200, '{"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[3]],"rows":1}', W)
    expect(a).toEqual({ ok: true, result: { columns: [{ name: 'affected_rows', type: 'INT', length: 4 }], data: [[3]], rows: 1 } })
  })

  it('reads a query result, and the row_with_meta form (objects) the same way', () => {
    const meta = [['ts', 'TIMESTAMP', 8], ['current', 'FLOAT', 4]]
    const a = parseSqlAnswer(200, JSON.stringify({ code: 0, column_meta: meta, data: [['2022-07-30T06:44:40.32Z', 10.3]], rows: 1 }), W)
    const b = parseSqlAnswer(200, JSON.stringify({ code: 0, column_meta: meta, data: [{ ts: '2022-07-30T06:44:40.32Z', current: 10.3 }], rows: 1 }), W)
    expect(a.ok && a.result.data).toEqual([['2022-07-30T06:44:40.32Z', 10.3]])
    expect(b).toEqual(a)
  })

  it('sees a failed statement under HTTP 200 in code/desc', () => {
    expect(parseSqlAnswer(200, '{"code":9728,"desc":"syntax error near \\"1\\""}', W)).toEqual({ ok: false, failure: { code: 9728, desc: 'syntax error near "1"' } })
    // httpCodeServerError=true: the same body under 400 or 500.
    expect(parseSqlAnswer(400, '{"code":9728,"desc":"syntax error"}', W)).toEqual({ ok: false, failure: { code: 9728, desc: 'syntax error' } })
    expect(parseSqlAnswer(500, '{"code":1547,"desc":"Timestamp data out of range"}', W)).toEqual({ ok: false, failure: { code: 1547, desc: 'Timestamp data out of range' } })
  })

  it('401 and the authentication codes are sync.auth, not retried', () => {
    expect(codeOf(() => parseSqlAnswer(401, '{"code":855,"desc":"Authentication failure"}', W))).toEqual(['sync.auth', false])
    expect(codeOf(() => parseSqlAnswer(200, '{"code":855,"desc":"Authentication failure"}', W))).toEqual(['sync.auth', false])
  })

  it('503 (pool or memory exhausted) is sync.overloaded, retried; 502 is unreachable, retried', () => {
    expect(codeOf(() => parseSqlAnswer(503, 'memory exceeds threshold', W))).toEqual(['sync.overloaded', true])
    expect(codeOf(() => parseSqlAnswer(502, '{"code":11,"desc":"Unable to establish connection"}', W))).toEqual(['sync.unreachable', true])
    expect(codeOf(() => parseSqlAnswer(200, '{"code":11,"desc":"Unable to establish connection"}', W))).toEqual(['sync.unreachable', true])
  })

  it('garbage is sync.bad_answer, with what came in the message', () => {
    expect(codeOf(() => parseSqlAnswer(200, '<html>proxy login</html>', W))).toEqual(['sync.bad_answer', true])
    expect(codeOf(() => parseSqlAnswer(200, '{"code":0}', W))).toEqual(['sync.bad_answer', true])
    expect(codeOf(() => parseSqlAnswer(418, '', W))).toEqual(['sync.bad_answer', true])
    expect(codeOf(() => parseSqlAnswer(404, '404 page not found', W))).toEqual(['sync.rejected', false])
    try {
      parseSqlAnswer(200, '<html>proxy login</html>', W)
    } catch (e) {
      expect((e as Error).message).toContain('<html>proxy login</html>')
    }
  })

  it('reads the token of /rest/login, and refuses a wrong password', () => {
    expect(parseLoginAnswer(200, '{"code":0,"desc":"/KfeAzX/f9na8qdtNZmtONryp201ma04bEl8LcvLUd7a8qdtNZmtONryp201ma04"}', W)).toBe(
      '/KfeAzX/f9na8qdtNZmtONryp201ma04bEl8LcvLUd7a8qdtNZmtONryp201ma04',
    )
    expect(codeOf(() => parseLoginAnswer(200, '{"code":855,"desc":"Authentication failure"}', W))).toEqual(['sync.auth', false])
    expect(codeOf(() => parseLoginAnswer(401, '', W))).toEqual(['sync.auth', false])
    expect(codeOf(() => parseLoginAnswer(200, 'ok', W))).toEqual(['sync.bad_answer', true])
  })

  it('reads /-/ping: 200 running, 503 paused', () => {
    expect(parsePing(200, '', W)).toEqual({ ok: true })
    expect(parsePing(503, '', W)).toMatchObject({ ok: false, code: 'sync.overloaded' })
    expect(parsePing(404, 'nope', W)).toMatchObject({ ok: false, code: 'sync.bad_answer' })
  })

  it('reads RFC3339 timestamps to the microsecond (trimmed zeros, zones, nanoseconds rounded)', () => {
    expect(parseTimestamp('2022-07-30T06:44:40.32Z')).toBe(Date.UTC(2022, 6, 30, 6, 44, 40, 320))
    expect(parseTimestamp('2022-07-30T06:44:40.123456Z')).toBe(Date.UTC(2022, 6, 30, 6, 44, 40, 123) + 0.456)
    expect(parseTimestamp('2022-07-30T06:44:40Z')).toBe(Date.UTC(2022, 6, 30, 6, 44, 40))
    expect(parseTimestamp('2022-07-30T08:44:40.000001+02:00')).toBe(Date.UTC(2022, 6, 30, 6, 44, 40) + 0.001)
    expect(parseTimestamp('2022-07-30T06:44:40.0000019Z')).toBe(Date.UTC(2022, 6, 30, 6, 44, 40) + 0.002)
    expect(parseTimestamp(1_659_163_480_123_456)).toBe(1_659_163_480_123.456)
    expect(parseTimestamp('yesterday')).toBeNull()
  })
})
