import { z } from 'zod'
import { method } from './define'

// The audit trail (docs/audit.md): an append-only, hash-chained record of who did what, from where, to what, and
// with which result. Reading it is for engineers and admins.

export const AuditRecord = z.object({
  id: z.number().int(),
  /** Unix ms. */
  at: z.number(),
  /** `raw.write`, `model.update`, `certificate.trust`, `auth.login`, `command.operate`... (docs/audit.md lists them). */
  action: z.string(),
  user: z.string().nullable(),
  /** Where from: `ws 192.0.2.7`, `ipc`, `memory`. */
  from: z.string(),
  target: z.string().optional(),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  /** `pending` (written before the action), then `ok` or the error code; a command's outcome (`success`, `rejected`, `mismatch`, `timeout`). */
  result: z.string(),
  detail: z.string().optional(),
  prevHash: z.string(),
  hash: z.string(),
})
export type AuditRecord = z.infer<typeof AuditRecord>

export const AuditFilter = z
  .object({
    from: z.number().optional(),
    to: z.number().optional(),
    /** Exactly this user. */
    user: z.string().max(200).optional(),
    /** An action, or the start of one (`raw.`, `model.`). */
    action: z.string().max(200).optional(),
    /** Text anywhere in the target (case-insensitive). */
    target: z.string().max(400).optional(),
    /** Exactly this result (`ok`, `pending`, an error code). */
    result: z.string().max(100).optional(),
    /** Only what did not succeed (a result other than `ok`, `success`, `pending`). */
    failed: z.boolean().optional(),
  })
  .strict()
export type AuditFilter = z.infer<typeof AuditFilter>

const Anchor = z.object({ id: z.number().int(), hash: z.string() })

export const AuditVerifyResult = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  /** The last record's id and hash: write it down; a later check whose chain does not hold it shows a rewrite. */
  head: Anchor.nullable(),
  /** The last id and hash as kept beside the trail (catches a cut tail); null when none is kept. */
  anchor: Anchor.nullable(),
  /** The first record found broken and why: edited (`hash_mismatch`), deleted (`missing`), rehashed or replaced (`prev_mismatch`), cut off (`truncated`), rewritten (`anchor_mismatch`). */
  broken: z.object({ id: z.number().int(), reason: z.enum(['hash_mismatch', 'prev_mismatch', 'missing', 'truncated', 'anchor_mismatch']), message: z.string() }).nullable(),
  /** When it was checked (Unix ms). */
  at: z.number(),
})
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>

export const audit = {
  /** The trail, newest first, paged by `before` (a record id); filters as AuditFilter. */
  'audit.search': method(
    AuditFilter.extend({ before: z.number().int().optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
    z.object({ items: z.array(AuditRecord), next: z.number().int().nullable() }),
    'engineer',
  ),
  /** What the filter selects as CSV (newest first), at most 20,000 rows and 16 MB of text (`truncated` says when cut). */
  'audit.csv': method(AuditFilter, z.object({ text: z.string(), rows: z.number().int(), truncated: z.boolean() }), 'engineer'),
  /** Checks the whole chain and the anchor: ok, or the first broken record and why. */
  'audit.verify': method(z.object({}).strict(), AuditVerifyResult, 'engineer'),
} as const
