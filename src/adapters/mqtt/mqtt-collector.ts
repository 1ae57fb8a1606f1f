import type { Duplex } from 'node:stream'
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt'
import type { MqttConnectionConfig } from '../../core/mqtt/mqtt-config'
import type { MqttAccess } from '../../core/mqtt/mqtt-port'
import type { Collector, CollectorState, WriteRequest, WriteResult } from '../../core/ports/collector'
import type { Logger } from '../../core/ports/logger'
import { ArrivalClock } from '../../core/ports/clock'
import type { Sample } from '../../shared/model'
import { CollectorEvents } from '../collector-events'
import { BrokerWindow, watchWindow } from './broker-window'
import { clientOptions, connectionDetail, DEFAULT_RECONNECT, fallBackTo311, protocolChoice } from './client-options'
import { connectionErrorCode } from './connection-errors'
import { decodeInto, type Rejection } from './decode'
import { DurableBatcher } from './durable-batcher'
import { MappingTable } from './mapping-table'
import { createMqttAccess } from './mqtt-access'
import { RejectionLog } from './rejection-log'
import { Redeliveries } from './redeliveries'
import { OversizeGuard } from './oversize-guard'
import { HALT, PublishTap, type SinkResult, type TappedPublish } from './publish-tap'
import { parseSparkplugTopic, rebirthPayload, SparkplugTracker } from './sparkplug'
import { TopicTree, type TopicTreeOptions } from './topic-tree'

export interface MqttCollectorOptions {
  config: MqttConnectionConfig
  logger: Logger
  topicTree?: TopicTreeOptions
  /** Batching of samples into store appends (see DurableBatcher). */
  batch?: { maxBatch?: number; maxInflight?: number; maxPending?: number }
  /**
   * Who reads received PUBLISH packets: 'tap' (default) reads them from the socket itself (see PublishTap),
   * 'mqtt.js' leaves them to mqtt.js's parser. The benchmark measures both.
   */
  receive?: 'tap' | 'mqtt.js'
  /** This installation's id (host: `<dataDir>/installation-id`): without a configured client id, a stable one derives from it, with a persistent session. */
  installationId?: string
}

/** Passed to mqtt.js's message callback so it sends no PUBACK of its own: ours follows durability. */
const ACK_DEFERRED = new Error('PUBACK deferred until the samples are durable')
const REBIRTH_EVERY_MS = 5000
const STOP_DRAIN_MS = 10_000

/** mqtt.js internals the collector relies on (checked at start, so a changed mqtt.js fails loudly). */
type PacketSender = { _sendPacket?: (packet: object, cb?: () => void) => void; streamBuilder?: (client: MqttClient) => Duplex }

/**
 * MQTT collector: one broker, many subscriptions, JSON/plain/Sparkplug B mappings, a live topic tree.
 * At QoS 1 a message is acknowledged to the broker only once every sample listener said its samples are
 * durable; with a persistent session the broker redelivers whatever was not acknowledged.
 *
 * Size (~330 lines): the connection's lifecycle and the per-message path (both readers, acknowledgement, redelivery,
 * rejection) share the client and the batcher; decoding, options, the broker window, the tap and the guard are in their
 * own files, and what is left here is their wiring.
 */
export class MqttCollector extends CollectorEvents implements Collector {
  readonly id: string
  readonly engineering: MqttAccess
  private client: MqttClient | undefined
  private readonly table: MappingTable
  private readonly tree: TopicTree
  private readonly rejections = new RejectionLog()
  private readonly sparkplug: SparkplugTracker
  private readonly batcher: DurableBatcher
  private readonly maxBytes: number
  private readonly rebirthAsked = new Map<string, number>()
  /** Stamps of samples whose message carries no time: distinct per message, so none overwrites another. */
  private readonly arrival = new ArrivalClock()
  private readonly redeliveries = new Redeliveries()
  private stopping = false
  private readonly window = new BrokerWindow()
  private stopWatch = (): void => undefined
  /** What the connection runs on, for the state's `detail`: protocol, client id, session. */
  private detail = ''

  constructor(private readonly opts: MqttCollectorOptions) {
    super(opts.logger.child({ connection: opts.config.id }))
    const c = opts.config
    this.id = c.id
    this.maxBytes = c.maxPayloadBytes ?? 1024 * 1024
    this.table = new MappingTable(c.signals)
    this.tree = new TopicTree(opts.topicTree)
    this.sparkplug = new SparkplugTracker(this.table)
    this.batcher = new DurableBatcher({ ...opts.batch, deliver: (b) => this.deliverAll(b), onFailure: (e) => this.onStoreFailure(e) })
    this.engineering = createMqttAccess({
      connection: this.id,
      client: () => this.client,
      table: this.table,
      tree: this.tree,
      sparkplug: this.sparkplug,
      rejections: this.rejections,
      afterRemove: (id) => this.rejections.forget(id),
    })
  }

  get rejected(): number {
    return this.rejections.total
  }

  async start(): Promise<void> {
    const c = this.opts.config
    const backoff = c.reconnect ?? DEFAULT_RECONNECT
    this.stopping = false
    this.detail = ''
    this.setState({ health: 'connecting' })
    const options = clientOptions(c, this.opts.installationId)
    const protocol = protocolChoice(c)
    const client = mqtt.connect(c.url, { ...options, manualConnect: true })
    const internals = client as unknown as PacketSender
    if (typeof internals._sendPacket !== 'function' || typeof internals.streamBuilder !== 'function') {
      client.end(true)
      throw new Error('this mqtt.js version lacks _sendPacket or streamBuilder (deferred PUBACK, PUBLISH reader)')
    }
    this.client = client
    client.handleMessage = (packet, done) => this.onPacket(client, packet, done)
    const build = internals.streamBuilder
    // payloads over the limit are rejected anyway: both paths drop them as they stream in instead of buffering them
    // (the version is read per connection: it falls back to 3.1.1 when the broker refuses 5)
    if (this.opts.receive !== 'mqtt.js') internals.streamBuilder = (cl) => new PublishTap(build(cl), (p) => this.onTapped(client, p), { protocolVersion: cl.options.protocolVersion ?? 4, maxPayloadBytes: this.maxBytes })
    else internals.streamBuilder = (cl) => new OversizeGuard(build(cl), { protocolVersion: cl.options.protocolVersion ?? 4, maxPayloadBytes: this.maxBytes })
    client.on('connect', (connack) => {
      client.options.reconnectPeriod = backoff.minMs
      // a new session: the broker redelivers nothing from before, so no message can come again as a duplicate
      if (!connack?.sessionPresent) this.redeliveries.clear()
      this.window.reset(client.options.protocolVersion === 5 ? Infinity : 500)
      this.detail = connectionDetail(client.options, protocol.version)
      if (c.subscriptions.length === 0) return this.setState({ health: 'connected' })
      // `connected` once the broker granted the subscriptions: from then on nothing published is missed
      client.subscribe(Object.fromEntries(c.subscriptions.map((s) => [s.filter, { qos: s.qos }])), (err, granted) => {
        const refused = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? []
        if (err || refused.length > 0) this.setState({ health: 'degraded', reason: `subscription refused: ${err?.message ?? refused.join(', ')}`, code: 'mqtt.subscription_refused' })
        else this.setState({ health: 'connected' })
      })
    })
    client.on('close', () => {
      // mqtt.js waits `reconnectPeriod` before the next attempt: double it per failure, up to the maximum
      client.options.reconnectPeriod = Math.min(backoff.maxMs, (client.options.reconnectPeriod ?? backoff.minMs) * 2)
    })
    client.on('reconnect', () => {
      if (this.state.health !== 'error') this.setState({ health: 'connecting', reason: 'broker not reachable; reconnecting', code: 'mqtt.unreachable' })
    })
    client.on('offline', () => {
      if (this.state.health !== 'error') this.setState({ health: 'connecting', reason: 'broker connection lost; reconnecting', code: 'mqtt.unreachable' })
      this.markAllBad('broker connection lost')
    })
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'mqtt error')
      const e = err as { code?: unknown }
      if (protocol.auto && fallBackTo311(client.options, e.code)) {
        // a broker that speaks only 3.1.1: connect again at 3.1.1 (mqtt.js does not reconnect after a refusal by itself)
        this.log.info({}, 'broker refused MQTT 5; connecting with 3.1.1')
        setImmediate(() => this.stopping || client.reconnect())
        return this.setState({ health: 'connecting', reason: 'the broker refused MQTT 5; reconnecting with 3.1.1', code: 'mqtt.connection_refused' })
      }
      // A frame mqtt.js cannot parse on an open connection: mqtt.js reports it and leaves the connection open, yet
      // reads nothing more from it. Drop it, so the reconnect resumes (unacknowledged QoS 1 messages come back).
      if (e.code === undefined && client.connected && client.stream && !client.stream.destroyed && !this.stopping) {
        this.setState({ health: 'error', reason: `broker sent a malformed packet (${err.message}); reconnecting`, code: 'mqtt.protocol_error' })
        client.stream.destroy()
        return
      }
      this.setState({ health: 'error', reason: err.message, code: connectionErrorCode(e) })
    })
    client.connect()
    this.stopWatch = watchWindow(this.window, { state: () => this.state, setState: (st) => this.setState(st), v5: () => client.options.protocolVersion === 5 })
  }

  /** Every state carries what the connection runs on (protocol, client id, session) once known. */
  protected override setState(s: CollectorState): void {
    super.setState(this.detail && s.health !== 'stopped' ? { ...s, detail: this.detail } : s)
  }

  /** A PUBLISH read by the tap: handled as mqtt.js would hand it over, with our PUBACK after durability. */
  private onTapped(client: MqttClient, p: TappedPublish): SinkResult {
    if (this.stopping) return HALT
    // request/response (mqtt-access) listens for its reply on mqtt.js's 'message' event (never given a cut payload)
    if (!p.truncated && client.listenerCount('message') > 0) {
      const packet = { cmd: 'publish', topic: p.topic, payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup, messageId: p.qos === 1 ? p.messageId : undefined, properties: p.properties }
      client.emit('message', p.topic, p.payload, packet as IPublishPacket)
    }
    if (p.qos === 1) {
      this.window.received()
      if (this.redeliveries.arrived(p.messageId, p.dup, p.topic, p.size)) this.redelivered(client, p.topic, p.messageId)
      else this.handle(p.topic, p.payload, p.retain, this.ackWhenDurable(client, p.messageId, p.topic, p.size), p.size)
    } else this.handle(p.topic, p.payload, p.retain, undefined, p.size)
    return this.batcher.full ? this.batcher.room() : undefined
  }

  private onPacket(client: MqttClient, packet: IPublishPacket, done: (err?: Error) => void): void {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
    // a message the guard cut: its payload is the first 64 KiB, `size` what was published
    const guard = packet.qos < 2 && client.stream instanceof OversizeGuard ? client.stream : undefined
    const size = guard?.taken() ?? payload.byteLength
    const id = packet.qos === 1 ? packet.messageId : undefined
    if (id !== undefined) this.window.received()
    const ack = id !== undefined ? this.ackWhenDurable(client, id, packet.topic, size) : undefined
    if (id !== undefined && this.redeliveries.arrived(id, packet.dup, packet.topic, size)) this.redelivered(client, packet.topic, id)
    else this.handle(packet.topic, payload, packet.retain, ack, size)
    // a store far behind: stop reading (TCP back-pressure) instead of piling samples up in memory
    if (this.batcher.full) void this.batcher.room().then(() => this.next(done, ack !== undefined))
    else this.next(done, ack !== undefined)
  }

  private handle(topic: string, payload: Uint8Array, retained: boolean, ack: (() => void) | undefined, size = payload.byteLength): void {
    try {
      this.onMessage(topic, payload, retained, ack, size)
    } catch (e) {
      // a bug in decoding must not stop the connection: log it and acknowledge the message (after whatever
      // samples it had already yielded are durable)
      this.log.error({ err: (e as Error).message, topic }, 'message handling failed')
      this.batcher.added(ack)
    }
  }

  /** The PUBACK of a QoS 1 message once its samples are durable; from then on a redelivery of it is recognised. */
  private ackWhenDurable(client: MqttClient, messageId: number, topic: string, size: number): () => void {
    const puback = pubackLater(client, messageId, this.window)
    return () => {
      this.redeliveries.durable(messageId, topic, size)
      puback()
    }
  }

  /** A redelivery of a message already stored: acknowledged (in turn) and counted as duplicates, not stored again. */
  private redelivered(client: MqttClient, topic: string, messageId: number): void {
    const mappings = parseSparkplugTopic(topic) ? undefined : this.table.forTopic(topic)
    if (mappings && mappings.length > 0) this.emitRejected(mappings.map((m) => ({ signal: m.sig.id, reason: 'duplicate' })))
    this.batcher.added(pubackLater(client, messageId, this.window))
  }

  /** Lets mqtt.js read the next packet; `deferred` suppresses its own PUBACK (ours follows durability). */
  private next(done: (err?: Error) => void, deferred: boolean): void {
    // stopping: read no further, so nothing arrives that could not be stored (unacknowledged ones come back)
    if (!this.stopping) done(deferred ? ACK_DEFERRED : undefined)
  }

  /** Exposed for tests and the benchmark: the whole path of one received message. */
  /** `size`: bytes of the payload as published, when `payload` holds only its start (an oversize message). */
  onMessage(topic: string, payload: Uint8Array, retained: boolean, ack?: () => void, size = payload.byteLength): void {
    const now = Date.now()
    const at = this.arrival.next(now)
    const samples = this.batcher.gathering
    let rejections: Rejection[] | undefined
    if (!this.tree.record(topic, payload, retained, now, size)) rejections = [{ reason: 'topic_limit' }]
    const sp = parseSparkplugTopic(topic)
    if (sp) {
      if (size > this.maxBytes) (rejections ??= []).push({ reason: 'too_large' })
      else {
        const r = this.sparkplug.handle(sp, payload, at)
        for (const x of r.samples) samples.push(x)
        if (r.rejections.length > 0) rejections = (rejections ?? []).concat(r.rejections)
        if (r.rebirth) this.askRebirth(r.rebirth.group, r.rebirth.node, now)
      }
    } else {
      const mappings = this.table.forTopic(topic)
      if (mappings) {
        const r = size > this.maxBytes ? [{ reason: 'too_large' as const }] : decodeInto(mappings, payload, at, this.maxBytes, samples)
        if (r) rejections = rejections ? rejections.concat(r) : r
      }
    }
    if (rejections) {
      this.rejections.record(topic, payload, rejections, now, size)
      this.emitRejected(this.perSignal(topic, sp !== undefined, rejections))
    }
    this.batcher.added(ack)
  }

  /**
   * Rejections as lost samples: one that names no signal stands for every mapping of a plain topic (none of them
   * got its sample); a full topic tree loses no sample (the message is still decoded), so it is left out.
   */
  private perSignal(topic: string, sparkplug: boolean, rejections: readonly Rejection[]): Rejection[] {
    const out: Rejection[] = []
    for (const r of rejections) {
      if (r.reason === 'topic_limit') continue
      const mappings = r.signal === undefined && !sparkplug ? this.table.forTopic(topic) : undefined
      if (mappings && mappings.length > 0) for (const m of mappings) out.push({ signal: m.sig.id, reason: r.reason })
      else out.push(r)
    }
    return out
  }

  private askRebirth(group: string, node: string, now: number): void {
    const key = `${group}/${node}`
    if (this.opts.config.sparkplugRebirth === false || now - (this.rebirthAsked.get(key) ?? 0) < REBIRTH_EVERY_MS) return
    this.rebirthAsked.set(key, now)
    this.client?.publish(`spBv1.0/${group}/NCMD/${node}`, Buffer.from(rebirthPayload(now)), { qos: 0 })
  }

  private markAllBad(status: string) {
    const now = this.arrival.next()
    const bad = this.table.list().map((s): Sample => ({ signal: s.id, ts: now, value: null, quality: 'bad', status }))
    if (bad.length > 0) this.batcher.add(bad)
  }


  private onStoreFailure(e: unknown): void {
    this.log.error({ err: (e as Error)?.message }, 'samples not stored; their messages stay unacknowledged')
    this.setState({ health: 'degraded', reason: `samples not stored (${(e as Error)?.message ?? e}); reconnecting so the broker redelivers`, code: 'mqtt.store_failed' })
    // unacknowledged QoS 1 messages come back only on a new connection
    if (this.opts.config.subscriptions.some((s) => s.qos === 1)) this.client?.stream?.destroy()
  }

  async write(cmd: WriteRequest): Promise<WriteResult> {
    return { ok: false, status: `writes to MQTT signals are not supported; publish with mqtt.publish (${cmd.signal})` }
  }



  /** Stores what was received (acknowledging it), then disconnects; a store that hangs delays this at most 10 s. */
  async stop(): Promise<void> {
    const client = this.client
    this.stopping = true
    this.stopWatch()
    let timer: ReturnType<typeof setTimeout> | undefined
    // what is not durable by then stays unacknowledged: the broker redelivers it to the next session
    await Promise.race([this.batcher.drain(), new Promise((r) => (timer = setTimeout(r, STOP_DRAIN_MS)))])
    clearTimeout(timer)
    this.client = undefined
    if (client) await client.endAsync(true).catch(() => undefined)
    this.setState({ health: 'stopped' })
  }

}

/** The PUBACK of one message, sent only on the connection that delivered it: after a reconnect the broker redelivers instead. */
function pubackLater(client: MqttClient, messageId: number, window: BrokerWindow): () => void {
  const stream = client.stream
  return () => {
    if (client.stream !== stream || !client.connected) return
    window.acked()
    ;(client as unknown as Required<PacketSender>)._sendPacket({ cmd: 'puback', messageId })
  }
}
