import type { MqttMapping, MqttMappingChanges, MqttMappingInput, RejectionReport } from '../../shared/contract/mqtt'
import type { TopicEntry } from '../../shared/contract/mqtt'
import type { z } from 'zod'
import type { Collector, EngineeringAccess } from '../ports/collector'

/** The MQTT driver's kind: connections with `kind: mqtt`. */
export const MQTT = 'mqtt'

/** A collector's MQTT engineering access, if it is an MQTT connection. */
export const mqttAccessOf = (c: Collector | undefined): MqttAccess | undefined =>
  c?.engineering?.kind === MQTT ? (c.engineering as MqttAccess) : undefined

export interface TopicPage {
  prefix: string
  entries: z.infer<typeof TopicEntry>[]
  total: number
  tracked: number
  untracked: number
}

export interface PayloadView {
  topic: string
  text?: string
  base64: string
  bytes: number
  truncated: boolean
  retained: boolean
  at: number
}

export interface PublishRequest {
  topic: string
  payload: string
  qos: 0 | 1
  retain: boolean
}

/**
 * Engineering access to one MQTT connection. Methods throw `AppError` (`mqtt.not_connected`,
 * `mqtt.bad_mapping`, `mqtt.duplicate_signal`, `mqtt.unknown_signal`, `mqtt.unknown_topic`, `mqtt.timeout`, `mqtt.bad_template`, `mqtt.unsupported`), never a raw error.
 */
export interface MqttAccess extends EngineeringAccess {
  readonly kind: typeof MQTT
  topics(prefix: string, offset: number, limit: number): TopicPage
  payload(topic: string): PayloadView
  metrics(entity: string): { name: string; type: string }[]
  mappings(): MqttMapping[]
  /** Fills id, name and data type (from the topic, path and last payload) and validates; changes nothing. */
  completeMapping(input: MqttMappingInput): MqttMapping
  /** Live at once: the next message uses it. */
  addMapping(mapping: MqttMapping): void
  /** The mapping with `changes` applied and validated like a new one; changes nothing. Throws `mqtt.unknown_signal` when it is not mapped. */
  updatedMapping(signal: string, changes: MqttMappingChanges): MqttMapping
  /** Swaps in a changed mapping of the same id; live at once. */
  replaceMapping(mapping: MqttMapping): void
  removeMapping(signal: string): boolean
  rejections(signal?: string): RejectionReport
  publish(req: PublishRequest): Promise<{ ok: boolean; status: string }>
  /** MQTT 5 only: publish with response topic and correlation data; resolves with the first matching answer. */
  request(req: { topic: string; payload: string; responseTopic?: string; timeoutMs: number }): Promise<{ text?: string; base64: string; bytes: number; truncated: boolean }>
}
