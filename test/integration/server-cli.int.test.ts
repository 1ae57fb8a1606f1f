import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'plantdeck-cli-'))
const serve = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/main.ts'), '--data-dir', dir, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })

describe('headless server start-up refusals', () => {
  it('names the file, the field and the reason of a bad configuration, without a stack trace', () => {
    const cfg = join(dir, 'bad.yaml')
    writeFileSync(cfg, 'server:\n  port: 99999\n  hots: x\n')
    const r = serve('--config', cfg)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('[config.invalid]')
    expect(r.stderr).toContain('bad.yaml')
    expect(r.stderr).toContain('server.port')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses a non-loopback address without TLS and a token', () => {
    const r = serve('--host', '0.0.0.0', '--port', '0')
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0/)
  })
})
