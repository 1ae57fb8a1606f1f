import { networkInterfaces } from 'node:os'
import type { Logger } from '../core/ports/logger'

/**
 * Which Host and Origin headers this server answers to. A DNS-rebound page (a name the attacker controls, now
 * resolving to 127.0.0.1) sends its own name in Host and Origin; comparing the two with each other proves nothing,
 * so both are checked against the names this server is meant to have.
 */
export interface AccessPolicy {
  /** Hostname (lowercase, IPv6 without brackets) if `host` names this server on its port, else undefined. */
  host(header: string | undefined): string | undefined
  /** True if the Origin is absent (not a browser) or is this server's own scheme://name:port. */
  origin(header: string | undefined): boolean
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', ''])
const isLoopback = (h: string) => h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
/** Lowercase, IPv6 without brackets and in its canonical short form (`[0:0::1]` is `::1`), so names compare equal. */
function bare(h: string): string {
  const name = h.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (!name.includes(':')) return name
  try {
    return new URL(`http://[${name}]`).hostname.slice(1, -1)
  } catch {
    return name
  }
}

/** Splits a Host header into name and port; undefined for anything malformed (userinfo, paths, bad ports). */
export function parseHost(header: string): { name: string; port?: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(header)
  if (!m) return undefined
  const port = m[2] === undefined ? undefined : Number(m[2])
  if (port !== undefined && port > 65535) return undefined
  return { name: bare(m[1]!), ...(port !== undefined ? { port } : {}) }
}

/**
 * Allowed names: loopback addresses, `localhost`, the bind address, `hostnames` from the configuration, and, when
 * bound to every interface, this machine's interface addresses (an IP literal cannot be rebound).
 */
export function accessPolicy(o: { bindHost: string; port: number; tls: boolean; hostnames?: readonly string[] }): AccessPolicy {
  const names = new Set((o.hostnames ?? []).map(bare))
  const bind = bare(o.bindHost)
  if (WILDCARD.has(bind)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bare(a.address.replace(/%.*$/, '')))
  } else names.add(bind)
  const allowed = (name: string) => isLoopback(name) || names.has(name)
  const scheme = o.tls ? 'https:' : 'http:'
  const defaultPort = o.tls ? 443 : 80

  return {
    host(header) {
      const h = header === undefined ? undefined : parseHost(header)
      if (!h || !allowed(h.name)) return undefined
      // No port means the client trusts whatever is in front of us; another port is a different service.
      if (h.port !== undefined && h.port !== o.port) return undefined
      return h.name
    },
    origin(header) {
      if (header === undefined) return true // not a browser: the token (when configured) is the gate
      let u: URL
      try {
        u = new URL(header)
      } catch {
        return false // includes "null" (sandboxed frames, file: pages)
      }
      const port = u.port === '' ? defaultPort : Number(u.port)
      // An Origin is scheme://host[:port] and nothing else.
      if (u.username || u.password || u.search || u.hash || u.pathname !== '/' || header.endsWith('/')) return false
      return u.protocol === scheme && port === o.port && allowed(bare(u.hostname))
    },
  }
}

/** Distinct refusals logged in full; past this only the counters grow (a loop of bad requests must not fill the disk). */
const MAX_LOGGED = 256

export type RefusalReason = 'host' | 'origin' | 'token' | 'path'

/** Counts every refused request by reason; logs the first of each distinct (reason, value) once. */
export function refusalLog(logger: Logger) {
  const counts: Record<RefusalReason, number> = { host: 0, origin: 0, token: 0, path: 0 }
  const logged = new Set<string>()
  return {
    counts: counts as Readonly<Record<RefusalReason, number>>,
    /** `value` is what was wrong (a header), never a secret; `kind` is `http` or `websocket`. */
    refuse(reason: RefusalReason, kind: 'http' | 'websocket', remote: string | undefined, value?: string) {
      counts[reason]++
      const key = `${kind} ${reason} ${value ?? ''}`
      if (logged.has(key) || logged.size >= MAX_LOGGED) return
      logged.add(key)
      logger.warn({ reason, kind, remote, value: value?.slice(0, 200), note: 'repeats are counted, not logged' }, 'request refused')
    },
  }
}
export type RefusalLog = ReturnType<typeof refusalLog>
