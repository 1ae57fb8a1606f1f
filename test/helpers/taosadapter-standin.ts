import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'

/**
 * A STAND-IN for taosAdapter's REST API, for testing the TDengine sink's protocol handling: a real node:http(s)
 * server that answers the way taosAdapter's documentation says it does (`/rest/sql` with `code`/`desc` under HTTP
 * 200, 401, 503, `/rest/login`, `/-/ping`). It is not TDengine and proves nothing about TDengine itself: it keeps
 * the rows our INSERT statements carry (parsed with a regex that understands only what the sink writes) so tests
 * can count what arrived, and each test decides the answers.
 */

export interface RecordedRequest {
  method: string
  url: string
  authorization: string | undefined
  body: string
}

export interface Answer {
  status: number
  body: string
}

export type SqlHandler = (sql: string, req: RecordedRequest) => Answer | undefined | Promise<Answer | undefined>

export interface StandIn {
  url: string
  port: number
  requests: RecordedRequest[]
  /** Rows received per child table: µs timestamp → the row's text. A replayed row replaces itself. */
  tables: Map<string, Map<number, string>>
  /** Answers for `/rest/sql`; `undefined` → the default (insert: success with affected_rows; other: empty success). */
  onSql: SqlHandler | null
  /** Status of `/-/ping` (200 running, 503 paused). */
  ping: number
  /** Token `/rest/login/<user>/<password>` gives for the right credentials (`root`/`taosdata` unless changed). */
  user: string
  password: string
  token: string
  /** When true, every request hangs (never answered). */
  stall: boolean
  sqlStatements(): string[]
  close(): Promise<void>
}

export const ok = (rows: number): Answer => ({ status: 200, body: JSON.stringify({ code: 0, column_meta: [['affected_rows', 'INT', 4]], data: [[rows]], rows: 1 }) })
export const sqlError = (code: number, desc: string, status = 200): Answer => ({ status, body: JSON.stringify({ code, desc }) })
export const query = (columns: [string, string, number][], data: unknown[][]): Answer => ({
  status: 200,
  body: JSON.stringify({ code: 0, column_meta: columns, data, rows: data.length }),
})

const CLAUSE = /`[A-Za-z0-9_]+`\.`([A-Za-z0-9_]+)` USING `[A-Za-z0-9_]+`\.`[A-Za-z0-9_]+` TAGS \((?:'(?:[^'\\]|\\.)*'|,)*\) VALUES((?: \((?:'(?:[^'\\]|\\.)*'|[^'()])*\))+)/g
const ROW = /\((\d+),((?:'(?:[^'\\]|\\.)*'|[^'()])*)\)/g

/** Child table → rows (µs → text) of one INSERT statement the sink wrote. */
export function parseInsert(sql: string): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>()
  if (!sql.startsWith('INSERT INTO ')) return out
  for (const m of sql.matchAll(CLAUSE)) {
    const table = m[1] as string
    let rows = out.get(table)
    if (!rows) out.set(table, (rows = new Map()))
    for (const r of (m[2] as string).matchAll(ROW)) rows.set(Number(r[1]), r[0])
  }
  return out
}

export async function startStandIn(o: { tls?: { cert: string; key: string }; port?: number } = {}): Promise<StandIn> {
  const s: StandIn = {
    url: '',
    port: 0,
    requests: [],
    tables: new Map(),
    onSql: null,
    ping: 200,
    user: 'root',
    password: 'taosdata',
    token: 'TOKEN-1',
    stall: false,
    sqlStatements: () => s.requests.filter((r) => r.url.startsWith('/rest/sql')).map((r) => r.body),
    close: async () => {},
  }
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') }
        s.requests.push(rec)
        if (s.stall) return
        const send = (a: Answer) => {
          res.writeHead(a.status, { 'content-type': a.body.startsWith('{') ? 'application/json' : 'text/plain' })
          res.end(a.body)
        }
        if (rec.url === '/-/ping') return send({ status: s.ping, body: s.ping === 503 ? 'memory exceeds threshold' : '' })
        if (rec.url.startsWith('/rest/login/')) {
          const [, , , user, password] = rec.url.split('/')
          if (decodeURIComponent(user ?? '') === s.user && decodeURIComponent(password ?? '') === s.password) return send({ status: 200, body: JSON.stringify({ code: 0, desc: s.token }) })
          return send({ status: 401, body: JSON.stringify({ code: 0x0357, desc: 'Authentication failure' }) })
        }
        if (!rec.url.startsWith('/rest/sql')) return send({ status: 404, body: '404 page not found' })
        const basic = `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`
        if (rec.authorization !== basic && rec.authorization !== `Taosd ${s.token}`) {
          return send({ status: 401, body: JSON.stringify({ code: 0x0357, desc: 'Authentication failure' }) })
        }
        const custom = s.onSql ? await s.onSql(rec.body, rec) : undefined
        if (custom) {
          if (custom.status === 200 && custom.body.includes('"affected_rows"')) record(s, rec.body)
          return send(custom)
        }
        if (rec.body.startsWith('INSERT INTO ')) return send(ok(record(s, rec.body)))
        return send(ok(0))
      })()
    })
  }
  const server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, handler) : http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve))
  s.port = (server.address() as AddressInfo).port
  s.url = `${o.tls ? 'https' : 'http'}://${o.tls ? 'localhost' : '127.0.0.1'}:${s.port}`
  s.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return s
}

function record(s: StandIn, sql: string): number {
  let n = 0
  for (const [table, rows] of parseInsert(sql)) {
    let t = s.tables.get(table)
    if (!t) s.tables.set(table, (t = new Map()))
    for (const [ts, row] of rows) {
      t.set(ts, row)
      n++
    }
  }
  return n
}
