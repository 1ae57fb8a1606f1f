import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './mosquitto'

export const DANTED = ['/usr/sbin/danted', '/usr/bin/danted'].find(existsSync) ?? null

export interface Danted {
  port: number
  url: string
  /** What danted logged (its connect lines name each tunnel's destination). */
  log(): string
  stop(): Promise<void>
}

/**
 * Debian's dante-server (`danted`) as a real SOCKS5 proxy on a free loopback port, no authentication, with a temp
 * config: tunnels to loopback pass (and are logged), tunnels to `blockedPorts` are refused by the ruleset.
 */
export async function startDanted(blockedPorts: number[] = []): Promise<Danted> {
  if (!DANTED) throw new Error('danted not found: apt-get install -y dante-server')
  const dir = mkdtempSync(join(tmpdir(), 'plantdeck-danted-'))
  const port = await freePort()
  const conf = [
    'logoutput: stderr',
    `internal: 127.0.0.1 port = ${port}`,
    'external: 127.0.0.1',
    'clientmethod: none',
    'socksmethod: none',
    'user.privileged: root',
    'user.unprivileged: nobody',
    'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }',
    ...blockedPorts.map((p) => `socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 port = ${p}\n  log: connect }`),
    'socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8\n  log: connect disconnect }',
    'socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 }',
    '',
  ].join('\n')
  writeFileSync(join(dir, 'danted.conf'), conf)
  const child: ChildProcess = spawn(DANTED, ['-f', join(dir, 'danted.conf'), '-N', '1', '-p', join(dir, 'danted.pid')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()))
  const deadline = Date.now() + 10_000
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1')
      c.once('connect', () => (c.destroy(), r(true)))
      c.once('error', () => r(false))
    })
    if (up) break
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`danted did not start: ${log}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    port,
    url: `socks5://127.0.0.1:${port}`,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await gone
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface ConnectProxy {
  port: number
  url: string
  /** Authorities (`host:port`) asked for with CONNECT, in order, whether granted or not. */
  connects: string[]
  /** Answer CONNECT with 403 for these ports. */
  refusePorts: Set<number>
  /** When set, CONNECT needs this Proxy-Authorization (Basic user:pass), else 407. */
  credentials: string | null
  close(): Promise<void>
}

/** An HTTP CONNECT proxy over node:http, for the tests: tunnels to loopback only. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const server = http.createServer((_req, res) => {
    res.writeHead(405)
    res.end('CONNECT only')
  })
  const p: ConnectProxy = { port: 0, url: '', connects: [], refusePorts: new Set(), credentials: null, close: async () => {} }
  const sockets = new Set<net.Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authority = req.url ?? ''
    p.connects.push(authority)
    const i = authority.lastIndexOf(':')
    const host = authority.slice(0, i).replace(/^\[|\]$/g, '')
    const port = Number(authority.slice(i + 1))
    if (p.credentials !== null && req.headers['proxy-authorization'] !== `Basic ${Buffer.from(p.credentials).toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n')
      return
    }
    if (p.refusePorts.has(port) || !['127.0.0.1', 'localhost', '::1'].includes(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    const upstream = net.connect(port, host === 'localhost' ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  p.port = (server.address() as net.AddressInfo).port
  p.url = `http://127.0.0.1:${p.port}`
  p.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    })
  return p
}
