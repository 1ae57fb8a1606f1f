import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setErrorLogger, setWarningLogger } from 'node-opcua'
import pino from 'pino'
import { libraryLogSink } from './opcua-library-log'
import type { Logger } from '../core/ports/logger'

/** Structured JSON logs to stdout and to `<dataDir>/logs/plantdeck.log`; node-opcua's own console output goes there too. */
export function createLogger(dataDir: string, level: string, toStdout = true): Logger {
  const dir = join(dataDir, 'logs')
  mkdirSync(dir, { recursive: true })
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ dest: join(dir, 'plantdeck.log'), sync: false, mkdir: true }) }]
  if (toStdout) streams.push({ stream: process.stdout })
  const logger = pino({ level, base: { app: 'plantdeck' } }, pino.multistream(streams)) as unknown as Logger
  const lib = logger.child({ lib: 'node-opcua' })
  // routine dumps (operation limits a server lacks) go to debug; see opcua-library-log.ts
  setWarningLogger(libraryLogSink(lib, 'warn'))
  setErrorLogger(libraryLogSink(lib, 'error'))
  return logger
}
