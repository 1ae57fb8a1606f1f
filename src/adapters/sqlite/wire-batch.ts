import type { DataType, Sample } from '../../shared/model'
import type { SignalRejection, StoreCounters, StoreRejection } from '../../core/ports/sample-store'
import { type Columns, KIND_STRING, kindOf } from '../store-engine/columns'
import { normalizeSample, normalized } from '../store-engine/ingest-rules'

/**
 * An append as it travels to the worker and sits in the `log` table: columns of typed arrays
 * (transferred, not copied) plus the few strings. `sig` holds the store's integer signal ids.
 */
export interface WireBatch {
  n: number
  sig: Uint32Array
  ts: Float64Array
  num: Float64Array
  flags: Uint8Array
  /** Values of the string samples, in sample order. */
  texts: string[]
  /** Indexes of the samples that carry a status, and those statuses. */
  statusAt: number[]
  statuses: string[]
}

export type IngestCounts = Partial<
  Pick<StoreCounters, 'unknownSignal' | 'wrongType' | 'badTimestamp' | 'futureTimestamp' | 'nonFinite'>
>

export interface SignalRef {
  id: number
  dataType: DataType
}

/** Validates and packs samples on the caller's thread: a few tens of ns per sample. */
export function encodeBatch(
  samples: readonly Sample[],
  signals: ReadonlyMap<string, SignalRef>,
  now: number,
  maxFutureMs: number,
): { batch: WireBatch; counts: IngestCounts; rejected: number; rejections: SignalRejection[] } {
  const len = samples.length
  const batch: WireBatch = {
    n: 0,
    sig: new Uint32Array(len),
    ts: new Float64Array(len),
    num: new Float64Array(len),
    flags: new Uint8Array(len),
    texts: [],
    statusAt: [],
    statuses: [],
  }
  const counts: IngestCounts = {}
  let rejected = 0
  let bySignal: Map<string, SignalRejection> | undefined
  const r = normalized()
  for (const s of samples) {
    const ref = signals.get(s.signal)
    const why = normalizeSample(s, ref?.dataType, now, maxFutureMs, r)
    if (why !== null) {
      counts[why] = (counts[why] ?? 0) + 1
      rejected++
      countRejection((bySignal ??= new Map()), String(s.signal), why)
      continue
    }
    if (r.nonFinite) counts.nonFinite = (counts.nonFinite ?? 0) + 1
    const i = batch.n++
    batch.sig[i] = ref?.id ?? 0
    batch.ts[i] = r.ts
    batch.num[i] = r.num
    batch.flags[i] = r.flags
    if (r.text !== undefined) batch.texts.push(r.text)
    if (r.status !== undefined) {
      batch.statusAt.push(i)
      batch.statuses.push(r.status)
    }
  }
  return { batch, counts, rejected, rejections: bySignal ? [...bySignal.values()] : [] }
}

/** Adds one rejected sample to per-signal, per-reason tallies keyed by reason and signal. */
export function countRejection(into: Map<string, SignalRejection>, signal: string, reason: StoreRejection, by = 1): void {
  const key = `${reason}\u0000${signal}`
  const cur = into.get(key)
  if (cur) cur.count += by
  else into.set(key, { signal, reason, count: by })
}

/** Visits every sample of a batch with its string value and status. */
export function forEachSample(
  b: WireBatch,
  visit: (i: number, text: string | undefined, status: string | undefined) => void,
): void {
  let t = 0
  let s = 0
  for (let i = 0; i < b.n; i++) {
    const text = kindOf(b.flags[i] ?? 0) === KIND_STRING ? b.texts[t++] : undefined
    const status = b.statusAt[s] === i ? b.statuses[s++] : undefined
    visit(i, text, status)
  }
}

/** Keeps the samples for which `keep` is true, in place. */
export function filterBatch(b: WireBatch, keep: (i: number) => boolean): void {
  const texts: string[] = []
  const statusAt: number[] = []
  const statuses: string[] = []
  let n = 0
  forEachSample(b, (i, text, status) => {
    if (!keep(i)) return
    b.sig[n] = b.sig[i] ?? 0
    b.ts[n] = b.ts[i] ?? 0
    b.num[n] = b.num[i] ?? 0
    b.flags[n] = b.flags[i] ?? 0
    if (text !== undefined) texts.push(text)
    if (status !== undefined) {
      statusAt.push(n)
      statuses.push(status)
    }
    n++
  })
  Object.assign(b, { n, texts, statusAt, statuses })
}

export type LogParams = [number, Uint8Array, Uint8Array, Uint8Array, Uint8Array, string | null]

const bytesOf = (a: ArrayBufferView, length: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, length)

export function toLogParams(b: WireBatch): LogParams {
  const extra = b.texts.length + b.statuses.length > 0 ? JSON.stringify([b.texts, b.statusAt, b.statuses]) : null
  return [b.n, bytesOf(b.sig, b.n * 4), bytesOf(b.ts, b.n * 8), bytesOf(b.num, b.n * 8), bytesOf(b.flags, b.n), extra]
}

export interface LogRow {
  seq: number
  n: number
  sig: Uint8Array
  ts: Uint8Array
  num: Uint8Array
  flags: Uint8Array
  extra: string | null
}

// SQLite hands blobs back at arbitrary offsets; typed arrays need aligned memory, hence the copies.
const copyOut = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer

export function fromLogRow(r: LogRow): WireBatch {
  const [texts, statusAt, statuses] = r.extra ? (JSON.parse(r.extra) as [string[], number[], string[]]) : [[], [], []]
  return {
    n: r.n,
    sig: new Uint32Array(copyOut(r.sig)),
    ts: new Float64Array(copyOut(r.ts)),
    num: new Float64Array(copyOut(r.num)),
    flags: new Uint8Array(copyOut(r.flags)),
    texts,
    statusAt,
    statuses,
  }
}

/** A batch as Columns (rows in arrival order, signals mixed), for reading samples back. */
export function batchColumns(b: WireBatch): Columns {
  const text: (string | undefined)[] = []
  const status: (string | undefined)[] = []
  forEachSample(b, (i, t, s) => {
    text[i] = t
    status[i] = s
  })
  return { n: b.n, ts: b.ts, num: b.num, flags: b.flags, text, status }
}
