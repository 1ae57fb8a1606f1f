import type { IncomingMessage, ServerResponse } from 'node:http'
import { isAppError } from '../shared/model/errors'
import type { Principal } from '../shared/model/principal'

/** What the HTTP side needs of identity: the login, a cookie's session, a logout by cookie. */
export interface HttpIdentity {
  login(user: string, password: string, from: string): Promise<{ principal: Principal; secret: string; session: { expiresAt: number } }>
  resolve(secret: string, from: string): Principal
  logoutSecret(secret: string, from: string): Promise<boolean>
  readonly absoluteMs: number
}

const MAX_BODY = 8 * 1024

/** Reads a cookie's value by name from the request. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        reject(Object.assign(new Error('body is not JSON'), { status: 400 }))
      }
    })
    req.on('error', reject)
  })
}

const STATUS: Record<string, number> = { 'auth.bad_credentials': 401, 'auth.locked': 429, 'audit.write_failed': 503 }

/**
 * Browser sessions: `POST /auth/login` (JSON `{user, password}`) sets the session cookie — HttpOnly, so page
 * scripts never read the secret; SameSite=Strict; Secure under TLS; the port in its name, as cookies ignore ports —
 * and `POST /auth/logout` ends the session and clears it. The WebSocket upgrade resolves the cookie into the
 * session's principal (`principalOf`); an unknown, forged or expired cookie connects without one.
 */
export function sessionCookies(identity: HttpIdentity, o: { port: number; tls: boolean }) {
  const name = `plantdeck_session_${o.port}`
  const attrs = `HttpOnly; SameSite=Strict; Path=/${o.tls ? '; Secure' : ''}`
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>, cookie?: string) =>
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...(cookie ? { 'Set-Cookie': cookie } : {}), ...headers }).end(JSON.stringify(body))

  return {
    name,
    principalOf(req: IncomingMessage, from: string): Principal | null {
      const secret = readCookie(req, name)
      if (!secret) return null
      try {
        return identity.resolve(secret, from)
      } catch {
        return null
      }
    },
    /** Answers `/auth/login` and `/auth/logout`; false for any other request (not handled). */
    handle(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): boolean {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (path !== '/auth/login' && path !== '/auth/logout') return false
      const from = `http ${req.socket.remoteAddress ?? '?'}`
      if (req.method !== 'POST') {
        json(res, 405, { ok: false, error: { code: 'rpc.bad_envelope', message: 'POST only' } }, { ...headers, Allow: 'POST' })
        return true
      }
      // JSON only: a cross-site form cannot send it without a preflight (and the Origin is checked before this)
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        json(res, 415, { ok: false, error: { code: 'rpc.bad_envelope', message: 'Content-Type: application/json' } }, headers)
        return true
      }
      void (async () => {
        if (path === '/auth/logout') {
          const secret = readCookie(req, name)
          const ended = secret ? await identity.logoutSecret(secret, from) : false
          req.resume()
          return json(res, 200, { ok: true, ended }, headers, `${name}=; ${attrs}; Max-Age=0`)
        }
        const body = (await readJson(req)) as { user?: unknown; password?: unknown }
        if (typeof body?.user !== 'string' || typeof body.password !== 'string' || body.user.length > 64 || body.password.length > 1024) {
          return json(res, 400, { ok: false, error: { code: 'rpc.bad_params', message: 'expected {user, password}' } }, headers)
        }
        const r = await identity.login(body.user, body.password, from)
        const maxAge = Math.max(1, Math.floor((r.session.expiresAt - Date.now()) / 1000))
        return json(res, 200, { ok: true, principal: { kind: r.principal.kind, user: r.principal.user, roles: r.principal.roles, ...(r.principal.scopes ? { scopes: r.principal.scopes } : {}) } }, headers, `${name}=${r.secret}; ${attrs}; Max-Age=${maxAge}`)
      })().catch((e: unknown) => {
        if (res.headersSent) return
        if (isAppError(e)) return json(res, STATUS[e.code] ?? 400, { ok: false, error: e.toShape() }, headers)
        const status = (e as { status?: number }).status ?? 500
        return json(res, status, { ok: false, error: { code: status === 500 ? 'rpc.internal' : 'rpc.bad_envelope', message: (e as Error).message } }, headers)
      })
      return true
    },
  }
}
export type SessionCookies = ReturnType<typeof sessionCookies>
