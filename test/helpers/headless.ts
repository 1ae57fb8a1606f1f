import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { adminFlags, TEST_PASSWORD } from './login'

export interface Headless {
  url: string
  dataDir: string
  child: ChildProcess
  output(): string
  /** `keepDataDir`: keep the data dir for a restart on it (else as started). */
  stop(o?: { keepDataDir?: boolean }): Promise<void>
}

const ROOT = resolve(import.meta.dirname, '..', '..')

/**
 * The real headless server (`src/server/main.ts`) as a child process on port 0, demo plant on free ports,
 * in a temporary data dir, with the administrator created by `--admin-user` (log in with test/helpers/login.ts).
 * Resolves once it prints its URL.
 */
export async function startHeadless(
  config: object = {},
  /**
   * `configFile`: start with this file as it is (`config` is then not used); it should set `server.port: 0`.
   * `nodeArgs`: flags for node itself, e.g. a heap limit.
   * `admin: false`: start without `--admin-user` (no user exists on a fresh data dir: first-start setup).
   * `args`: more arguments for the server.
   */
  opts: { dataDir?: string; keepDataDir?: boolean; timeoutMs?: number; configFile?: string; nodeArgs?: string[]; admin?: boolean; args?: string[] } = {},
): Promise<Headless> {
  const timeoutMs = opts.timeoutMs ?? 60_000
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'plantdeck-e2e-'))
  const cfg = opts.configFile ?? join(dataDir, 'config.json')
  if (!opts.configFile) writeFileSync(cfg, JSON.stringify({ demo: { opcuaPort: 0, mqttPort: 0 }, server: { port: 0 }, ...config }))
  // the administrator the way an operator would create it from the command line: the password from a file
  const pwFile = join(dataDir, 'admin-password.txt')
  if (opts.admin !== false) writeFileSync(pwFile, TEST_PASSWORD + '\n', { mode: 0o600 })
  const admin = opts.admin === false ? [] : adminFlags(pwFile)
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'src/server/main.ts'), '--config', cfg, '--data-dir', dataDir, ...admin, ...(opts.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs)
    const check = () => {
      const m = /Plantdeck is running at (\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        res(m[1]!)
      }
    }
    child.stderr!.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      rej(new Error(`server exited with ${code}:\n${out.slice(-2000)}`))
    })
  })
  return {
    url,
    dataDir,
    child,
    output: () => out,
    /** Stops the server; `keepDataDir` keeps its data dir for a restart on it (else as started). */
    async stop(o: { keepDataDir?: boolean } = {}) {
      if (child.exitCode === null) {
        await new Promise<void>((r) => {
          child.once('exit', () => r())
          child.kill('SIGTERM')
        })
      }
      if (!(o.keepDataDir ?? opts.keepDataDir)) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
