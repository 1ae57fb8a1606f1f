import { randomBytes } from 'node:crypto'
import type { MqttClient } from 'mqtt'
import { MqttSignalConfig } from '../../core/config/schema'
import { MQTT, type MqttAccess, type PayloadView } from '../../core/mqtt/mqtt-port'
import type { MqttMapping, MqttMappingInput } from '../../shared/contract/mqtt'
import { AppError, type DataType } from '../../shared/model'
import { compilePath, resolveSteps } from './json-path'
import type { MappingTable } from './mapping-table'
import type { RejectionLog } from './rejection-log'
import type { SparkplugTracker } from './sparkplug'
import type { TopicTree } from './topic-tree'

export interface MqttAccessDeps {
  connection: string
  client(): MqttClient | undefined
  table: MappingTable
  tree: TopicTree
  sparkplug: SparkplugTracker
  rejections: RejectionLog
  afterRemove(signal: string): void
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

function view(bytes: Uint8Array, total: number): { text?: string; base64: string; bytes: number; truncated: boolean } {
  let text: string | undefined
  try {
    text = UTF8.decode(bytes)
  } catch {
    text = undefined
  }
  return { ...(text === undefined ? {} : { text }), base64: Buffer.from(bytes).toString('base64'), bytes: total, truncated: bytes.byteLength < total }
}

const SPARKPLUG_STRINGS = new Set(['String', 'Text', 'UUID'])
const toMapping = ({ writable: _w, ...m }: MqttSignalConfig): MqttMapping => m

/** The MQTT engineering API of one collector, over its live parts. */
export function createMqttAccess(d: MqttAccessDeps): MqttAccess {
  const connected = (): MqttClient => {
    const c = d.client()
    if (!c?.connected) throw new AppError('mqtt.not_connected', `connection "${d.connection}" is not connected to its broker`)
    return c
  }

  /** The type a person most likely means, judged from the last payload seen (number when unknown). */
  const guessType = (input: MqttMappingInput): DataType => {
    if (input.metric !== undefined) {
      const t = d.sparkplug.metricsOf(input.topic).find((m) => m.name === input.metric)?.type
      return t === 'Boolean' ? 'boolean' : t !== undefined && SPARKPLUG_STRINGS.has(t) ? 'string' : 'number'
    }
    const last = d.tree.payload(input.topic)
    if (!last || last.truncated) return 'number'
    let raw: unknown
    try {
      const text = UTF8.decode(last.payload)
      raw = input.path === undefined ? text : resolveSteps(JSON.parse(text), compilePath(input.path) ?? [])
    } catch {
      return 'number'
    }
    if (typeof raw === 'boolean' || raw === 'true' || raw === 'false') return 'boolean'
    return typeof raw === 'string' && (raw.trim() === '' || !Number.isFinite(Number(raw))) ? 'string' : 'number'
  }

  return {
    kind: MQTT,
    topics: (prefix, offset, limit) => d.tree.page(prefix, offset, limit, Date.now()),

    payload(topic): PayloadView {
      const p = d.tree.payload(topic)
      if (!p) throw new AppError('mqtt.unknown_topic', `no message seen on "${topic}"`)
      return { topic, ...view(p.payload, p.bytes), retained: p.retained, at: p.at }
    },

    metrics: (entity) => d.sparkplug.metricsOf(entity),
    mappings: () => d.table.list().map(toMapping),

    completeMapping(input) {
      if (input.path !== undefined && compilePath(input.path) === undefined) throw new AppError('mqtt.bad_mapping', `"${input.path}" is not a path like a.b[0].c`)
      const raw = `${d.connection}/${input.topic}${input.metric === undefined ? '' : `/${input.metric}`}${input.path === undefined ? '' : `.${input.path}`}`
      const parsed = MqttSignalConfig.safeParse({
        ...input,
        id: input.id ?? raw.replace(/[^A-Za-z0-9_.:\-/#[\]]/g, '_').slice(0, 256),
        name: input.name ?? (input.metric ?? input.path ?? input.topic.split('/').at(-1) ?? input.topic).slice(0, 128),
        dataType: input.dataType ?? guessType(input),
        writable: false,
      })
      if (!parsed.success) throw new AppError('mqtt.bad_mapping', 'mapping is not valid', parsed.error.issues)
      return toMapping(parsed.data)
    },

    addMapping(mapping) {
      if (!d.table.add({ ...mapping, writable: false })) throw new AppError('mqtt.duplicate_signal', `signal "${mapping.id}" is mapped already`)
    },

    updatedMapping(signal, changes) {
      const cur = d.table.get(signal)
      if (!cur) throw new AppError('mqtt.unknown_signal', `"${signal}" is not a mapping of connection "${d.connection}"`)
      const next: Record<string, unknown> = { ...cur }
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete next[k]
        else if (v !== undefined) next[k] = v
      }
      if (typeof next.path === 'string' && compilePath(next.path) === undefined) throw new AppError('mqtt.bad_mapping', `"${next.path}" is not a path like a.b[0].c`)
      const parsed = MqttSignalConfig.safeParse(next)
      if (!parsed.success) throw new AppError('mqtt.bad_mapping', 'mapping is not valid', parsed.error.issues)
      return toMapping(parsed.data)
    },

    replaceMapping(mapping) {
      const before = d.table.get(mapping.id)
      if (!d.table.replace({ ...mapping, writable: false })) throw new AppError('mqtt.unknown_signal', `"${mapping.id}" is not a mapping of connection "${d.connection}"`)
      // rejection counters of the old path would only confuse
      if (before?.path !== mapping.path || before?.topic !== mapping.topic || before?.metric !== mapping.metric) d.afterRemove(mapping.id)
    },

    removeMapping(signal) {
      const removed = d.table.remove(signal) !== undefined
      if (removed) d.afterRemove(signal)
      return removed
    },

    rejections: (signal) => d.rejections.report(signal),

    async publish({ topic, payload, qos, retain }) {
      try {
        await connected().publishAsync(topic, payload, { qos, retain })
        return { ok: true, status: qos === 1 ? 'acknowledged by the broker' : 'sent' }
      } catch (e) {
        if (e instanceof AppError) throw e
        return { ok: false, status: (e as Error).message }
      }
    },

    async request({ topic, payload, responseTopic, timeoutMs }) {
      const client = connected()
      if (client.options.protocolVersion !== 5) throw new AppError('mqtt.unsupported', `request/response needs MQTT 5; connection "${d.connection}" runs 3.1.1 (configured as protocol: "3.1.1", or its broker refused 5)`)
      const replyTo = responseTopic ?? `plantdeck/response/${client.options.clientId}`
      const correlation = randomBytes(16)
      await client.subscribeAsync(replyTo, { qos: 1 })
      return new Promise((resolve, reject) => {
        const onMessage = (t: string, body: Buffer, packet: { properties?: { correlationData?: Buffer } }) => {
          if (t !== replyTo || !packet.properties?.correlationData?.equals(correlation)) return
          finish()
          resolve(view(body, body.byteLength))
        }
        const timer = setTimeout(() => {
          finish()
          reject(new AppError('mqtt.timeout', `no response on "${replyTo}" within ${timeoutMs} ms`))
        }, timeoutMs)
        const finish = () => {
          clearTimeout(timer)
          client.off('message', onMessage)
        }
        client.on('message', onMessage)
        client.publish(topic, payload, { qos: 1, properties: { responseTopic: replyTo, correlationData: correlation } }, (err) => {
          if (!err) return
          finish()
          reject(new AppError('mqtt.publish_failed', err.message))
        })
      })
    },
  }
}
