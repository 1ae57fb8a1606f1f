import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import type { Logger } from '../core/ports/logger'

/** Structured JSON logs to stdout and to `<dataDir>/logs/plantdeck.log`. */
export function createLogger(dataDir: string, level: string, toStdout = true): Logger {
  const dir = join(dataDir, 'logs')
  mkdirSync(dir, { recursive: true })
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ dest: join(dir, 'plantdeck.log'), sync: false, mkdir: true }) }]
  if (toStdout) streams.push({ stream: process.stdout })
  return pino({ level, base: { app: 'plantdeck' } }, pino.multistream(streams)) as unknown as Logger
}
