import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer as createHttp, type IncomingMessage, type Server } from 'node:http'
import { createServer as createHttps } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer } from 'ws'
import type { Logger } from '../core/ports/logger'
import type { RpcServer } from '../shared/rpc/server'
import type { EventMap } from '../shared/contract/define'
import { serveStatic } from './static-files'
import { wsTransport } from './ws-transport'

export interface HttpServerOptions {
  host: string
  port: number
  tls?: { cert: string; key: string }
  token?: string
  webRoot: string
  rpc: RpcServer<EventMap>
  logger: Logger
  /** Largest WebSocket frame accepted before the socket is closed (1009); the RPC layer answers smaller oversized messages itself. */
  maxFrameBytes?: number
}

export interface HttpServer {
  url: string
  port: number
  close(): Promise<void>
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Same-origin check: a page from another site must not drive this server through the user's browser. */
function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true // not a browser: the token (when configured) is the gate
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}

/** HTTP(S) for the renderer's files and a WebSocket at /api for the RPC. */
export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const server: Server = o.tls
    ? createHttps({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }, (req, res) => serveStatic(o.webRoot, req, res))
    : createHttp((req, res) => serveStatic(o.webRoot, req, res))
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes ?? 16 * 1024 * 1024 })
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const refuse = (status: string, why: string) => {
      o.logger.warn({ remote: req.socket.remoteAddress, why }, 'websocket refused')
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (url.pathname !== '/api') return refuse('404 Not Found', 'path')
    if (!originAllowed(req)) return refuse('403 Forbidden', `origin ${req.headers.origin}`)
    if (o.token !== undefined) {
      const given = url.searchParams.get('token') ?? ''
      if (!timingSafeEqual(digest(given), digest(o.token))) return refuse('401 Unauthorized', 'token')
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (err) => o.logger.warn({ err: err.message }, 'websocket error'))
      const session = o.rpc.connect(wsTransport(ws))
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
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host
  return {
    url: `${o.tls ? 'https' : 'http'}://${hostForUrl}:${port}/`,
    port,
    async close() {
      for (const c of wss.clients) c.terminate()
      wss.close()
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
