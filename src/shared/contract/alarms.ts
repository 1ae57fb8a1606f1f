import { z } from 'zod'
import { SampleValue } from '../model/sample'
import { method } from './define'

/**
 * Alarms and events (`alarms.*`), judged in the core, managed the ISA-18.2 way. Definitions live on model
 * attributes (`AssetAttribute.alarms`, so templates carry them to every instance and an instance's copy overrides
 * them); the engine evaluates them against live values and connection state; every transition goes to the
 * journal. See docs/alarms.md.
 */

export const AlarmPriority = z.enum(['critical', 'high', 'medium', 'low'])
export type AlarmPriority = z.infer<typeof AlarmPriority>

/**
 * What an alarm watches: a limit of the attribute (`hihi`, `hi`, `lo`, `lolo`: the definition's `limit`, else the
 * attribute's `limits`), a `discrete` state (the value equals `value`, e.g. a pump's Tripped = true), `roc` (rate of
 * change beyond `rate` units per second), `deviation` from the setpoint attribute `setpoint` by more than `limit`,
 * `quality` (bad quality), `stale` (no update within the attribute's expected interval × 3), `comm` (its connection lost).
 */
export const AlarmType = z.enum(['hihi', 'hi', 'lo', 'lolo', 'discrete', 'roc', 'deviation', 'quality', 'stale', 'comm'])
export type AlarmType = z.infer<typeof AlarmType>

export const AlarmDef = z
  .object({
    /** Unique among the attribute's alarms; with the asset id and attribute name it names the alarm. */
    id: z.string().min(1).max(50).regex(/^[A-Za-z0-9_.-]+$/),
    type: AlarmType,
    priority: AlarmPriority,
    /** Shown to the operator; `{value}`, `{unit}`, `{limit}`, `{asset}`, `{attribute}` are filled in. */
    message: z.string().min(1).max(500),
    /** What to do, shown beside the alarm. */
    guidance: z.string().max(2000).optional(),
    limit: z.number().optional(),
    /** `discrete`: the value that is abnormal. */
    value: z.union([z.number(), z.boolean(), z.string().max(200)]).optional(),
    /** `roc`: units per second. */
    rate: z.number().positive().optional(),
    /** `deviation`: the name of the asset's setpoint attribute. */
    setpoint: z.string().min(1).max(200).optional(),
    /** Limit alarms: the value must come back this far inside the limit to clear. */
    deadband: z.number().min(0).optional(),
    /** The condition must hold this long before the alarm raises (0 to 1 h). */
    onDelayMs: z.number().int().min(0).max(3_600_000).optional(),
    /** The condition must be gone this long before the alarm clears (0 to 1 h). */
    offDelayMs: z.number().int().min(0).max(3_600_000).optional(),
    /** Suppressed by design while this expression over the asset's attributes is true (e.g. `Running == 0`). */
    suppressWhen: z.string().min(1).max(500).optional(),
    /** Stays active after the condition clears until acknowledged. */
    latch: z.boolean().optional(),
    /** Acknowledging needs a note. */
    ackNote: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
export type AlarmDef = z.infer<typeof AlarmDef>

/**
 * ISA-18.2 states: `normal`; `unack` (active, unacknowledged); `ack` (active, acknowledged); `rtn_unack` (returned to
 * normal, unacknowledged); `shelved` (by an operator, until `shelvedUntil`); `suppressed` (by design); `out_of_service`.
 */
export const AlarmState = z.enum(['normal', 'unack', 'ack', 'rtn_unack', 'shelved', 'suppressed', 'out_of_service'])
export type AlarmState = z.infer<typeof AlarmState>

/** One alarm (a definition on one asset's attribute) as it stands now. */
export const Alarm = z.object({
  /** `<asset id>/<attribute>/<definition id>`. */
  key: z.string(),
  assetId: z.string(),
  path: z.string(),
  attribute: z.string(),
  defId: z.string(),
  type: AlarmType,
  priority: AlarmPriority,
  state: AlarmState,
  /** The condition holds now (an `ack`ed or `shelved` alarm may still be active). */
  active: z.boolean(),
  message: z.string(),
  guidance: z.string().optional(),
  value: SampleValue.optional(),
  unit: z.string().optional(),
  /** When this occurrence raised (ms); a cleared alarm that raises again is a new occurrence. */
  raisedAt: z.number().nullable(),
  /** When the state last changed. */
  changedAt: z.number(),
  /** Increments with every new occurrence. */
  occurrence: z.number().int(),
  ackNote: z.boolean(),
  shelvedUntil: z.number().optional(),
  shelveReason: z.string().optional(),
})
export type Alarm = z.infer<typeof Alarm>

/** One transition, as the journal keeps it. */
export const JournalEntry = z.object({
  id: z.number().int(),
  at: z.number(),
  key: z.string(),
  assetId: z.string(),
  path: z.string(),
  attribute: z.string(),
  defId: z.string(),
  priority: AlarmPriority,
  /** What happened: raise, clear, ack, shelve, unshelve, expire (a shelve ran out), suppress, unsuppress, out_of_service, in_service. */
  event: z.enum(['raise', 'clear', 'ack', 'shelve', 'unshelve', 'expire', 'suppress', 'unsuppress', 'out_of_service', 'in_service']),
  state: AlarmState,
  value: SampleValue.optional(),
  message: z.string(),
  /** The operator (their session until there is identity), or `system`. */
  who: z.string(),
  note: z.string().optional(),
  occurrence: z.number().int(),
})
export type JournalEntry = z.infer<typeof JournalEntry>

const Keys = z.array(z.string().min(1).max(400)).min(1).max(1000)
const Outcome = z.object({ done: z.array(z.string()), refused: z.array(z.object({ key: z.string(), code: z.string(), reason: z.string() })) })
const JournalQuery = z
  .object({
    from: z.number().optional(),
    to: z.number().optional(),
    /** An asset and everything under it. */
    asset: z.string().max(100).optional(),
    priority: z.array(AlarmPriority).optional(),
    state: z.array(AlarmState).optional(),
    who: z.string().max(200).optional(),
    /** Words in the message or path. */
    text: z.string().max(200).optional(),
  })
  .strict()

/** A notification rule's counters and last error (the notifier's `status()`); the target never carries a header or a token. */
export const NotificationRuleStatus = z.object({
  id: z.string(),
  enabled: z.boolean(),
  action: z.object({ kind: z.string(), target: z.string() }),
  matched: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  retried: z.number().int(),
  dropped: z.number().int(),
  inFlight: z.number().int(),
  lastSentAt: z.number().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).nullable(),
})
export type NotificationRuleStatus = z.infer<typeof NotificationRuleStatus>

export const alarms = {
  /** Alarms not `normal` (and, with `all`, every alarm), highest priority first, newest first; counts by priority and state. */
  'alarms.list': method(
    z.object({ all: z.boolean().optional(), asset: z.string().max(100).optional(), limit: z.number().int().min(1).max(5000).optional() }).strict(),
    z.object({
      items: z.array(Alarm),
      total: z.number().int(),
      counts: z.object({ unack: z.record(AlarmPriority, z.number().int()), active: z.number().int(), shelved: z.number().int(), suppressed: z.number().int(), outOfService: z.number().int() }),
    }),
    'viewer',
  ),
  /** Acknowledge; `note` is required for definitions that say so (else that key is refused `alarms.note_required`). */
  'alarms.ack': method(z.object({ keys: Keys, note: z.string().max(2000).optional() }).strict(), Outcome, 'operator'),
  /** Shelve for `minutes` (1 to 1440) with a reason; it returns by itself when the time runs out. */
  'alarms.shelve': method(z.object({ keys: Keys, reason: z.string().min(1).max(500), minutes: z.number().int().min(1).max(1440) }).strict(), Outcome, 'operator'),
  'alarms.unshelve': method(z.object({ keys: Keys }).strict(), Outcome, 'operator'),
  /** Out of service (maintenance) or back in service. */
  'alarms.service': method(z.object({ keys: Keys, inService: z.boolean(), reason: z.string().max(500).optional() }).strict(), Outcome, 'engineer'),
  /** The journal, newest first, paged by `before` (an entry id). */
  'alarms.journal': method(
    JournalQuery.extend({ before: z.number().int().optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
    z.object({ items: z.array(JournalEntry), next: z.number().int().nullable() }),
    'viewer',
  ),
  /** The journal (same filters) as CSV. */
  'alarms.journalCsv': method(JournalQuery, z.object({ text: z.string(), rows: z.number().int() }), 'viewer'),
  /** Nuisance alarms: per definition, activations and chattering (3+ in a minute) and fleeting (cleared within 1 s) counts, top 10 most frequent. */
  'alarms.nuisance': method(
    z.object({ hours: z.number().min(1).max(24 * 90).optional() }).strict(),
    z.object({ top: z.array(z.object({ key: z.string(), path: z.string(), attribute: z.string(), defId: z.string(), activations: z.number().int(), chattering: z.number().int(), fleeting: z.number().int() })) }),
    'viewer',
  ),
  /** The notification rules (configuration file's `alarms.notifications`) with their counters since start: sent, failed, dropped, the last error. */
  'alarms.notifications': method(z.object({}).strict(), z.object({ rules: z.array(NotificationRuleStatus) }), 'viewer'),
} as const

export const alarmsEvents = {
  /** Alarms whose state changed, batched (at most ~5 a second; a storm arrives as a few large batches), with the new counts. */
  'alarms.changed': z.object({ items: z.array(Alarm), counts: z.object({ unack: z.record(AlarmPriority, z.number().int()), active: z.number().int() }) }),
} as const
