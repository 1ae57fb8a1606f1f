import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

const digest = (s: string) => createHash('sha256').update(s).digest()
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b))

/**
 * The shared access token: API clients send `Authorization: Bearer <token>`; a browser opens `/?token=…` once and
 * gets a cookie instead (a browser cannot set headers on a WebSocket). The cookie holds a value derived from the
 * token, not the token, so it can be checked without state and survives a server restart.
 */
export function tokenAuth(token: string, o: { port: number; tls: boolean }) {
  // The port is in the name: cookies ignore ports, and two servers on one machine must not overwrite each other's.
  const name = `plantdeck_token_${o.port}`
  const value = createHmac('sha256', token).update('plantdeck browser cookie v1').digest('base64url')
  const attrs = `HttpOnly; SameSite=Strict; Path=/${o.tls ? '; Secure' : ''}`

  const fromCookie = (req: IncomingMessage) => {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=')
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
    }
    return undefined
  }

  return {
    /** True when the request carries the right bearer header (an API client). */
    bearer(req: IncomingMessage): boolean {
      const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')
      return auth !== null && same(auth[1]!.trim(), token)
    },
    /** An upgrade to /api is allowed with the bearer header or the cookie; `?token=` in that URL is not looked at. */
    allows(req: IncomingMessage): boolean {
      const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')
      if (auth) return same(auth[1]!.trim(), token)
      const c = fromCookie(req)
      return c !== undefined && same(c, value)
    },
    /**
     * A page request carrying `?token=`: a right token sets the cookie and redirects to the same URL without it,
     * so the token leaves the address bar and history; a wrong one is refused. Returns 'none' when there is no token.
     */
    exchange(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): 'none' | 'accepted' | 'refused' {
      const url = new URL(req.url ?? '/', 'http://x')
      if (!url.searchParams.has('token')) return 'none'
      const given = url.searchParams.get('token') ?? ''
      if (!same(given, token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end('wrong token')
        return 'refused'
      }
      url.searchParams.delete('token')
      // One leading slash: `//evil.example` in Location would send the browser to another site.
      const location = '/' + url.pathname.replace(/^[/\\]+/, '') + url.search
      res
        .writeHead(303, { Location: location, 'Set-Cookie': `${name}=${value}; ${attrs}`, 'Cache-Control': 'no-store', ...headers })
        .end()
      return 'accepted'
    },
  }
}
export type TokenAuth = ReturnType<typeof tokenAuth>
