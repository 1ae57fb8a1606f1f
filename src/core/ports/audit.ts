import type { Principal } from '../../shared/model/principal'

/**
 * What happened, in the audit trail's words. Logins and failed logins, session ends, each step of a command
 * (select, confirm, operate, outcome), raw engineering writes, certificate decisions, user and role changes,
 * configuration edits and imports.
 */
export interface AuditEntryInput {
  /** A stable name: `auth.login`, `auth.login_failed`, `auth.logout`, `auth.session_end`, `command.select`, `command.confirm`, `command.operate`, `command.outcome`, `raw.write`, `certificate.trust`, `user.create`, `config.edit`, `model.import`... */
  action: string
  /** Who acted (null when nobody is known: a failed login names the user tried in `target`). */
  user: string | null
  /** Where from (`ws 192.0.2.7`, `ipc`, `memory`). */
  from: string
  /** What it was done to: an asset path and attribute, a node id, a topic, a user name, a thumbprint. */
  target?: string
  oldValue?: unknown
  newValue?: unknown
  /** `ok`, or the stable error code it was refused or failed with, or a command outcome (`success`, `rejected`, `mismatch`, `timeout`). */
  result: string
  /** Free text: the device's status, a second approver, a note. */
  detail?: string
}

export interface AuditRecord extends AuditEntryInput {
  id: number
  /** Unix ms. */
  at: number
  /** Hash of the previous record (hex; '' for the first). */
  prevHash: string
  hash: string
}

/**
 * The append-only audit trail. `append` resolves once the entry is durable and throws `audit.write_failed` when it
 * cannot be written: callers fail closed (the action that needed the entry is not carried out).
 */
export interface AuditTrail {
  append(e: AuditEntryInput): Promise<AuditRecord>
}

/** The audit fields of a principal. */
export const auditWho = (p: Principal | null | undefined, fallbackFrom = 'memory'): Pick<AuditEntryInput, 'user' | 'from'> => ({
  user: p?.user ?? null,
  from: p?.from ?? fallbackFrom,
})
