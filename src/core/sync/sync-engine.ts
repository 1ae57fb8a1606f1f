import type { SinkStatus, SyncStatus } from '../../shared/contract/sync'
import type { Sample } from '../../shared/model'
import { type Clock, systemClock } from '../ports/clock'
import { type Logger, silentLogger } from '../ports/logger'
import type { BucketQuery, BucketSeries, LoggedBatch, SampleStore, SignalDef } from '../ports/sample-store'
import { SinkError, type SinkSignal, type SyncSink } from '../ports/sync-sink'

export interface SyncSinkOptions {
  /** Samples per write (whole store batches: a write may hold one batch more than this). */
  batchSamples: number
  /** The backlog is drained at most this fast (samples/s); null: as fast as the sink takes it. Live data is not limited. */
  drainSamplesPerSecond: number | null
}

export interface SyncEngineDeps {
  store: SampleStore
  sinks: readonly { sink: SyncSink; options: SyncSinkOptions }[]
  clock?: Clock
  logger?: Logger
  /** Backoff after a failed write: full jitter over [0, min(maxMs, minMs · 2^failures)]. */
  backoff?: { minMs: number; maxMs: number }
  /** [0, 1); tests make the jitter deterministic. */
  random?: () => number
  /** How long a sink that is caught up waits for new commits before looking again (default 1 s; a commit wakes it at once). */
  idleMs?: number
}

/** Backlog above this many store batches when a sink (re)starts is drained at the backlog rate, after live data. */
const DRAIN_RATE_WINDOW_MS = 5_000

/**
 * Delivers the store's logged batches to every sink, each from its own cursor in the store (named after the sink):
 *
 * - in order: `readSince(cursor)`, whole batches, oldest first;
 * - at least once: the cursor moves only after `write` resolved; a crash re-delivers from the cursor, and writes
 *   are idempotent (same signal and timestamp replaces);
 * - live first: when a sink starts or comes back after failures with a backlog, what is committed from then on is
 *   delivered as it comes, and the backlog behind it is drained in between, at `drainSamplesPerSecond`; the cursor
 *   (the contiguous delivered prefix) follows the backlog, then jumps to the live position once they meet;
 * - failures: exponential backoff with full jitter; a non-retryable SinkError puts the sink in `error` and is
 *   retried at the longest backoff (it may be cured outside, e.g. a password changed on the server).
 */
export class SyncEngine {
  private readonly runners: SinkRunner[]
  private readonly clock: Clock
  private undeliveredDropped = 0
  private signals = new Map<string, SinkSignal>()
  private signalsLoaded: Promise<void> | null = null
  private unsubs: (() => void)[] = []

  constructor(private readonly deps: SyncEngineDeps) {
    this.clock = deps.clock ?? systemClock
    const log = deps.logger ?? silentLogger
    this.runners = deps.sinks.map(({ sink, options }) => new SinkRunner(this, sink, options, log.child({ sink: sink.id }), this.clock, deps))
  }

  async start(): Promise<void> {
    const log = this.deps.logger ?? silentLogger
    this.unsubs.push(
      this.deps.store.onEvent((e) => {
        if (e.type !== 'budget-deleted' || e.undeliveredSamples === 0) return
        this.undeliveredDropped += e.undeliveredSamples
        log.error({ store: e }, `the disk budget deleted ${e.undeliveredSamples} samples before every sync sink had them`)
      }),
      this.deps.store.onDurable(() => this.runners.forEach((r) => r.wake())),
    )
    await this.loadSignals()
    await Promise.all(this.runners.map((r) => r.start()))
  }

  async stop(): Promise<void> {
    this.unsubs.splice(0).forEach((u) => u())
    await Promise.all(this.runners.map((r) => r.stop()))
  }

  /** What a sink needs to tag a signal; reloaded from the store when a batch names one not known yet. */
  async signalsFor(samples: readonly Sample[]): Promise<ReadonlyMap<string, SinkSignal>> {
    if (samples.some((s) => !this.signals.has(s.signal))) await this.loadSignals()
    return this.signals
  }

  private loadSignals(): Promise<void> {
    this.signalsLoaded ??= this.deps.store
      .listSignals()
      .then((defs) => {
        this.signals = new Map(defs.map((d) => [d.id, sinkSignal(d)]))
      })
      .finally(() => {
        this.signalsLoaded = null
      })
    return this.signalsLoaded
  }

  async status(): Promise<SyncStatus> {
    const stats = await this.deps.store.stats().catch(() => null)
    return {
      at: this.clock.now(),
      sinks: await Promise.all(this.runners.map((r) => r.status())),
      store: {
        diskBytes: stats?.diskBytes ?? null,
        diskBudgetBytes: stats?.diskBudgetBytes ?? null,
        oldestTs: stats?.oldestTs ?? null,
        undeliveredDropped: stats?.counters.undeliveredDropped ?? this.undeliveredDropped,
      },
    }
  }

  /** True when a sink can read history back (the trend read-through). */
  get canRead(): boolean {
    return this.deps.sinks.some((s) => s.sink.readBuckets !== undefined)
  }

  /** History from the first sink that can read it (see ReadThroughHistory). */
  async readBuckets(query: BucketQuery): Promise<BucketSeries[]> {
    const sink = this.deps.sinks.find((s) => s.sink.readBuckets !== undefined)?.sink
    if (!sink?.readBuckets) return []
    if (this.signals.size === 0 || query.signals.some((id) => !this.signals.has(id))) await this.loadSignals()
    return sink.readBuckets(query, this.signals)
  }

  /** Resolves once every sink's cursor is at or past `seq` (tests, benchmarks, a clean stop). */
  async delivered(seq: number): Promise<void> {
    await Promise.all(this.runners.map((r) => r.reached(seq)))
  }
}

export const sinkSignal = (d: SignalDef): SinkSignal => ({
  id: d.id,
  dataType: d.dataType,
  connection: d.connection,
  ...(d.unit !== undefined ? { unit: d.unit } : {}),
  ...(d.assetPath !== undefined ? { assetPath: d.assetPath } : {}),
  ...(d.binding !== undefined ? { source: d.binding } : {}),
})

class SinkRunner {
  private state: SinkStatus['state'] = 'starting'
  /** Contiguous delivered prefix, persisted as the sink's cursor. */
  private cursor = 0
  /** Live position: everything after `backlogEnd` up to here is delivered too. */
  private live = 0
  /** While a backlog is drained: (cursor, backlogEnd] is what is left of it; null: none. */
  private backlogEnd: number | null = null
  private failures = 0
  private failuresTotal = 0
  private delivered = 0
  private dropped = 0
  private lastError: SinkStatus['lastError'] = null
  private nextAttemptAt: number | null = null
  private lastDeliveredAt: number | null = null
  private endpoint: string | null = null
  /** Backlog token bucket (samples). */
  private tokens = 0
  private tokensAt = 0
  private readonly recent: { at: number; n: number }[] = []
  private running = false
  private loop: Promise<void> | null = null
  private wakeUp: (() => void) | null = null
  private waiters: { seq: number; resolve: () => void }[] = []

  constructor(
    private readonly engine: SyncEngine,
    private readonly sink: SyncSink,
    private readonly o: SyncSinkOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly deps: SyncEngineDeps,
  ) {}

  async start(): Promise<void> {
    const known = (await this.deps.store.cursors()).find((c) => c.name === this.sink.id)
    this.cursor = known?.seq ?? 0
    if (!known) await this.deps.store.setCursor(this.sink.id, 0)
    this.live = this.cursor
    this.enterBacklog()
    this.tokensAt = this.clock.now()
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    this.wake()
    await this.loop
    this.state = 'stopped'
  }

  wake(): void {
    const w = this.wakeUp
    this.wakeUp = null
    w?.()
  }

  reached(seq: number): Promise<void> {
    if (this.cursor >= seq) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ seq, resolve }))
  }

  /** What is committed now and not delivered becomes the backlog; what comes after it is live. */
  private enterBacklog(): void {
    const head = this.deps.store.durableSeq
    if (head > this.live) {
      this.backlogEnd = head
      this.live = head
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const worked = await this.step()
        if (this.failures > 0) {
          this.log.info({ endpoint: this.endpoint }, `sync sink ${this.sink.id} delivering again`)
          this.failures = 0
          this.nextAttemptAt = null
        }
        if (!worked) await this.idle()
      } catch (e) {
        await this.failed(e)
      }
    }
  }

  /** One write: live data if there is any, else a slice of the backlog. Returns false when there was nothing to do. */
  private async step(): Promise<boolean> {
    const store = this.deps.store
    const head = store.durableSeq
    if (head > this.live) {
      const batches = await this.read(this.live, this.o.batchSamples)
      if (batches.length > 0) {
        this.prefetch(lastSeq(batches), this.o.batchSamples)
        await this.write(batches)
        this.live = lastSeq(batches)
        if (this.backlogEnd === null) await this.advance(this.live)
        this.state = this.backlogEnd === null ? 'live' : 'draining'
        return true
      }
      // the log no longer holds them (compacted without keepUndelivered, or the budget deleted them)
      this.live = head
      if (this.backlogEnd === null) await this.advance(head)
    }
    if (this.backlogEnd !== null) {
      const allowance = this.allowance()
      if (allowance <= 0) {
        await this.pause(this.refillMs(allowance))
        return true
      }
      const max = Math.min(this.o.batchSamples, allowance)
      const batches = (await this.read(this.cursor, max)).filter((b) => b.seq <= (this.backlogEnd ?? 0))
      if (batches.length > 0) {
        if (lastSeq(batches) < (this.backlogEnd ?? 0)) this.prefetch(lastSeq(batches), max)
        await this.write(batches)
        this.state = 'draining'
        this.spend(batches)
        await this.advance(lastSeq(batches))
      }
      if (batches.length === 0 || this.cursor >= (this.backlogEnd ?? 0)) {
        // drained: the backlog met the live position, so everything up to it is delivered
        this.backlogEnd = null
        await this.advance(this.live)
        this.state = 'live'
      }
      return true
    }
    this.state = 'live'
    return false
  }

  /** The next read, started while the current batches are written (the store's thread reads as the sink sends). */
  private ahead: { after: number; max: number; batches: Promise<LoggedBatch[]> } | null = null

  private prefetch(after: number, max: number): void {
    const batches = this.deps.store.readSince(after, max)
    batches.catch(() => undefined) // a failed read ahead is read again when due
    this.ahead = { after, max, batches }
  }

  /** Batches after `after`: the read ahead when it is for the same place and found some, else a fresh read. */
  private async read(after: number, max: number): Promise<LoggedBatch[]> {
    const ahead = this.ahead
    this.ahead = null
    if (ahead && ahead.after === after && ahead.max === max) {
      // an empty read ahead may predate a commit: only a non-empty one is taken as it is
      const got = await ahead.batches.catch(() => [])
      if (got.length > 0) return got
    }
    return this.deps.store.readSince(after, max)
  }

  private async write(batches: readonly LoggedBatch[]): Promise<void> {
    const samples = batches.length === 1 ? (batches[0]?.samples ?? []) : batches.flatMap((b) => b.samples)
    if (samples.length === 0) return
    const result = await this.sink.write(samples, await this.engine.signalsFor(samples))
    const now = this.clock.now()
    this.delivered += result.written
    for (const d of result.dropped) {
      this.dropped += d.count
      this.log.warn({ drop: d }, `sync sink ${this.sink.id}: the backend refused ${d.count} samples of ${d.signal} for good [${d.code}] ${d.reason}`)
    }
    this.lastDeliveredAt = now
    this.recent.push({ at: now, n: samples.length })
    if (this.sink.endpoint !== undefined) this.endpoint = this.sink.endpoint
  }

  private async advance(seq: number): Promise<void> {
    if (seq <= this.cursor) return
    await this.deps.store.setCursor(this.sink.id, seq)
    this.cursor = seq
    const due = this.waiters.filter((w) => w.seq <= seq)
    this.waiters = this.waiters.filter((w) => w.seq > seq)
    due.forEach((w) => w.resolve())
  }

  private allowance(): number {
    const rate = this.o.drainSamplesPerSecond
    if (rate === null) return this.o.batchSamples
    const now = this.clock.now()
    // at most one second's worth saved up, so a pause does not turn into a burst
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAt) / 1000) * rate)
    this.tokensAt = now
    return Math.floor(this.tokens)
  }

  private spend(batches: readonly LoggedBatch[]): void {
    if (this.o.drainSamplesPerSecond === null) return
    for (const b of batches) this.tokens -= b.samples.length
  }

  private refillMs(allowance: number): number {
    const rate = this.o.drainSamplesPerSecond ?? 1
    return Math.max(5, Math.min(1000, ((1 - allowance) / rate) * 1000))
  }

  private async failed(e: unknown): Promise<void> {
    const code = e instanceof SinkError ? e.code : ((e as { code?: unknown }).code as string | undefined) ?? 'sync.failed'
    const message = e instanceof Error ? e.message : String(e)
    const retryable = e instanceof SinkError ? e.retryable : true
    this.failures++
    this.failuresTotal++
    const { minMs, maxMs } = this.deps.backoff ?? { minMs: 500, maxMs: 30_000 }
    const ceiling = retryable ? Math.min(maxMs, minMs * 2 ** Math.min(this.failures - 1, 30)) : maxMs
    const delay = Math.max(1, Math.round((this.deps.random ?? Math.random)() * ceiling))
    const now = this.clock.now()
    if (this.lastError?.code !== code || this.failures === 1) {
      this.log.warn({ code, err: message, retryInMs: delay, endpoint: this.endpoint }, `sync sink ${this.sink.id} failed [${code}]: ${message}`)
    }
    this.lastError = { code, message, at: now }
    this.nextAttemptAt = now + delay
    this.state = retryable ? 'backoff' : 'error'
    await this.pause(delay)
    // back after an outage: what piled up meanwhile is backlog, what comes from now on is live
    this.enterBacklog()
  }

  private idle(): Promise<void> {
    return this.pause(this.deps.idleMs ?? 1_000)
  }

  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve()
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null
        resolve()
      }, ms)
      this.wakeUp = () => {
        clearTimeout(t)
        resolve()
      }
    })
  }

  async status(): Promise<SinkStatus> {
    const now = this.clock.now()
    while (this.recent.length > 0 && (this.recent[0]?.at ?? 0) < now - DRAIN_RATE_WINDOW_MS) this.recent.shift()
    const recentSamples = this.recent.reduce((n, r) => n + r.n, 0)
    const backlog = await this.deps.store.backlog(this.cursor).catch(() => ({ samples: 0, bytes: 0, oldestTs: null }))
    return {
      id: this.sink.id,
      kind: this.sink.kind,
      state: this.state,
      endpoint: this.sink.endpoint ?? this.endpoint,
      cursorSeq: this.cursor,
      headSeq: this.deps.store.durableSeq,
      backlog: { samples: backlog.samples, bytes: backlog.bytes, oldestTs: backlog.oldestTs },
      drainRate: recentSamples / (DRAIN_RATE_WINDOW_MS / 1000),
      delivered: this.delivered,
      dropped: this.dropped,
      failures: this.failuresTotal,
      lastError: this.lastError,
      nextAttemptAt: this.state === 'backoff' || this.state === 'error' ? this.nextAttemptAt : null,
      lastDeliveredAt: this.lastDeliveredAt,
    }
  }
}

const lastSeq = (batches: readonly LoggedBatch[]): number => batches[batches.length - 1]?.seq ?? 0
