import { closeSync, constants, createReadStream, fstatSync, openSync, realpathSync, type Stats } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { pipeline } from 'node:stream'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
}

/**
 * Serves the built renderer; never a file outside `root`, also not through a symbolic link (only real paths inside
 * the real root are served). Unknown paths get index.html (single-page app); a path that exists outside is a 404.
 */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end('method not allowed')
    return
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    res.writeHead(400, SECURITY_HEADERS).end('bad request')
    return
  }
  const rel = normalize(pathname).replace(/^([/\\])+/, '')
  const file = join(root, rel)
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, SECURITY_HEADERS).end('forbidden')
    return
  }
  let found = openInside(root, file)
  if (found === 'outside' || (found === undefined && extname(rel))) {
    res.writeHead(404, SECURITY_HEADERS).end('not found')
    return
  }
  if (found === undefined) {
    found = openInside(root, join(root, 'index.html'))
    if (typeof found !== 'object') {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('The user interface is not built: run `npm run build:web`.')
      return
    }
  }
  const { fd, st, real } = found
  const immutable = rel.startsWith('assets/')
  res.writeHead(200, {
    'Content-Type': TYPES[extname(real)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  })
  if (req.method === 'HEAD') {
    closeSync(fd)
    res.end()
  } else pipeline(createReadStream('', { fd }), res, () => undefined) // closes the file when the client goes away too
}

/**
 * Opens `file` if its real path (every link resolved) is a regular file inside the real `root`. The resolved path is
 * opened with O_NOFOLLOW, so a link swapped in after the check is not followed either. `undefined`: nothing there.
 */
function openInside(root: string, file: string): { fd: number; st: Stats; real: string } | 'outside' | undefined {
  let real: string
  let realRoot: string
  try {
    realRoot = realpathSync(root)
    real = realpathSync(file)
  } catch {
    return undefined
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) return 'outside'
  let fd: number
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch {
    return undefined
  }
  const st = fstatSync(fd)
  if (st.isFile()) return { fd, st, real }
  closeSync(fd)
  return undefined
}
