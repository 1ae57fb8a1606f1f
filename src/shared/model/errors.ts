import { z } from 'zod'

/**
 * Stable error codes. Codes cross every boundary (RPC, config, collectors) as data;
 * a user sees the message, a program switches on the code. Never rename one.
 */
export const ErrorCode = z.enum([
  'rpc.bad_json',
  'rpc.bad_envelope',
  'rpc.unknown_method',
  'rpc.bad_params',
  'rpc.too_large',
  'rpc.bad_result',
  'rpc.internal',
  'rpc.timeout',
  'rpc.closed',
  'rpc.rate_limited',
  /** Too many calls of this session in progress (or too many reply bytes waiting): retry when one is answered. */
  'rpc.busy',
  'config.not_found',
  'config.parse',
  'config.invalid',
  'config.read_only',
  'config.write_failed',
  'config.edit_invalid',
  'config.unavailable',
  'signal.unknown',
  'collector.unavailable',
  'opcua.bad_endpoint',
  'opcua.unreachable',
  'opcua.unknown_connection',
  'opcua.not_connected',
  'opcua.bad_node_id',
  'opcua.bad_value',
  'opcua.untrusted_certificate',
  /** The server refused Plantdeck's own application certificate: trust it on the server (it is retried with backoff). */
  'opcua.certificate_rejected_by_server',
  'opcua.access_denied',
  'opcua.unknown_certificate',
  'opcua.service_failed',
  'opcua.busy',
  'mqtt.unknown_connection',
  'mqtt.not_connected',
  'mqtt.bad_mapping',
  'mqtt.duplicate_signal',
  'mqtt.unknown_topic',
  'mqtt.timeout',
  'mqtt.publish_failed',
  'mqtt.bad_template',
  'mqtt.unsupported',
  'mqtt.unknown_signal',
  'mqtt.unreachable',
  'mqtt.access_denied',
  'mqtt.untrusted_certificate',
  'mqtt.connection_refused',
  'mqtt.subscription_refused',
  'mqtt.store_failed',
  'mqtt.protocol_error',
  'mqtt.broker_window_capped',
  /** Asset model (`model.*`): an id that names no asset, a sibling with the same name, a move under itself, a binding its kind refuses, an import refused. */
  'model.unknown',
  'model.name_taken',
  'model.cycle',
  'model.bad_binding',
  'model.bad_import',
  /** A calculated attribute's expression that does not parse, or refers to itself. */
  'model.bad_expression',
  /** A template that does not exist, or derives from a missing template or from itself. */
  'model.bad_template',
  /** A template that instances use or that others derive from cannot be deleted (instances: unless detached). */
  'model.template_in_use',
  /** This host keeps no asset model (no application database). */
  'model.unavailable',
  /** A restore while Plantdeck holds the application database; a backup file that is no app.db, is newer or exists. */
  'model.in_use',
  'model.bad_backup',
  /** An alarm definition the model refuses (a missing attribute, a deadband larger than the range, a delay out of bounds, a suppression loop...). */
  'alarms.bad_definition',
  /** No alarm with that key, or no asset with that id for an alarm query. */
  'alarms.unknown',
  /** The alarm journal refused a record (a field missing or of the wrong kind); the batch is not written. */
  'alarms.bad_entry',
  /**
   * Alarm notifications (`notify.*`): an action that failed (an HTTP status, a refused publish), ran out of time, names a
   * connection that is not there or of no kind that notifies, or was dropped by its rule's rate limit.
   */
  'notify.failed',
  'notify.timeout',
  'notify.unknown_connection',
  'notify.rate_limited',
  /**
   * Identity (`auth.*`): no session (or the kiosk does not cover the method), a role or subtree the principal lacks, a
   * wrong user or password, too many failed logins, an expired or unknown session secret, first-start setup refused
   * (an administrator exists, or not from loopback), a password the policy refuses, user administration refusals.
   */
  'auth.required',
  'auth.forbidden',
  'auth.bad_credentials',
  'auth.locked',
  'auth.expired',
  'auth.bad_session',
  'auth.setup_required',
  'auth.setup_closed',
  'auth.weak_password',
  'auth.unknown_user',
  'auth.user_exists',
  'auth.last_admin',
  /** The audit trail could not take an entry (the action is not carried out: it fails closed), or its chain is broken. */
  'audit.write_failed',
  'audit.unavailable',
  'audit.chain_broken',
  /**
   * Commands (`commands.*`): select-before-operate. An unknown or malformed command, a target locked by another
   * operator, a select token expired, replayed or of another user, a value of the wrong type, out of range or a step
   * too large, an interlock that holds, an unhealthy connection, a second person's approval missing or invalid, and the
   * outcomes that are not success (the device's rejection, a read-back mismatch, no answer in time).
   */
  'command.unknown',
  'command.bad_definition',
  'command.locked',
  'command.bad_select',
  'command.bad_value',
  'command.out_of_range',
  'command.step_too_large',
  'command.interlocked',
  'command.not_connected',
  'command.needs_approval',
  'command.bad_approval',
  'command.rejected',
  'command.mismatch',
  'command.timeout',
  /**
   * The operator's workspace (`workspace.*`): the kiosk (or the API token) keeps it per browser, not on the server; a
   * workspace over the size bound; a stored one that no longer reads (it starts fresh).
   */
  'workspace.kiosk',
  'workspace.no_user',
  'workspace.too_large',
  'workspace.invalid',
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const ErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Optional structured detail, e.g. zod issues for rpc.bad_params. */
  details: z.unknown().optional(),
})
export type ErrorShape = z.infer<typeof ErrorShape>

/** An error that crosses boundaries as data. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details?: unknown
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
  toShape(): ErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError
}
