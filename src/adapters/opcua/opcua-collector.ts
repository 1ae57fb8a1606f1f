import { AttributeIds, coerceNodeId, MessageSecurityMode, OPCUAClient, type ClientSession, type DataValue, type ReadValueIdOptions } from 'node-opcua'
import { OpcuaMonitoring, type OpcuaConnectionConfig, type OpcuaSignalConfig } from '../../core/opcua/opcua-config'
import type { OpcuaAccess } from '../../core/opcua/opcua-port'
import type { Collector, WriteRequest, WriteResult } from '../../core/ports/collector'
import type { Logger } from '../../core/ports/logger'
import type { ItemFailure } from '../../shared/contract/opcua'
import { AppError, type Sample } from '../../shared/model'
import { backfill } from './backfill'
import { APPLICATION_NAME, type OpcuaPki } from './certificates'
import { RefusalRecorder, refusalError } from './channel-errors'
import { CollectorEvents } from '../collector-events'
import { getEndpoints } from './discovery'
import { explain } from './errors'
import { MonitoredItems, readLimits, type ServerLimits } from './monitoring'
import { writeTyped } from './node-ops'
import { createOpcuaEngineering, guard } from './opcua-engineering'
import { securityOf, selectEndpoint, userIdentity } from './security'
import { toSample, type TypeInfo } from './values'

export interface OpcuaCollectorOptions {
  config: OpcuaConnectionConfig
  /** The application's PKI, shared by every OPC UA connection. */
  pki: OpcuaPki
  logger: Logger
  /** How fast a silent connection is noticed; the defaults suit a plant network, tests shorten them. */
  timing?: OpcuaTiming
}

export interface OpcuaTiming {
  /** node-opcua's keepAliveInterval: a Read of the server state once the server has been quiet for half of it. Default 5,000. */
  keepAliveIntervalMs?: number
  /** node-opcua's defaultTransactionTimeout: a request unanswered this long fails, and a failed keep-alive breaks the connection. Default node-opcua's 15,000. */
  requestTimeoutMs?: number
  /** Nothing at all from the server for this long (no publish response, no keep-alive answer): every signal goes bad at once. Default 8,000. */
  silenceMs?: number
}

/** A certificate problem waits for a person; anything else is retried with this backoff. */
const BACKOFF = { initialMs: 500, maxMs: 30_000 }
const COMMUNICATION_LOST = 'BadCommunicationError'
const TIMING = { keepAliveIntervalMs: 5_000, silenceMs: 8_000 }

interface Live {
  client: OPCUAClient
  session: ClientSession
  limits: ServerLimits
  items: MonitoredItems
}

/**
 * OPC UA collector: picks the most secure endpoint, refuses unknown server certificates until a person trusts them,
 * subscribes every signal within the server's operation limits, and survives the server going away
 * (bad quality at once, node-opcua's reconnect transfers or recreates the subscriptions, optional HistoryRead backfill).
 *
 * Size (~400 lines): this is one connection's session lifecycle only — connect, watch for silence, mark bad, recover,
 * re-read and backfill — and those steps share the live session and each signal's outage marks, so they stay one
 * state machine. The engineer's access (browse, write, call...) is in opcua-engineering.ts.
 */
export class OpcuaCollector extends CollectorEvents implements Collector {
  readonly id: string
  rejected = 0
  readonly engineering: OpcuaAccess
  private live: Live | undefined
  private connecting: Promise<void> | undefined
  private stopped = true
  private wake: (() => void) | undefined
  private lostAt: number | undefined
  private serverCertificate: Buffer | undefined
  private readonly signals = new Map<string, OpcuaSignalConfig>()
  private readonly lastGood = new Map<string, number>()
  /** Signals marked bad by an outage, with the time of the mark, until a value at least as recent arrives. */
  private readonly marks = new Map<string, number>()
  private watchdog: NodeJS.Timeout | undefined
  private refreshTimer: NodeJS.Timeout | undefined
  private silent = false
  /** Silence is counted from here at the earliest: the session's start, or the last recovery. */
  private heardFloor = 0
  private readonly timing: Required<Omit<OpcuaTiming, 'requestTimeoutMs'>> & Pick<OpcuaTiming, 'requestTimeoutMs'>
  private readonly types = new Map<string, TypeInfo>()
  private pending: Sample[] = []
  private flushQueued = false
  private readonly monitoring: OpcuaMonitoring
  /** ERR messages the server sent on our channels: they say why it closed them (e.g. it does not trust our certificate). */
  private readonly refusals = new RefusalRecorder()

  constructor(private readonly opts: OpcuaCollectorOptions) {
    super(opts.logger.child({ connection: opts.config.id }))
    this.id = opts.config.id
    this.engineering = createOpcuaEngineering({
      id: this.id,
      session: () => this.session(),
      limits: () => this.live!.limits,
      types: this.types,
      addSignals: (signals) => this.addSignals(signals),
      removeSignals: (ids) => this.removeSignals(ids),
      failures: () => ({ monitored: this.live?.items?.count ?? 0, failed: this.live?.items?.failures() ?? [] }),
      signals: () => {
        const refused = new Map((this.live?.items?.failures() ?? []).map((f) => [f.signal, f.status]))
        return [...this.signals.values()].map((s) => {
          const why = refused.get(s.id)
          return why === undefined ? { signal: s.id, nodeId: s.nodeId } : { signal: s.id, nodeId: s.nodeId, refused: why }
        })
      },
    })
    this.monitoring = opts.config.monitoring ?? OpcuaMonitoring.parse({})
    this.timing = { ...TIMING, ...opts.timing }
    for (const s of opts.config.signals) this.signals.set(s.id, s)
    opts.pki.onChange(() => {
      this.wake?.()
      void this.recheckCertificate()
    })
  }

  async start(): Promise<void> {
    if (!this.stopped) return
    this.stopped = false
    this.setState({ health: 'connecting' })
    this.connecting = this.run()
  }

  private async run() {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.connectOnce()
        return
      } catch (e) {
        // What the server said before closing the channel explains more than the closed socket node-opcua reports.
        const refusal = this.refusals.take()
        await this.teardown()
        if (this.stopped) return
        const x = explain(refusal ? refusalError(refusal) : e)
        // The server's administrator must trust us; nothing wakes us when they do, so keep retrying with backoff.
        const rejected = x.code === 'opcua.certificate_rejected_by_server'
        const waitsForPerson = rejected || x.code === 'opcua.untrusted_certificate' || x.code === 'opcua.access_denied' || x.code === 'opcua.bad_endpoint'
        const delay = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** Math.min(attempt, 10))
        const retry = `retry in ${Math.ceil(delay / 1000)} s`
        const reason = rejected ? `${this.ownCertificateAdvice(x.message)}; ${retry}` : waitsForPerson ? x.message : `${x.message}; ${retry}`
        this.setState({ health: waitsForPerson ? 'error' : 'connecting', reason, code: x.code })
        this.log.warn({ code: x.code, err: x.message }, 'opcua connect failed')
        // A certificate decision wakes us at once; otherwise wait (a person may fix a password or a server meanwhile).
        await this.sleep(x.code === 'opcua.untrusted_certificate' ? BACKOFF.maxMs * 10 : delay)
        if (x.code === 'opcua.untrusted_certificate') attempt = -1
      }
    }
  }

  /** "…: trust Plantdeck's certificate on the server" plus which file and thumbprint the administrator looks for. */
  private ownCertificateAdvice(message: string): string {
    const own = this.opts.pki.own()
    return `${message} (file ${own.file}${own.thumbprint ? `, thumbprint ${own.thumbprint}` : ''})`
  }

  private async connectOnce() {
    const { config, pki } = this.opts
    this.refusals.take()
    const endpoint = selectEndpoint(await getEndpoints(config.endpoint, pki), config)
    const security = securityOf(endpoint)
    const cert = endpoint.serverCertificate
    const secure = cert && cert.length > 0 && security.securityMode !== MessageSecurityMode.None
    if (secure) await pki.requireTrusted(cert, { endpointUrl: config.endpoint, applicationUri: endpoint.server?.applicationUri ?? null })
    this.serverCertificate = secure ? cert : undefined
    if (this.stopped) return
    const client = OPCUAClient.create({
      applicationName: APPLICATION_NAME,
      clientCertificateManager: pki.manager,
      ...security,
      ...(cert && cert.length > 0 ? { serverCertificate: cert } : {}),
      endpointMustExist: false,
      transportFactory: this.refusals.factory,
      keepSessionAlive: true,
      keepAliveInterval: this.timing.keepAliveIntervalMs,
      ...(this.timing.requestTimeoutMs ? { defaultTransactionTimeout: this.timing.requestTimeoutMs } : {}),
      requestedSessionTimeout: 60_000,
      connectionStrategy: { maxRetry: -1, initialDelay: BACKOFF.initialMs, maxDelay: 10_000, randomisationFactor: 0.2 },
    })
    client.on('backoff', (count: number, delay: number) => this.backingOff(count, delay))
    client.on('connection_lost', () => this.lost())
    // fires after node-opcua has reactivated the session and transferred or recreated its subscriptions
    client.on('connection_reestablished', () => this.recovered())
    this.live = { client } as Live
    await client.connect(config.endpoint)
    const session = await client.createSession(await userIdentity(config.identity))
    session.on('keepalive_failure', () => this.lost())
    // A keep-alive failure without a socket loss never raises connection_reestablished: the next good keep-alive ends the outage.
    session.on('keepalive', () => this.lostAt !== undefined && client.isReconnecting === false && this.recovered())
    this.watch(client, session)
    const limits = await readLimits(session)
    const items = new MonitoredItems(session, limits, { ...this.monitoring, samplingIntervalMs: config.samplingIntervalMs }, (signal, dv) => this.onValue(signal, dv))
    this.live = { client, session, limits, items }
    if (this.stopped) return
    const failures = await items.add([...this.signals.values()].map((s) => ({ signal: s.id, nodeId: s.nodeId })))
    this.rejected += failures.length
    this.reportHealth()
    // a new session after an outage: values unchanged since then come with their old source time
    if (this.marks.size > 0) this.scheduleRefresh()
    this.log.info({ endpoint: endpoint.endpointUrl, policy: endpoint.securityPolicyUri, items: items.count, failed: failures.length }, 'opcua connected')
  }

  /** node-opcua's own reconnect retries: the state keeps saying why (a server now refusing our certificate, or unreachable). */
  private backingOff(count: number, delay: number) {
    const refusal = this.refusals.take()
    const x = refusal ? explain(refusalError(refusal)) : undefined
    const retry = `retry ${count} in ${Math.ceil(delay / 1000)} s`
    if (x?.code === 'opcua.certificate_rejected_by_server') this.setState({ health: 'error', reason: `${this.ownCertificateAdvice(x.message)}; ${retry}`, code: x.code })
    else this.setState({ health: 'connecting', reason: x ? `${x.message}; ${retry}` : `server not reachable; ${retry}`, code: x?.code ?? 'opcua.unreachable' })
  }

  /** A certificate rejected while in use ends the session: the next attempt stops at "rejected by an operator". */
  private async recheckCertificate() {
    const cert = this.serverCertificate
    if (this.stopped || !this.live?.session || !cert) return
    if ((await this.opts.pki.check(cert).catch(() => 'trusted')) === 'trusted') return
    this.lost()
    await this.teardown()
    if (!this.stopped) this.connecting = this.run()
  }

  /**
   * A cable pulled closes no socket: node-opcua notices only when a keep-alive Read times out. The server answers
   * at least every keep-alive period (publish keep-alives, or node-opcua's Read once it has been quiet), so silence
   * beyond `silenceMs` is an outage now; answers coming back end it.
   */
  private watch(client: OPCUAClient, session: ClientSession) {
    clearInterval(this.watchdog)
    this.heardFloor = Date.now()
    const every = Math.max(50, Math.min(500, this.timing.silenceMs / 4))
    this.watchdog = setInterval(() => {
      if (this.stopped || (this.live && this.live.session !== session)) return
      const quiet = Date.now() - Math.max(session.lastResponseReceivedTime.getTime(), this.heardFloor)
      if (quiet > this.timing.silenceMs) {
        if (this.lostAt === undefined) {
          this.silent = true
          this.lost(`no answer from the server for ${(quiet / 1000).toFixed(1)} s (communication lost); waiting for it`)
        }
      } else if (this.silent && this.lostAt !== undefined && !client.isReconnecting) {
        this.recovered()
      }
    }, every)
    this.watchdog.unref?.()
  }

  private lost(reason = 'connection lost; reconnecting') {
    if (this.lostAt !== undefined || this.stopped) return
    this.lostAt = Date.now()
    this.setState({ health: 'connecting', reason, code: 'opcua.unreachable' })
    this.flush()
    const now = Date.now()
    for (const signal of this.signals.keys()) this.marks.set(signal, now)
    this.emit([...this.signals.keys()].map((signal) => ({ signal, ts: now, value: null, quality: 'bad' as const, status: COMMUNICATION_LOST })))
  }

  private recovered() {
    const from = this.lostAt
    this.lostAt = undefined
    this.silent = false
    this.heardFloor = Date.now()
    this.reportHealth()
    this.scheduleRefresh()
    const live = this.live
    if (from === undefined || !live?.session || !this.opts.config.backfill) return
    const since = new Map([...this.signals.values()].map((s) => [s.id, this.lastGood.get(s.id) ?? from]))
    backfill(live.session, live.limits, [...this.signals.values()], since, Date.now())
      .then((batch) => batch.length > 0 && this.emit(batch))
      .catch((e) => this.log.warn({ err: (e as Error).message }, 'opcua backfill failed'))
  }

  private reportHealth() {
    const failed = this.live?.items?.failures().length ?? 0
    this.setState(failed > 0 ? { health: 'degraded', reason: `${failed} of ${this.signals.size} items refused by the server (see opcua.failures)` } : { health: 'connected' })
  }

  /**
   * After an outage, a signal whose value did not change meanwhile gets no notification newer than its bad mark
   * (a reactivated session only republishes what changed; a new subscription re-sends the old source time).
   * Once the notifications of the first publish cycles had their chance, the signals still marked are read, and
   * a value older than the mark is stamped with the time it was read back: the value holds again from then on.
   */
  private scheduleRefresh() {
    clearTimeout(this.refreshTimer)
    const grace = Math.max(1_000, 4 * this.monitoring.publishingIntervalMs)
    this.refreshTimer = setTimeout(() => void this.refresh().catch((e) => this.log.warn({ err: (e as Error).message }, 'opcua refresh after outage failed')), grace)
    this.refreshTimer.unref?.()
  }

  private async refresh() {
    const live = this.live
    if (!live?.session || this.lostAt !== undefined || this.stopped) return
    const wanted: { signal: string; node: ReadValueIdOptions }[] = []
    for (const [signal] of this.marks) {
      const nodeId = this.signals.get(signal)?.nodeId
      if (nodeId === undefined) {
        this.marks.delete(signal)
        continue
      }
      try {
        wanted.push({ signal, node: { nodeId: coerceNodeId(nodeId), attributeId: AttributeIds.Value } })
      } catch {
        this.marks.delete(signal) // refused locally as BadNodeIdInvalid; nothing to read
      }
    }
    for (let i = 0; i < wanted.length; i += live.limits.maxNodesPerRead) {
      const chunk = wanted.slice(i, i + live.limits.maxNodesPerRead)
      const values = await live.session.read(chunk.map((w) => w.node))
      if (this.live !== live || this.lostAt !== undefined) return
      const now = Date.now()
      const batch: Sample[] = []
      chunk.forEach((w, k) => {
        const mark = this.marks.get(w.signal)
        const dv = values[k]
        if (mark === undefined || !dv) return // a notification got there first
        const s = toSample(w.signal, dv)
        if (s.ts < mark) s.ts = Math.max(now, mark + 1)
        this.marks.delete(w.signal)
        batch.push(s)
      })
      if (batch.length > 0) this.emit(batch)
    }
  }

  private onValue(signal: string, dv: DataValue) {
    const s = toSample(signal, dv)
    const mark = this.marks.get(signal)
    if (mark !== undefined && s.ts >= mark) this.marks.delete(signal)
    if (s.quality === 'good' && this.opts.config.backfill) this.lastGood.set(signal, s.ts)
    this.pending.push(s)
    if (!this.flushQueued) {
      this.flushQueued = true
      // one publish response fires many 'changed' events synchronously: deliver them as one batch
      queueMicrotask(() => this.flush())
    }
  }

  private flush() {
    this.flushQueued = false
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    this.emit(batch)
  }

  private session(): ClientSession {
    const s = this.live?.session
    if (!s || this.lostAt !== undefined) throw new AppError('opcua.not_connected', `${this.id} is not connected${this.state.reason ? `: ${this.state.reason}` : ''}`)
    return s
  }

  private async writeSignal(cmd: WriteRequest): Promise<WriteResult> {
    const sig = this.signals.get(cmd.signal)
    if (!sig) return { ok: false, status: 'unknown signal' }
    if (!sig.writable) return { ok: false, status: 'signal is not writable' }
    try {
      const r = await guard(() => writeTyped(this.session(), sig.nodeId, cmd.value, this.types))
      return { ok: r.ok, status: r.ok ? r.status : `${r.status}: ${r.message ?? ''}`.trim() }
    } catch (e) {
      return { ok: false, status: (e as Error).message }
    }
  }

  private async addSignals(signals: OpcuaSignalConfig[]): Promise<ItemFailure[]> {
    const fresh = signals.filter((s) => !this.signals.has(s.id))
    for (const s of fresh) this.signals.set(s.id, s)
    const items = this.live?.items
    if (!items || fresh.length === 0) return []
    const failures = await items.add(fresh.map((s) => ({ signal: s.id, nodeId: s.nodeId })))
    this.rejected += failures.length
    this.reportHealth()
    return failures
  }

  private async removeSignals(ids: string[]): Promise<{ removed: string[]; unknown: string[] }> {
    const removed = ids.filter((id) => this.signals.delete(id))
    for (const id of removed) {
      this.lastGood.delete(id)
      this.marks.delete(id)
    }
    await this.live?.items?.remove(removed).catch((e) => this.log.warn({ err: (e as Error).message }, 'opcua monitored items not deleted'))
    if (removed.length > 0 && this.live?.items) this.reportHealth()
    return { removed, unknown: ids.filter((id) => !removed.includes(id)) }
  }

  write(cmd: WriteRequest): Promise<WriteResult> {
    return this.writeSignal(cmd)
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.marks.clear()
    this.wake?.()
    // Disconnecting first aborts a connect that is still retrying, so the loop below ends promptly.
    await this.teardown()
    await this.connecting?.catch(() => undefined)
    this.setState({ health: 'stopped' })
  }

  private async teardown() {
    const live = this.live
    this.live = undefined
    this.lostAt = undefined
    this.silent = false
    clearInterval(this.watchdog)
    clearTimeout(this.refreshTimer)
    this.types.clear()
    if (!live) return
    // While node-opcua reconnects nothing reaches the server: deleting subscriptions or closing the session would wait
    // for a reconnect that may never come (a stop during a server outage hung). The server drops the session on its timeout.
    if (!live.client.isReconnecting) {
      await live.items?.terminate().catch(() => undefined)
      await live.session?.close().catch(() => undefined)
    }
    await live.client.disconnect().catch(() => undefined)
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms)
      function done() {
        clearTimeout(t)
        resolve()
      }
      this.wake = done
    })
  }
}
