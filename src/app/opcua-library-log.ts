import { format } from 'node:util'
import { MessageBuilderBase, type StatusCode } from 'node-opcua'
import type { Logger } from '../core/ports/logger'

export type LibraryLevel = 'debug' | 'warn' | 'error'

/**
 * node-opcua source files whose warnings are routine on a healthy connection. `read_operational_limits` dumps one
 * multi-line DataValue per operation limit or server capability the server does not have (BadNodeIdUnknown):
 * about twenty per connect on many PLCs, and Plantdeck uses defaults for those anyway.
 */
const ROUTINE_SOURCES = new Set(['read_operational_limits'])

/** A line of node-opcua's own output: the level it goes to, the node-opcua file it came from, and its text. */
export interface LibraryLine {
  level: LibraryLevel
  source?: string
  text: string
}

/** node-opcua calls its loggers with `{filename, callerline}` first, then console.log-style arguments. */
export function classifyLibraryLine(level: 'warn' | 'error', args: unknown[]): LibraryLine {
  const head = args[0] as { filename?: unknown; callerline?: unknown } | undefined
  const hasContext = typeof head === 'object' && head !== null && typeof head.filename === 'string'
  const source = hasContext ? (head.filename as string) : undefined
  const text = format(...(hasContext ? args.slice(1) : args)).trim()
  const routine = level === 'warn' && source !== undefined && ROUTINE_SOURCES.has(source)
  return { level: routine ? 'debug' : level, ...(source ? { source } : {}), text }
}

/** A node-opcua warning or error logger (setWarningLogger/setErrorLogger) writing into `log` at the level the line deserves. */
export function libraryLogSink(log: Logger, level: 'warn' | 'error'): (...args: unknown[]) => void {
  withStatusInUnspecifiedErrors()
  return (...args: unknown[]) => {
    const line = classifyLibraryLine(level, args)
    log[line.level](line.source ? { source: line.source } : {}, line.text)
  }
}

const UNSPECIFIED = 'Error message not specified'
let patched = false

/**
 * A transport ERR message without reason text is logged by node-opcua as just "Error message not specified": the status
 * code the server sent (BadSecurityChecksFailed, BadTcpEndpointUrlInvalid...) is decoded but not shown. This puts it
 * into the text, which is also the message of the error node-opcua emits. node-opcua offers no other hook for it.
 */
export function withStatusInUnspecifiedErrors(): void {
  if (patched) return
  patched = true
  const proto = MessageBuilderBase.prototype as unknown as { _report_error(statusCode: StatusCode, message: string): false }
  const report = proto._report_error
  if (typeof report !== 'function') return // a node-opcua without it: lines stay as they are
  proto._report_error = function (this: unknown, statusCode: StatusCode, message: string) {
    const text = message === UNSPECIFIED ? `${UNSPECIFIED} (the server sent ${statusCode?.toString?.() ?? String(statusCode)})` : message
    return report.call(this, statusCode, text)
  }
}
