import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setErrorLogger, setWarningLogger } from 'node-opcua'
import pino from 'pino'
import { libraryLogSink } from './opcua-library-log'
import type { Logger } from '../core/ports/logger'
import { LogFile, type LogFileHealth } from './log-file'

export interface LoggerOptions {
  /** Also log to stdout (default true); or to this stream instead (tests). */
  stdout?: boolean | { write(line: string): unknown }
  /** Rotation of `plantdeck.log`; see LogFile for the defaults. */
  maxBytes?: number
  files?: number
  /** LogFile tuning (tests). */
  retryMs?: number
  maxQueueBytes?: number
}

export type HostLogger = Logger & {
  /** The log file's health: lines written and dropped, the last failure. */
  logHealth(): LogFileHealth
  /** Writes what is queued (as far as the file allows), then closes the file. */
  closeLog(): Promise<void>
}

/**
 * Structured JSON logs to stdout and to `<dataDir>/logs/plantdeck.log` (rotated by size); node-opcua's own
 * console output goes there too. A failing log file never stops or kills the process: its lines are dropped
 * and counted (see LogFile), stdout keeps working.
 */
export function createLogger(dataDir: string, level: string, o: LoggerOptions = {}): HostLogger {
  const dir = join(dataDir, 'logs')
  mkdirSync(dir, { recursive: true })
  const file = new LogFile({
    path: join(dir, 'plantdeck.log'),
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    ...(o.files !== undefined ? { files: o.files } : {}),
    ...(o.retryMs !== undefined ? { retryMs: o.retryMs } : {}),
    ...(o.maxQueueBytes !== undefined ? { maxQueueBytes: o.maxQueueBytes } : {}),
  })
  const streams: pino.StreamEntry[] = [{ stream: file }]
  const stdout = o.stdout ?? true
  if (stdout === true) streams.push({ stream: process.stdout })
  else if (stdout) streams.push({ stream: stdout as pino.DestinationStream })
  const logger = pino({ level, base: { app: 'plantdeck' } }, pino.multistream(streams)) as unknown as HostLogger
  logger.logHealth = () => file.health()
  logger.closeLog = () => file.close()
  const lib = logger.child({ lib: 'node-opcua' })
  // routine dumps (operation limits a server lacks) go to debug; see opcua-library-log.ts
  setWarningLogger(libraryLogSink(lib, 'warn'))
  setErrorLogger(libraryLogSink(lib, 'error'))
  return logger
}
