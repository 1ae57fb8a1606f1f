import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { format } from 'node:util'
import { setErrorLogger, setWarningLogger } from 'node-opcua'
import pino from 'pino'
import type { Logger } from '../core/ports/logger'

/** Structured JSON logs to stdout and to `<dataDir>/logs/plantdeck.log`; node-opcua's own console output goes there too. */
export function createLogger(dataDir: string, level: string, toStdout = true): Logger {
  const dir = join(dataDir, 'logs')
  mkdirSync(dir, { recursive: true })
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ dest: join(dir, 'plantdeck.log'), sync: false, mkdir: true }) }]
  if (toStdout) streams.push({ stream: process.stdout })
  const logger = pino({ level, base: { app: 'plantdeck' } }, pino.multistream(streams)) as unknown as Logger
  const lib = logger.child({ lib: 'node-opcua' })
  setWarningLogger((...args: unknown[]) => lib.warn(format(...args).trim()))
  setErrorLogger((...args: unknown[]) => lib.error(format(...args).trim()))
  return logger
}
