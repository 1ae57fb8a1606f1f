import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'
import { readFileSync } from 'node:fs'
import { exposureProblem } from '../core/config/app-config'
import { loadConfig } from '../adapters/config/load-config'
import { defaultDataDir } from '../host/data-dir'
import { createLogger } from '../host/logger'
import { startRuntime } from '../host/runtime'
import { isAppError } from '../shared/model/errors'
import { startHttpServer, type HttpServer } from './http-server'

const DEFAULT_PORT = 6042

const USAGE = `Usage: npm run serve -- [--config FILE] [--host ADDR] [--port N] [--data-dir DIR] [--no-demo]
  Serves the Plantdeck UI and API (default http://127.0.0.1:6042/).
  Env: PLANTDECK_CONFIG (config file), PLANTDECK_DATA_DIR.`

/** Headless composition root: configuration, runtime, HTTP + WebSocket. */
async function main() {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'no-demo': { type: 'boolean' },
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

  const dataDir = resolve(values['data-dir'] ?? config.dataDir ?? defaultDataDir())
  const logger = createLogger(dataDir, config.logLevel, config.log)
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
  let listening: HttpServer | undefined // system.diagnostics reads its counters; the server starts after the runtime
  const runtime = await startRuntime({ config, configFile, dataDir, logger, logHealth: logger.logHealth, host: 'headless', version, http: () => (listening ? { refused: { ...listening.refused } } : undefined) })
  const listen = (port: number) =>
    startHttpServer({
      host: config.server.host,
      port,
      ...(config.server.tls ? { tls: config.server.tls } : {}),
      ...(config.server.token ? { token: config.server.token } : {}),
      ...(config.server.hostnames ? { hostnames: config.server.hostnames } : {}),
      webRoot: join(root, 'out', 'web'),
      rpc: runtime.rpc,
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
