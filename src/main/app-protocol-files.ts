import fs from 'node:fs'
import { extname, isAbsolute, relative, resolve } from 'node:path'
import { promisify } from 'node:util'

/**
 * The desktop renderer is served from `app://plantdeck/…` instead of file://, so the page has a real origin
 * (CSP 'self' means only this folder, not the whole disk) and gets none of file://'s extra privileges.
 * Plain Node on purpose (no electron import): the path checks are unit-tested with real files.
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'plantdeck'
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

export function mimeTypeOf(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

// Through the fs object, looked up at call time: Electron patches its functions to read inside app.asar.
const realpath = (p: string) => promisify(fs.realpath)(p)
const stat = (p: string) => promisify(fs.stat)(p)
const readFile = (p: string) => promisify(fs.readFile)(p)

export type AppFile = { ok: true; path: string; mime: string } | { ok: false; status: 400 | 404; reason: string }

const inside = (root: string, p: string) => {
  const rel = relative(root, p)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/**
 * Maps an app:// URL to a regular file inside `root`, or says why not. Refused: another host, `..` in any
 * form (the URL parser folds `..` and `%2e%2e`; a decoded `%2f` or `%5c` could still smuggle one, so
 * segments holding a separator, a NUL or a drive colon are refused), symlinks that leave `root`
 * (checked on the real path), directories and missing files.
 */
export async function resolveAppFile(root: string, requestUrl: string): Promise<AppFile> {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return { ok: false, status: 400, reason: 'bad url' }
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 404, reason: 'unknown host' }
  const segments: string[] = []
  for (const raw of url.pathname.split('/').filter(Boolean)) {
    let s: string
    try {
      s = decodeURIComponent(raw)
    } catch {
      return { ok: false, status: 400, reason: 'bad encoding' }
    }
    if (s === '.' || s === '..' || /[/\\:\0]/.test(s)) return { ok: false, status: 404, reason: 'bad path segment' }
    segments.push(s)
  }
  let realRoot: string
  try {
    realRoot = await realpath(root)
  } catch {
    return { ok: false, status: 404, reason: 'renderer folder missing' }
  }
  const candidate = resolve(realRoot, ...segments)
  if (!inside(realRoot, candidate)) return { ok: false, status: 404, reason: 'outside the renderer folder' }
  let real: string
  try {
    real = await realpath(candidate)
  } catch {
    return { ok: false, status: 404, reason: 'not found' }
  }
  if (!inside(realRoot, real)) return { ok: false, status: 404, reason: 'link leaves the renderer folder' }
  const st = await stat(real).catch(() => undefined)
  if (!st?.isFile()) return { ok: false, status: 404, reason: 'not a file' }
  return { ok: true, path: real, mime: mimeTypeOf(real) }
}

/** The protocol handler's answer: the file with its MIME type and the page's security headers, or a bare error. */
export async function appFileResponse(root: string, req: { url: string; method: string }, headers: Record<string, string> = {}): Promise<Response> {
  const base = { 'X-Content-Type-Options': 'nosniff', ...headers }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return new Response('method not allowed', { status: 405, headers: { ...base, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  const file = await resolveAppFile(root, req.url)
  if (!file.ok) return new Response('not found', { status: file.status, headers: { ...base, 'Content-Type': 'text/plain; charset=utf-8' } })
  const body = await readFile(file.path).catch(() => undefined)
  if (!body) return new Response('not found', { status: 404, headers: { ...base, 'Content-Type': 'text/plain; charset=utf-8' } })
  return new Response(req.method === 'HEAD' ? null : body, {
    status: 200,
    headers: { ...base, 'Content-Type': file.mime, 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' },
  })
}
