import mqtt, { type MqttClient } from 'mqtt'
import type { MqttConnectionConfig, MqttSignalConfig } from '../../core/config/schema'
import type { Collector, CollectorState, Unsubscribe, WriteRequest, WriteResult } from '../../core/ports/collector'
import type { Logger } from '../../core/ports/logger'
import type { SampleBatch } from '../../shared/model'
import { decodeMessage, type Rejection } from './decode'

export interface MqttCollectorOptions {
  config: MqttConnectionConfig
  logger: Logger
  /** Payloads above this are rejected unread (default 1 MiB). */
  maxPayloadBytes?: number
}

/**
 * Thin MQTT collector: subscribes to the configured filters and maps exact topics to signals.
 * mqtt.js reconnects by itself; we translate its events into health states.
 */
export class MqttCollector implements Collector {
  readonly id: string
  rejected = 0
  /** Last rejections, newest last, for inspection. */
  readonly lastRejections: (Rejection & { topic: string; at: number })[] = []
  private client: MqttClient | undefined
  private readonly byTopic = new Map<string, MqttSignalConfig[]>()
  private readonly sampleCbs = new Set<(b: SampleBatch) => void>()
  private readonly stateCbs = new Set<(s: CollectorState) => void>()
  private readonly log: Logger

  constructor(private readonly opts: MqttCollectorOptions) {
    this.id = opts.config.id
    this.log = opts.logger.child({ connection: this.id })
    for (const s of opts.config.signals) {
      const list = this.byTopic.get(s.topic) ?? []
      list.push(s)
      this.byTopic.set(s.topic, list)
    }
  }

  async start(): Promise<void> {
    const c = this.opts.config
    this.setState({ health: 'connecting' })
    const client = mqtt.connect(c.url, {
      clientId: c.clientId ?? `plantdeck-${Math.random().toString(16).slice(2, 10)}`,
      ...(c.username === undefined ? {} : { username: c.username }),
      ...(c.password === undefined ? {} : { password: c.password }),
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      keepalive: 30,
    })
    this.client = client
    client.on('connect', () => {
      this.setState({ health: 'connected' })
      for (const sub of c.subscriptions) {
        client.subscribe(sub.filter, { qos: sub.qos }, (err, granted) => {
          const refused = granted?.filter((g) => g.qos === 128) ?? []
          if (err || refused.length > 0) this.setState({ health: 'degraded', reason: `subscription to ${sub.filter} refused` })
        })
      }
    })
    client.on('reconnect', () => this.setState({ health: 'connecting', reason: 'broker not reachable; reconnecting' }))
    client.on('offline', () => this.markAllBad())
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'mqtt error')
      this.setState({ health: 'error', reason: err.message })
    })
    client.on('message', (topic, payload) => this.onMessage(topic, payload))
  }

  private onMessage(topic: string, payload: Buffer) {
    const signals = this.byTopic.get(topic)
    if (!signals) return
    const now = Date.now()
    const { samples, rejections } = decodeMessage(signals, payload, now, this.opts.maxPayloadBytes ?? 1024 * 1024)
    if (rejections.length > 0) {
      this.rejected += rejections.length
      this.lastRejections.push(...rejections.map((r) => ({ ...r, topic, at: now })))
      if (this.lastRejections.length > 20) this.lastRejections.splice(0, this.lastRejections.length - 20)
    }
    if (samples.length > 0) this.emit(samples)
  }

  private markAllBad() {
    const now = Date.now()
    this.emit(this.opts.config.signals.map((s) => ({ signal: s.id, ts: now, value: null, quality: 'bad' as const, status: 'broker connection lost' })))
  }

  async write(cmd: WriteRequest): Promise<WriteResult> {
    return { ok: false, status: `writes over MQTT are not supported yet (${cmd.signal})` }
  }

  onSamples(cb: (b: SampleBatch) => void): Unsubscribe {
    this.sampleCbs.add(cb)
    return () => this.sampleCbs.delete(cb)
  }

  onState(cb: (s: CollectorState) => void): Unsubscribe {
    this.stateCbs.add(cb)
    return () => this.stateCbs.delete(cb)
  }

  async stop(): Promise<void> {
    const client = this.client
    this.client = undefined
    if (client) await client.endAsync(true).catch(() => undefined)
    this.setState({ health: 'stopped' })
  }

  private emit(batch: SampleBatch) {
    for (const cb of this.sampleCbs) {
      try {
        cb(batch)
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'sample listener failed')
      }
    }
  }

  private setState(s: CollectorState) {
    for (const cb of this.stateCbs) cb(s)
  }
}
