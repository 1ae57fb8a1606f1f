import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_INDEX_URL, appFileResponse, resolveAppFile } from './app-protocol-files'

// A real renderer folder in a temp dir, with a secret beside it that no app:// URL may reach.
let dir: string
let root: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-app-protocol-'))
  root = join(dir, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Plantdeck</title>')
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}')
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>')
  writeFileSync(join(root, 'assets', 'data.bin'), 'x')
  writeFileSync(join(root, 'assets', 'a b.js'), 'spaced')
  writeFileSync(join(dir, 'secret.txt'), 'SECRET')
  mkdirSync(join(dir, 'outside'))
  writeFileSync(join(dir, 'outside', 'x.js'), 'SECRET')
  symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'link-out.txt'))
  symlinkSync(join(dir, 'outside'), join(root, 'linked-dir'))
  symlinkSync(join(root, 'assets', 'index-abc.js'), join(root, 'assets', 'link-in.js'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const get = (url: string, method = 'GET') => appFileResponse(root, { url, method }, { 'Content-Security-Policy': "default-src 'self'" })

describe('app:// file resolution', () => {
  it('serves the index page and assets with their MIME types and the given security headers', async () => {
    const index = await get(APP_INDEX_URL)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(index.headers.get('content-security-policy')).toBe("default-src 'self'")
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await index.text()).toContain('<title>Plantdeck</title>')
    const types = await Promise.all(
      ['assets/index-abc.js', 'assets/index-abc.css', 'assets/logo.svg', 'assets/data.bin'].map(async (p) => (await get(`app://plantdeck/${p}`)).headers.get('content-type')),
    )
    expect(types).toEqual(['text/javascript; charset=utf-8', 'text/css; charset=utf-8', 'image/svg+xml', 'application/octet-stream'])
  })

  it('decodes ordinary escapes and ignores query and fragment', async () => {
    expect(await (await get('app://plantdeck/assets/a%20b.js')).text()).toBe('spaced')
    expect((await get('app://plantdeck/index.html?x=1#top')).status).toBe(200)
  })

  it('follows a symlink that stays inside the renderer folder', async () => {
    const r = await resolveAppFile(root, 'app://plantdeck/assets/link-in.js')
    expect(r).toMatchObject({ ok: true, mime: 'text/javascript; charset=utf-8' })
  })

  it.each([
    ['plain ..', 'app://plantdeck/../secret.txt'],
    ['.. after a folder', 'app://plantdeck/assets/../../secret.txt'],
    ['encoded dots', 'app://plantdeck/%2e%2e/secret.txt'],
    ['encoded slash', 'app://plantdeck/..%2fsecret.txt'],
    ['encoded backslash', 'app://plantdeck/assets/..%5c..%5csecret.txt'],
    ['double encoding', 'app://plantdeck/%252e%252e/secret.txt'],
    ['NUL byte', 'app://plantdeck/index.html%00.js'],
    ['drive letter', 'app://plantdeck/C:%5csecret.txt'],
    ['symlinked file out', 'app://plantdeck/assets/link-out.txt'],
    ['symlinked folder out', 'app://plantdeck/linked-dir/x.js'],
    ['missing file', 'app://plantdeck/assets/nope.js'],
    ['a folder', 'app://plantdeck/assets'],
    ['the bare origin', 'app://plantdeck/'],
    ['another host', 'app://evil/index.html'],
    ['another scheme', 'file:///etc/passwd'],
  ])('answers 404 and no file for %s', async (_name, url) => {
    const r = await get(url)
    expect(r.status).toBe(404)
    const body = await r.text()
    expect(body).not.toContain('SECRET')
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8')
  })

  it('answers 400 for a broken escape and 405 for a method other than GET or HEAD', async () => {
    expect((await get('app://plantdeck/%E0%A4%A')).status).toBe(400)
    const post = await get(APP_INDEX_URL, 'POST')
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('answers HEAD with the headers and no body', async () => {
    const r = await get(APP_INDEX_URL, 'HEAD')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-length')).toBe(String('<!doctype html><title>Plantdeck</title>'.length))
    expect(await r.text()).toBe('')
  })

  it('answers 404 when the renderer folder itself is missing', async () => {
    expect((await appFileResponse(join(dir, 'no-such-folder'), { url: APP_INDEX_URL, method: 'GET' })).status).toBe(404)
  })
})
