import type { Worker } from 'node:worker_threads'
import type { Sample, SignalId } from '../../shared/model'
import type { Clock } from '../../core/ports/clock'
import type { Unsubscribe } from '../../core/ports/collector'
import type {
  AppendReceipt,
  Backlog,
  BucketQuery,
  BucketSeries,
  LoggedBatch,
  MaintenanceReport,
  RawSeries,
  SampleStore,
  SignalDef,
  StoreEvent,
  StoreRecovery,
  StoreStats,
} from '../../core/ports/sample-store'
import { StoreError } from '../../core/ports/sample-store'
import type { Method, Notice, Reply, WorkerApi } from './protocol'
import { type SignalRef, batchColumns, encodeBatch } from './wire-batch'
import { sampleAt } from '../store-engine/columns'

const DEFAULT_LIMIT = 100_000
/** Samples packed per message: a few milliseconds of work on the caller's thread at most. */
const CHUNK = 16_384

/**
 * The caller's side of the store: validates and packs appends, then talks to the worker thread.
 * Only validation and packing (tens of ns per sample) run on the caller's thread.
 */
export class WorkerSampleStore implements SampleStore {
  durableSeq = 0
  recovery: StoreRecovery = { unclean: false, batches: 0, samples: 0 }
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private readonly refs = new Map<string, SignalRef>()
  /** Signal keys by the store's integer id, for `readSince`. */
  private readonly keysById: (string | undefined)[] = []
  private readonly durableListeners = new Set<(seq: number) => void>()
  private readonly eventListeners = new Set<(e: StoreEvent) => void>()
  private failure: Error | null = null
  private appendTail: Promise<void> = Promise.resolve()

  private constructor(
    private readonly worker: Worker,
    private readonly clock: Clock,
    private readonly maxFutureMs: number,
  ) {}

  /** Resolves once the worker has opened (and if needed migrated) the file. */
  static start(worker: Worker, clock: Clock, maxFutureMs: number): Promise<WorkerSampleStore> {
    const store = new WorkerSampleStore(worker, clock, maxFutureMs)
    return new Promise((resolve, reject) => {
      worker.on('message', (m: Notice | Reply) => {
        if ('id' in m) return store.settle(m)
        if (m.type === 'ready') {
          for (const [key, ref] of m.signals) store.refs.set(key, ref)
          store.durableSeq = m.durableSeq
          store.recovery = m.recovery
          resolve(store)
        } else if (m.type === 'fatal') reject(new Error(`store: ${m.error}`))
        else if (m.type === 'durable') store.markDurable(m.seq)
        else for (const cb of store.eventListeners) cb(m.event)
      })
      worker.on('error', (e) => {
        store.fail(e)
        for (const cb of store.eventListeners) cb({ type: 'error', message: `store worker died: ${e.message}` })
        reject(e)
      })
      worker.on('exit', () => {
        store.fail(new Error('store closed'))
        reject(new Error('store worker exited while opening'))
      })
    })
  }

  async registerSignals(defs: readonly SignalDef[]): Promise<void> {
    for (const [key, ref] of await this.call('registerSignals', [[...defs]])) this.refs.set(key, ref)
  }

  listSignals(): Promise<SignalDef[]> {
    return this.call('listSignals', [])
  }

  append(batch: readonly Sample[]): Promise<AppendReceipt> {
    // Chunks of one batch are all sent before the next batch's, so receipts resolve in call order.
    const sent = this.appendTail.then(() => this.send(batch))
    this.appendTail = sent.then(
      () => undefined,
      () => undefined,
    )
    return sent.then(async (receipts) => {
      const all = await Promise.all(receipts)
      return all.reduce((a, r) => {
        const out: AppendReceipt = { seq: Math.max(a.seq, r.seq), accepted: a.accepted + r.accepted, rejected: a.rejected + r.rejected }
        const rejections = [...(a.rejections ?? []), ...(r.rejections ?? [])]
        if (rejections.length > 0) out.rejections = rejections
        return out
      })
    })
  }

  /** Packs and posts a batch in chunks, yielding between them so the caller's thread is never held long. */
  private async send(batch: readonly Sample[]): Promise<Promise<AppendReceipt>[]> {
    const receipts: Promise<AppendReceipt>[] = []
    for (let i = 0; i < batch.length || i === 0; i += CHUNK) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve))
      const chunk = batch.slice(i, i + CHUNK)
      const { batch: wire, counts, rejected, rejections } = encodeBatch(chunk, this.refs, this.clock.now(), this.maxFutureMs)
      const transfer = [wire.sig.buffer, wire.ts.buffer, wire.num.buffer, wire.flags.buffer] as ArrayBuffer[]
      const receipt = this.call('append', [{ batch: wire, counts }], transfer).then((r): AppendReceipt => {
        const all = [...rejections, ...(r.rejections ?? [])]
        return { ...r, rejected: r.rejected + rejected, ...(all.length > 0 ? { rejections: all } : {}) }
      })
      // Awaited by append() once every chunk is sent; until then a failure must not count as unhandled.
      receipt.catch(() => {})
      receipts.push(receipt)
    }
    return receipts
  }

  onDurable(cb: (seq: number) => void): Unsubscribe {
    this.durableListeners.add(cb)
    return () => this.durableListeners.delete(cb)
  }

  queryRaw(signal: SignalId, from: number, to: number, limit = DEFAULT_LIMIT): Promise<RawSeries> {
    return this.call('queryRaw', [signal, from, to, limit])
  }

  queryBuckets(query: BucketQuery): Promise<BucketSeries[]> {
    return this.call('queryBuckets', [query])
  }

  latest(signals: readonly SignalId[]): Promise<Sample[]> {
    return this.call('latest', [[...signals]])
  }

  count(signal: SignalId, from: number, to: number): Promise<number> {
    return this.call('count', [signal, from, to])
  }

  setSyncWatermark(seq: number): Promise<void> {
    return this.call('setSyncWatermark', [seq])
  }

  setCursor(name: string, seq: number): Promise<void> {
    return this.call('setCursor', [name, seq])
  }

  cursors(): Promise<{ name: string; seq: number }[]> {
    return this.call('cursors', [])
  }

  backlog(afterSeq: number): Promise<Backlog> {
    return this.call('backlog', [afterSeq])
  }

  removeCursor(name: string): Promise<void> {
    return this.call('removeCursor', [name])
  }

  /**
   * The worker sends the logged batches packed (typed arrays copy as memory, where Sample objects would be cloned one
   * by one on its thread, holding up appends); the samples are made here.
   */
  async readSince(afterSeq: number, maxSamples: number): Promise<LoggedBatch[]> {
    const wire = await this.call('readSinceWire', [afterSeq, maxSamples])
    if (this.keysById.length === 0 || wire.some(({ batch }) => batch.sig.some((id) => this.keysById[id] === undefined))) {
      for (const [key, ref] of this.refs) this.keysById[ref.id] = key
    }
    return wire.map(({ seq, batch }) => {
      const cols = batchColumns(batch)
      const samples: Sample[] = []
      for (let i = 0; i < batch.n; i++) {
        const key = this.keysById[batch.sig[i] ?? 0]
        if (key !== undefined) samples.push(sampleAt(key, cols, i))
      }
      return { seq, samples }
    })
  }

  maintain(): Promise<MaintenanceReport> {
    return this.call('maintain', [])
  }

  stats(): Promise<StoreStats> {
    return this.call('stats', [])
  }

  /** Tests: see WorkerApi.setMaxPageCount. Not part of SampleStore. */
  setMaxPageCount(pages: number): Promise<number> {
    return this.call('setMaxPageCount', [pages])
  }

  onEvent(cb: (event: StoreEvent) => void): Unsubscribe {
    this.eventListeners.add(cb)
    return () => this.eventListeners.delete(cb)
  }

  async close(): Promise<void> {
    if (this.failure) return
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()))
    await this.appendTail // the last chunks of a big batch may still be waiting to be sent
    await this.call('close', [])
    await exited
  }

  private call<M extends Method>(
    method: M,
    args: Parameters<WorkerApi[M]>,
    transfer: ArrayBuffer[] = [],
  ): Promise<ReturnType<WorkerApi[M]>> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.worker.postMessage({ id, now: this.clock.now(), method, args }, transfer)
    })
  }

  private settle(m: Reply): void {
    const p = this.pending.get(m.id)
    if (!p) return
    this.pending.delete(m.id)
    if (m.ok) p.resolve(m.result)
    else p.reject(m.code ? new StoreError(m.code, `store: ${m.error}`) : new Error(`store: ${m.error}`))
  }

  private markDurable(seq: number): void {
    if (seq <= this.durableSeq) return
    this.durableSeq = seq
    for (const cb of this.durableListeners) cb(seq)
  }

  private fail(e: Error): void {
    this.failure ??= e
    for (const p of this.pending.values()) p.reject(e)
    this.pending.clear()
  }
}
