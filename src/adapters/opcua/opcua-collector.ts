import {
  AttributeIds,
  ClientMonitoredItemGroup,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  type ClientSession,
  type DataValue,
  type MonitoringParametersOptions,
} from 'node-opcua'
import type { OpcuaConnectionConfig } from '../../core/config/schema'
import type { Collector, CollectorState, Unsubscribe, WriteRequest, WriteResult } from '../../core/ports/collector'
import type { Logger } from '../../core/ports/logger'
import type { Sample, SampleBatch, SampleValue } from '../../shared/model'
import { qualityOf } from './quality'

export interface OpcuaCollectorOptions {
  config: OpcuaConnectionConfig
  /** Folder for the client's application certificate (never inside the repo). */
  pkiDir: string
  logger: Logger
}

/**
 * Thin OPC UA collector: one session, one subscription over the configured signals, reconnecting forever.
 * Connection loss marks every signal bad ("communication lost") at once.
 */
export class OpcuaCollector implements Collector {
  readonly id: string
  rejected = 0
  private client: OPCUAClient | undefined
  private session: ClientSession | undefined
  private subscription: ClientSubscription | undefined
  private group: ClientMonitoredItemGroup | undefined
  private stopped = false
  private readonly sampleCbs = new Set<(b: SampleBatch) => void>()
  private readonly stateCbs = new Set<(s: CollectorState) => void>()
  private readonly log: Logger

  constructor(private readonly opts: OpcuaCollectorOptions) {
    this.id = opts.config.id
    this.log = opts.logger.child({ connection: this.id })
  }

  async start(): Promise<void> {
    this.stopped = false
    const certificateManager = new OPCUACertificateManager({ rootFolder: this.opts.pkiDir, automaticallyAcceptUnknownCertificate: false })
    await certificateManager.initialize()
    this.client = OPCUAClient.create({
      applicationName: 'Plantdeck',
      clientCertificateManager: certificateManager,
      endpointMustExist: false,
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
      connectionStrategy: { maxRetry: -1, initialDelay: 500, maxDelay: 10_000, randomisationFactor: 0.2 },
    })
    this.client.on('connection_lost', () => {
      this.setState({ health: 'connecting', reason: 'connection lost; reconnecting' })
      this.markAllBad('BadCommunicationError')
    })
    this.client.on('connection_reestablished', () => this.setState({ health: 'connected' }))
    this.client.on('backoff', (count, delay) => {
      this.setState({ health: 'connecting', reason: `server not reachable; retry ${count} in ${Math.round(delay / 1000)} s` })
    })
    this.setState({ health: 'connecting' })
    void this.connect()
  }

  private async connect() {
    const client = this.client!
    try {
      await client.connect(this.opts.config.endpoint)
      if (this.stopped) return
      this.session = await client.createSession()
      this.subscription = await this.session.createSubscription2({
        requestedPublishingInterval: Math.max(100, this.opts.config.samplingIntervalMs),
        requestedMaxKeepAliveCount: 10,
        requestedLifetimeCount: 60,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 1,
      })
      this.monitor()
      this.setState({ health: 'connected' })
    } catch (e) {
      if (this.stopped) return
      this.setState({ health: 'error', reason: (e as Error).message })
      this.log.error({ err: (e as Error).message }, 'opcua connect failed')
    }
  }

  private monitor() {
    const signals = this.opts.config.signals
    if (signals.length === 0 || !this.subscription) return
    const params: MonitoringParametersOptions = { samplingInterval: this.opts.config.samplingIntervalMs, queueSize: 10, discardOldest: true }
    this.group = ClientMonitoredItemGroup.create(
      this.subscription,
      signals.map((s) => ({ nodeId: s.nodeId, attributeId: AttributeIds.Value })),
      params,
      TimestampsToReturn.Both,
    )
    this.group.on('changed', (item, dv, index) => {
      const sig = signals[index]
      if (!sig) return
      this.emit([this.toSample(sig.id, dv)])
    })
    this.group.on('err', (msg) => {
      this.rejected++
      this.setState({ health: 'degraded', reason: `some items failed: ${msg}` })
    })
  }

  private toSample(signal: string, dv: DataValue): Sample {
    const ts = (dv.sourceTimestamp ?? dv.serverTimestamp ?? new Date()).getTime()
    const quality = qualityOf(dv.statusCode.value)
    const raw: unknown = dv.value?.value
    let value: SampleValue = null
    if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'string') value = raw
    else if (typeof raw === 'bigint') value = Number(raw)
    const s: Sample = { signal, ts, value, quality }
    if (quality !== 'good') s.status = dv.statusCode.name
    return s
  }

  private markAllBad(status: string) {
    const now = Date.now()
    this.emit(this.opts.config.signals.map((s) => ({ signal: s.id, ts: now, value: null, quality: 'bad' as const, status })))
  }

  async write(cmd: WriteRequest): Promise<WriteResult> {
    const sig = this.opts.config.signals.find((s) => s.id === cmd.signal)
    if (!sig) return { ok: false, status: 'unknown signal' }
    if (!sig.writable) return { ok: false, status: 'signal is not writable' }
    if (!this.session) return { ok: false, status: 'not connected' }
    const dt = await this.session.read({ nodeId: sig.nodeId, attributeId: AttributeIds.DataType })
    const dataType = (dt.value.value as { value?: number })?.value as DataType
    const status = await this.session.write({ nodeId: sig.nodeId, attributeId: AttributeIds.Value, value: { value: { dataType, value: cmd.value } } })
    return { ok: status.isGood(), status: status.name }
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
    this.stopped = true
    const client = this.client
    this.client = undefined
    try {
      await this.subscription?.terminate()
      await this.session?.close()
    } catch {
      /* the server may already be gone */
    }
    await client?.disconnect().catch(() => undefined)
    this.subscription = undefined
    this.session = undefined
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
