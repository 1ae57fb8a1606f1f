import { z } from 'zod'
import { ConnectionId, DataType, SignalId, SignalInfo } from '../model'
import { method } from './define'
import { Saved } from './saved'

/** A concrete topic: no wildcards, no NUL (MQTT forbids it). */
const Topic = z.string().min(1).max(1024).regex(/^[^+#\u0000]+$/, 'a topic without + or #')
const Connection = { connection: ConnectionId }

/** Why an MQTT input produced no sample. Stable: counters and the API report these names; the one list of them. */
export const RejectReason = z.enum([
  'not_json',
  'missing_field',
  'wrong_type',
  'bad_utf8',
  'too_large',
  'bad_timestamp',
  'future_timestamp',
  'bad_path',
  'not_sparkplug',
  'sparkplug_no_birth',
  'sparkplug_out_of_sequence',
  'topic_limit',
])
export type RejectReason = z.infer<typeof RejectReason>

/**
 * An MQTT signal's fields, the one definition: the configuration's `MqttSignalConfig` (core/config/schema, which
 * adds `writable` and a `dataType` default) and the API's `MqttMapping` both derive from it. It lives here because
 * shared cannot import core.
 */
export const MqttSignalFields = z.object({
  id: SignalId,
  name: z.string().min(1).max(128),
  dataType: DataType,
  /** Exact topic the value arrives on. */
  topic: z.string().min(1).max(1024),
  /** Dotted path into a JSON payload (`power.l1`, `readings[0].value`); absent: the whole payload is the value. */
  path: z.string().max(256).optional(),
  /** Where the sample time comes from: a JSON path (default `ts`, used when present) read as `tsFormat` (default `auto`: ms, s or ISO 8601); `arrival` ignores the payload. */
  tsPath: z.string().min(1).max(256).optional(),
  tsFormat: z.enum(['auto', 'ms', 's', 'iso', 'arrival']).optional(),
  /** Sparkplug B metric name. Then `topic` names the edge node or device, `spBv1.0/<group>/<node>[/<device>]`, without message type. */
  metric: z.string().min(1).max(512).optional(),
  unit: z.string().max(32).optional(),
  range: z.tuple([z.number(), z.number()]).optional(),
  description: z.string().max(512).optional(),
})

/**
 * A mapping: (topic, JSON field) or (Sparkplug entity, metric) → a signal of the catalog: the configured signal
 * without `writable`, its topic concrete (no wildcards).
 */
export const MqttMapping = MqttSignalFields.extend({ topic: Topic })
export type MqttMapping = z.infer<typeof MqttMapping>

/** What `mqtt.mappings.add` needs: id, name and data type default from the topic, path and last payload. */
export const MqttMappingInput = MqttMapping.extend({
  id: SignalId.optional(),
  name: z.string().min(1).max(128).optional(),
  dataType: DataType.optional(),
}).strict()
export type MqttMappingInput = z.infer<typeof MqttMappingInput>

/** What `mqtt.mappings.update` may change; at least one field. */
export const MqttMappingChanges = z
  .object({
    name: z.string().min(1).max(128).optional(),
    dataType: DataType.optional(),
    unit: z.string().max(32).nullable().optional(),
    path: z.string().max(256).nullable().optional(),
  })
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'nothing to change')
export type MqttMappingChanges = z.infer<typeof MqttMappingChanges>

export const TopicEntry = z.object({
  name: z.string(),
  path: z.string(),
  topics: z.number().int(),
  messages: z.number().int(),
  hasChildren: z.boolean(),
  last: z
    .object({
      count: z.number().int(),
      ratePerSec: z.number(),
      retained: z.boolean(),
      at: z.number().int(),
      bytes: z.number().int(),
      /** Start of the payload as text; `truncated` when more was received (see `mqtt.payload`). */
      preview: z.string(),
      truncated: z.boolean(),
    })
    .optional(),
})

const RejectCounts = z.partialRecord(RejectReason, z.number().int())

export const RejectionReport = z.object({
  total: z.number().int(),
  byReason: RejectCounts,
  bySignal: z.array(z.object({ signal: z.string(), total: z.number().int(), byReason: RejectCounts })),
  last: z.array(
    z.object({ at: z.number().int(), topic: z.string(), reason: RejectReason, signal: z.string().optional(), preview: z.string(), bytes: z.number().int() }),
  ),
})
export type RejectionReport = z.infer<typeof RejectionReport>

export const PublishResult = z.object({ ok: z.boolean(), status: z.string() })

/** A payload as received: text when it is valid UTF-8, always base64. */
export const MqttPayload = z.object({ text: z.string().optional(), base64: z.string(), bytes: z.number().int(), truncated: z.boolean() })

export const mqtt = {
  /** One level of the live topic tree under `prefix` ('' for the top): counts, rate, retained flag, last payload preview. */
  'mqtt.topics': method(
    z.object({ ...Connection, prefix: z.string().max(1024).default(''), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    z.object({ prefix: z.string(), entries: z.array(TopicEntry), total: z.number().int(), tracked: z.number().int(), untracked: z.number().int() }),
    'engineer',
  ),
  /** The last payload of a topic, whole up to the connection's bound (64 KiB by default). */
  'mqtt.payload': method(
    z.object({ ...Connection, topic: Topic }).strict(),
    MqttPayload.extend({ topic: z.string(), retained: z.boolean(), at: z.number().int() }),
    'engineer',
  ),
  /** Metric names and Sparkplug types an edge node or device declared in its last birth (`entity`: `spBv1.0/<group>/<node>[/<device>]`). */
  'mqtt.metrics': method(z.object({ ...Connection, entity: Topic }).strict(), z.object({ metrics: z.array(z.object({ name: z.string(), type: z.string() })) }), 'engineer'),
  /** The connection's mappings: from the config and added at runtime. */
  'mqtt.mappings.list': method(z.object(Connection).strict(), z.object({ mappings: z.array(MqttMapping) }), 'engineer'),
  /**
   * Adds a mapping to the running connection and its signal to the catalog; the next message already uses it.
   * Saved so it survives a restart (see `persisted`): into the configuration file when the connection is defined
   * there, else into `<dataDir>/plant-edits.yaml`.
   */
  'mqtt.mappings.add': method(z.object({ ...Connection, mapping: MqttMappingInput }).strict(), z.object({ mapping: MqttMapping, signal: SignalInfo, ...Saved }), 'engineer'),
  /**
   * Changes name, unit, data type or JSON path of an existing mapping while connected; `null` clears unit or path.
   * The next message uses it; a data type change applies to new samples. Saved like `add`.
   */
  'mqtt.mappings.update': method(z.object({ ...Connection, signal: SignalId, changes: MqttMappingChanges }).strict(), z.object({ mapping: MqttMapping, signal: SignalInfo, ...Saved }), 'engineer'),
  /** Stops mapping; the signal stays in the catalog with its history. Saved like `add` (removed from the file). */
  'mqtt.mappings.remove': method(z.object({ ...Connection, signal: SignalId }).strict(), z.object({ removed: z.boolean(), ...Saved }), 'engineer'),
  /** Rejected inputs: counters per reason and per mapping, and the last few with a payload preview. */
  'mqtt.rejections': method(z.object({ ...Connection, signal: SignalId.optional() }).strict(), RejectionReport, 'viewer'),
  /**
   * Publish `payload`, where `{{name}}` is replaced by `values[name]` (strings JSON-escaped without quotes).
   * Resolves when the broker acknowledged (QoS 1) or the packet was written (QoS 0).
   */
  'mqtt.publish': method(
    z
      .object({
        ...Connection,
        topic: Topic,
        payload: z.string().max(1_000_000),
        values: z.record(z.string().regex(/^\w{1,64}$/), z.union([z.string().max(4096), z.number(), z.boolean()])).optional(),
        qos: z.union([z.literal(0), z.literal(1)]).default(1),
        retain: z.boolean().default(false),
      })
      .strict(),
    PublishResult,
    'engineer',
  ),
  /** MQTT 5 request/response: publish with a response topic and correlation data, wait for the matching answer. */
  'mqtt.request': method(
    z
      .object({
        ...Connection,
        topic: Topic,
        payload: z.string().max(1_000_000),
        values: z.record(z.string().regex(/^\w{1,64}$/), z.union([z.string().max(4096), z.number(), z.boolean()])).optional(),
        /** Default: `plantdeck/response/<client id>`. */
        responseTopic: Topic.optional(),
        timeoutMs: z.number().int().min(100).max(120_000).default(5000),
      })
      .strict(),
    MqttPayload,
    'engineer',
  ),
} as const

export const mqttEvents = {} as const
