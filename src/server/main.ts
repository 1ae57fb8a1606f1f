import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'
import { readFileSync } from 'node:fs'
import { exposureProblem } from '../core/config/app-config'
import { loadConfig } from '../adapters/config/load-config'
import { defaultDataDir } from '../app/data-dir'
import { createLogger } from '../app/logger'
import { startRuntime } from '../app/runtime'
import { isAppError } from '../shared/model/errors'
import { startHttpServer, type HttpServer } from './http-server'

const DEFAULT_PORT = 6042

const USAGE = `Usage: npm run serve -- [--config FILE] [--host ADDR] [--port N] [--data-dir DIR] [--no-demo]
                       [--admin-user NAME (--admin-password-file FILE | --admin-password-stdin)]
  Serves the Plantdeck UI and API (default http://127.0.0.1:6042/).
  --admin-user creates the first administrator when no user exists yet; the password is read from the file or
  standard input, never from the arguments. Without it, the first browser on this machine is asked for one.
  Env: PLANTDECK_CONFIG (config file), PLANTDECK_DATA_DIR.`

/** The administrator's password from a file or standard input (one line; the line break is not part of it). */
async function readPassword(file: string | undefined, stdin: boolean): Promise<string> {
  let text: string
  if (file !== undefined) text = readFileSync(file, 'utf8')
  else if (stdin) {
    const chunks: Buffer[] = []
    for await (const c of process.stdin) chunks.push(c as Buffer)
    text = Buffer.concat(chunks).toString('utf8')
  } else throw new Error('--admin-user needs --admin-password-file FILE or --admin-password-stdin (a password is never an argument)')
  const pw = text.replace(/\r?\n$/, '')
  if (pw.includes('\n')) throw new Error('the administrator password is one line')
  return pw
}

/** Headless composition root: configuration, runtime, HTTP + WebSocket. */
async function main() {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'no-demo': { type: 'boolean' },
      'admin-user': { type: 'string' },
      'admin-password-file': { type: 'string' },
      'admin-password-stdin': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const configFile = values.config ?? process.env.PLANTDECK_CONFIG
  const config = loadConfig(configFile)
  if (values.host) config.server.host = values.host
  if (values.port !== undefined) {
    const p = Number(values.port)
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`--port must be 0..65535, got "${values.port}"`)
    config.server.port = p
  }
  if (values['no-demo']) config.demo.enabled = false
  const exposure = exposureProblem(config)
  if (exposure) throw new Error(exposure)

  if ((values['admin-password-file'] !== undefined || values['admin-password-stdin']) && !values['admin-user']) throw new Error('--admin-password-file/--admin-password-stdin need --admin-user NAME')
  const adminPassword = values['admin-user'] ? await readPassword(values['admin-password-file'], values['admin-password-stdin'] ?? false) : undefined

  const dataDir = resolve(values['data-dir'] ?? config.dataDir ?? defaultDataDir())
  const logger = createLogger(dataDir, config.logLevel, config.log)
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
  let listening: HttpServer | undefined // system.diagnostics reads its counters; the server starts after the runtime
  const runtime = await startRuntime({ config, configFile, dataDir, logger, logHealth: logger.logHealth, host: 'headless', version, http: () => (listening ? { refused: { ...listening.refused } } : undefined) })
  if (values['admin-user'] && adminPassword !== undefined) {
    if (!runtime.identity) throw new Error('--admin-user: the application database is not open, so no user can be created')
    try {
      const r = await runtime.identity.ensureAdmin(values['admin-user'], adminPassword)
      if (r === 'created') logger.info({ user: values['admin-user'] }, 'first administrator created from the command line')
      else logger.info({ user: values['admin-user'], outcome: r }, r === 'exists' ? '--admin-user: that user exists; left as it is' : '--admin-user: users exist already; nobody created')
    } catch (e) {
      await runtime.stop()
      throw e
    }
  }
  logger.info({ kiosk: runtime.kiosk }, runtime.kiosk ? 'kiosk on: the plant is shown read-only without a login' : 'kiosk off: every view needs a login')
  const listen = (port: number) =>
    startHttpServer({
      host: config.server.host,
      port,
      ...(config.server.tls ? { tls: config.server.tls } : {}),
      ...(config.server.token ? { token: config.server.token } : {}),
      ...(config.server.hostnames ? { hostnames: config.server.hostnames } : {}),
      tokenRole: config.server.tokenRole,
      ...(runtime.identity ? { identity: runtime.identity } : {}),
      webRoot: join(root, 'out', 'web'),
      rpc: runtime.rpc,
      refused: (r) => runtime.core.refusals.record(r),
      logger,
    })
  const portChosen = values.port !== undefined || config.server.port !== DEFAULT_PORT
  const http = await listen(config.server.port).catch((e: NodeJS.ErrnoException) => {
    // A PoC must not die because something else took the default port; a port someone chose is honoured or fails.
    if (e.code !== 'EADDRINUSE' || portChosen) throw e
    logger.warn({ port: config.server.port }, 'default port in use; using a free port instead')
    return listen(0)
  })
  listening = http
  logger.info({ url: http.url, dataDir }, 'Plantdeck headless server listening')
  // One plain line for people and for scripts that start us with --port 0.
  // The token itself is never printed or logged; a browser opens the URL once with it and then keeps a cookie.
  process.stderr.write(`Plantdeck is running at ${http.url}${config.server.token ? ` (open it once as ${http.url}?token=<your token>)` : ''}\n`)
  if (runtime.identity?.setupRequired()) {
    process.stderr.write(`No user exists yet: open ${http.url} on this machine to create the administrator, or restart with --admin-user NAME --admin-password-stdin.\n`)
  }

  let stopping = false
  const shutdown = async (sig: string) => {
    if (stopping) return
    stopping = true
    logger.info({ sig }, 'stopping')
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    await http.close()
    await runtime.stop()
    logger.info('stopped')
    await logger.closeLog() // the last lines reach the file (as far as it takes them) before the exit
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}

main().catch((e) => {
  // A person reads this: the reason, never a stack trace.
  const msg = isAppError(e) ? `[${e.code}] ${e.message}` : (e as Error).message
  process.stderr.write(`Plantdeck could not start: ${msg}\n`)
  process.exit(2)
})
