import { lookup } from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { SocksClient } from 'socks'
import { z } from 'zod'

/**
 * Egress through a proxy for the HTTP sinks (TDengine over taosAdapter, line protocol): a SOCKS5 proxy (the `socks`
 * package does the handshake) or an HTTP CONNECT proxy, per sink or globally. What it gives is a node:http(s) Agent
 * whose connections are tunnels through the proxy; TLS to the backend runs inside the tunnel, end to end, so the
 * proxy never sees the backend's traffic in clear.
 *
 * Proxy URLs:
 * - `socks5://[user:pass@]host:port`: the backend's host name is resolved here, the proxy gets an address;
 * - `socks5h://[user:pass@]host:port`: the proxy resolves the name (what a closed network with its own DNS needs);
 * - `http://[user:pass@]host:port`: HTTP CONNECT (Basic proxy authorization when a user is given);
 * - `direct`: no proxy, also when a global proxy is set (a sink's own setting wins).
 */
export const ProxySetting = z
  .string()
  .refine((s) => s === 'direct' || parseProxyUrl(s) !== null, {
    message: "proxy: 'direct', socks5://host:port, socks5h://host:port or http://host:port (optionally user:pass@)",
  })
export type ProxySetting = z.infer<typeof ProxySetting>

export interface ProxySpec {
  kind: 'socks5' | 'socks5h' | 'http-connect'
  host: string
  port: number
  username?: string
  password?: string
}

/** Code of every failure of the proxy itself: unreachable, refused the tunnel, bad credentials, garbage handshake. */
export const PROXY_ERROR = 'sync.proxy'

/** The proxy failed (not the backend behind it); `message` is readable: which proxy, and what it said. */
export class ProxyError extends Error {
  readonly code = PROXY_ERROR
  constructor(message: string) {
    super(message)
    this.name = 'ProxyError'
  }
}

export function parseProxyUrl(s: string): ProxySpec | null {
  let u: URL
  try {
    u = new URL(s)
  } catch {
    return null
  }
  const kind = u.protocol === 'socks5:' ? 'socks5' : u.protocol === 'socks5h:' ? 'socks5h' : u.protocol === 'http:' ? 'http-connect' : null
  if (!kind || !u.hostname || (u.pathname !== '' && u.pathname !== '/') || u.search || u.hash) return null
  const port = u.port ? Number(u.port) : kind === 'http-connect' ? 8080 : 1080
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
  const spec: ProxySpec = { kind, host, port }
  if (u.username) spec.username = decodeURIComponent(u.username)
  if (u.password) spec.password = decodeURIComponent(u.password)
  return spec
}

/** The proxy a sink uses: its own setting, else the global one; `direct` (or nothing) means none. */
export function resolveProxy(own: string | undefined, global: string | undefined): ProxySpec | null {
  const s = own ?? global
  if (s === undefined || s === 'direct') return null
  const spec = parseProxyUrl(s)
  if (!spec) throw new ProxyError(`invalid proxy setting: ${redact(s)}`)
  return spec
}

/** `host:port` of a proxy, for messages (never its password). */
export function describeProxy(p: ProxySpec): string {
  const scheme = p.kind === 'http-connect' ? 'http' : p.kind
  return `${scheme}://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`
}

function redact(s: string): string {
  return s.replace(/\/\/[^@/]*@/, '//***@')
}

export interface TunnelOptions {
  /** Gives up on the proxy's handshake after this long (ms). */
  timeoutMs?: number
}

/** A TCP connection to `host:port` through the proxy; rejects with a ProxyError when the proxy fails or refuses. */
export async function openTunnel(proxy: ProxySpec, host: string, port: number, opts: TunnelOptions = {}): Promise<net.Socket> {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const where = describeProxy(proxy)
  if (proxy.kind === 'http-connect') return connectTunnel(proxy, host, port, timeoutMs)
  let target = host
  if (proxy.kind === 'socks5' && net.isIP(host) === 0) {
    try {
      target = (await lookup(host)).address
    } catch (e) {
      // Not the proxy's fault, but nothing left the machine: say so plainly.
      throw Object.assign(new Error(`cannot resolve ${host}: ${(e as Error).message}`), { code: 'ENOTFOUND' })
    }
  }
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: 5,
        ...(proxy.username !== undefined ? { userId: proxy.username, password: proxy.password ?? '' } : {}),
      },
      destination: { host: target, port },
      command: 'connect',
      timeout: timeoutMs,
    })
    return socket
  } catch (e) {
    throw new ProxyError(`SOCKS5 proxy ${where} could not open a tunnel to ${host}:${port}: ${(e as Error).message}`)
  }
}

function connectTunnel(proxy: ProxySpec, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const where = describeProxy(proxy)
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`
  return new Promise<net.Socket>((resolve, reject) => {
    const headers: Record<string, string> = { host: authority }
    if (proxy.username !== undefined) {
      headers['proxy-authorization'] = `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`
    }
    const req = http.request({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: authority, headers, agent: false })
    let settled = false
    const fail = (msg: string) => {
      if (settled) return
      settled = true
      req.destroy()
      reject(new ProxyError(msg))
    }
    const timer = setTimeout(() => fail(`HTTP proxy ${where} did not answer CONNECT ${authority} within ${timeoutMs} ms`), timeoutMs)
    req.once('connect', (res, socket, head) => {
      clearTimeout(timer)
      if (res.statusCode !== 200) {
        socket.destroy()
        fail(`HTTP proxy ${where} refused CONNECT ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim())
        return
      }
      settled = true
      if (head.length > 0) socket.unshift(head)
      resolve(socket)
    })
    req.once('response', (res) => {
      // A proxy that answers CONNECT with a plain response (no upgrade): a refusal all the same.
      clearTimeout(timer)
      res.resume()
      fail(`HTTP proxy ${where} refused CONNECT ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim())
    })
    req.once('error', (e) => {
      clearTimeout(timer)
      fail(`HTTP proxy ${where} unreachable: ${(e as Error).message}`)
    })
    req.end()
  })
}

type ConnectCallback = (err: Error | null, socket?: Duplex) => void

/**
 * A node:http(s) Agent for requests to `secure` (https) or plain http backends. With a proxy, each connection
 * is a tunnel (openTunnel) and, for https, TLS runs inside it with the request's own TLS options (ca, servername,
 * rejectUnauthorized); without one it is the ordinary keep-alive Agent.
 */
export function createEgressAgent(proxy: ProxySpec | null, secure: boolean, opts: TunnelOptions & { keepAlive?: boolean } = {}): http.Agent {
  const keepAlive = opts.keepAlive ?? true
  if (!proxy) return secure ? new https.Agent({ keepAlive }) : new http.Agent({ keepAlive })
  const tunnel = (options: http.ClientRequestArgs & tls.ConnectionOptions, cb: ConnectCallback) => {
    const host = String(options.host ?? options.hostname ?? 'localhost')
    const port = Number(options.port ?? (secure ? 443 : 80))
    openTunnel(proxy, host, port, opts).then(
      (socket) => {
        if (!secure) return cb(null, socket)
        const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined)
        const t = tls.connect({ ...options, socket, ...(servername ? { servername } : {}) } as tls.ConnectionOptions)
        const onError = (e: Error) => cb(e)
        t.once('error', onError)
        t.once('secureConnect', () => {
          t.off('error', onError)
          cb(null, t)
        })
      },
      (e: Error) => cb(e),
    )
    return undefined
  }
  // Node's Agent accepts a createConnection that answers through its callback (returns nothing).
  if (secure) {
    const a = new https.Agent({ keepAlive })
    ;(a as unknown as { createConnection: typeof tunnel }).createConnection = tunnel
    return a
  }
  const a = new http.Agent({ keepAlive })
  ;(a as unknown as { createConnection: typeof tunnel }).createConnection = tunnel
  return a
}
