import { readFileSync } from 'node:fs'
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttps } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { Logger } from '../core/ports/logger'
import type { RpcServer } from '../shared/rpc/server'
import type { EventMap } from '../shared/contract/define'
import { accessPolicy, refusalLog, type AccessPolicy, type RefusalReason } from './access'
import { SECURITY_HEADERS, serveStatic } from './static-files'
import { tokenAuth, type TokenAuth } from './token-auth'
import { wsTransport } from './ws-transport'
import { sessionCookies, type HttpIdentity, type SessionCookies } from './session-cookie'
import type { Principal, Role } from '../shared/model/principal'
import type { Refusal } from '../core/audit/refusal-audit'

export interface HttpServerOptions {
  host: string
  port: number
  tls?: { cert: string; key: string }
  token?: string
  /** The role an API client with the shared token (`Authorization: Bearer`) acts as (default engineer). */
  tokenRole?: Role
  /** Logins: `POST /auth/login` sets the session cookie the WebSocket upgrade resolves. Without it sessions start without a principal. */
  identity?: HttpIdentity
  /** Names besides loopback, `localhost` and the bind address that clients may use for this server (Host header). */
  hostnames?: readonly string[]
  webRoot: string
  rpc: RpcServer<EventMap>
  logger: Logger
  /**
   * A wrong shared token that was presented (`?token=` on a page, a bearer header on an upgrade) goes here: the core's
   * audit of refusals (`auth.bad_token`, folded per address and minute). A missing token is only counted.
   */
  refused?: (r: Refusal) => void
  /** Largest WebSocket frame accepted before the socket is closed (1009); the RPC layer answers smaller oversized messages itself. */
  maxFrameBytes?: number
}

export interface HttpServer {
  url: string
  port: number
  /** Requests refused so far, by reason (wrong Host, foreign Origin, missing or wrong token, unknown upgrade path). */
  refused: Readonly<Record<RefusalReason, number>>
  close(): Promise<void>
}

/** HTTP(S) for the renderer's files and a WebSocket at /api for the RPC. */
export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const refusals = refusalLog(o.logger)
  // Both need the port actually bound (port 0 picks one); set once listening, before any request is read.
  let policy: AccessPolicy | undefined
  let auth: TokenAuth | undefined
  let cookies: SessionCookies | undefined

  /** A presented token was wrong: audited (never the token itself). */
  const badToken = (from: string, target: string) =>
    o.refused?.({ action: 'auth.bad_token', user: null, from, target, code: 'auth.bad_token', message: 'wrong shared access token' })

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const remote = req.socket.remoteAddress
    const text = (status: number, body: string) => res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end(body)
    if (!policy?.host(req.headers.host)) {
      refusals.refuse('host', 'http', remote, req.headers.host)
      return text(421, 'This server does not answer to that host name.')
    }
    if (!policy.origin(req.headers.origin)) {
      refusals.refuse('origin', 'http', remote, req.headers.origin)
      return text(403, 'forbidden')
    }
    if (auth) {
      const r = auth.exchange(req, res, SECURITY_HEADERS)
      if (r === 'refused') {
        refusals.refuse('token', 'http', remote)
        badToken(`http ${remote ?? '?'}`, 'page ?token=')
      }
      if (r !== 'none') return
      // Without the cookie the UI could only reconnect forever; say what to do instead.
      if (!auth.allows(req)) {
        refusals.refuse('token', 'http', remote)
        return text(401, 'This Plantdeck server needs its access token: open this address once as /?token=<your token>.')
      }
    }
    if (cookies?.handle(req, res, SECURITY_HEADERS)) return
    serveStatic(o.webRoot, req, res)
  }
  const server: Server = o.tls ? createHttps({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }, onRequest) : createHttp(onRequest)
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes ?? 16 * 1024 * 1024 })
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })

  /**
   * Who a new WebSocket session is: an API client with the shared token (the bearer header, not the browser's token
   * cookie: a browser still logs in) acts as the token's role; a browser with a live session cookie as its user; else nobody.
   */
  const principalAt = (req: IncomingMessage, from: string): Principal | null => {
    if (auth?.bearer(req)) return { kind: 'token', user: 'api-token', roles: [o.tokenRole ?? 'engineer'], from }
    return cookies?.principalOf(req, from) ?? null
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: string, reason: RefusalReason, value?: string) => {
      refusals.refuse(reason, 'websocket', req.socket.remoteAddress, value)
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (!policy?.host(req.headers.host)) return refuse('421 Misdirected Request', 'host', req.headers.host)
    const path = new URL(req.url ?? '/', 'http://x').pathname // the query is never logged: it may hold a token
    if (path !== '/api') return refuse('404 Not Found', 'path', path.slice(0, 100))
    if (!policy.origin(req.headers.origin)) return refuse('403 Forbidden', 'origin', req.headers.origin)
    if (auth && !auth.allows(req)) {
      if (req.headers.authorization !== undefined) badToken(`ws ${req.socket.remoteAddress ?? '?'}`, 'websocket bearer')
      return refuse('401 Unauthorized', 'token')
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (err) => o.logger.warn({ err: err.message }, 'websocket error'))
      const from = `ws ${req.socket.remoteAddress ?? '?'}`
      const session = o.rpc.connect(wsTransport(ws), { remote: from, principal: principalAt(req, from) })
      o.logger.info({ session: session.id, remote: req.socket.remoteAddress }, 'client connected')
      ws.on('close', (code) => o.logger.info({ session: session.id, code }, 'client disconnected'))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const tls = o.tls !== undefined
  policy = accessPolicy({ bindHost: o.host, port, tls, ...(o.hostnames ? { hostnames: o.hostnames } : {}) })
  if (o.token !== undefined) auth = tokenAuth(o.token, { port, tls })
  if (o.identity) cookies = sessionCookies(o.identity, { port, tls })
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host
  return {
    url: `${o.tls ? 'https' : 'http'}://${hostForUrl}:${port}/`,
    port,
    refused: refusals.counts,
    async close() {
      for (const c of wss.clients) c.terminate()
      wss.close()
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
