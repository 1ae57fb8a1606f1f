/*
 * The store engine: rules both SampleStore implementations share (ingest-rules, columns, buckets, rollup,
 * merge), in a neutral adapter folder so the SQLite store (src/adapters/sqlite/, which adds the block and
 * rollup codecs in codec/) and the in-memory fake (src/adapters/memory-store/) use them without one adapter
 * reaching into the other. The port's acceptance constants (TICK, toTick, MAX_TS) live in core/ports/sample-store.
 */
import type { Quality, Sample, SampleValue } from '../../shared/model'

/**
 * Samples of one signal as parallel typed columns: what blocks decode to and what queries work on.
 * `flags` packs the quality (bits 0-1) and the value kind (bits 2-3); `num` holds numbers and booleans
 * (0/1); `text` holds string values, `status` raw status texts, both null when the run has none.
 */
export interface Columns {
  n: number
  ts: Float64Array
  num: Float64Array
  flags: Uint8Array
  text: (string | undefined)[] | null
  status: (string | undefined)[] | null
}

export const KIND_NUMBER = 0
export const KIND_BOOLEAN = 1
export const KIND_STRING = 2
export const KIND_NULL = 3

export const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad']
export const QUALITY_CODE: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2 }

export const kindOf = (flags: number): number => (flags >> 2) & 3
export const qualityOf = (flags: number): Quality => QUALITIES[flags & 3] ?? 'bad'
export const makeFlags = (quality: number, kind: number): number => quality | (kind << 2)
/** Numbers and booleans take part in min/max/avg. */
export const isNumeric = (flags: number): boolean => kindOf(flags) <= KIND_BOOLEAN

export function valueAt(c: Columns, i: number): SampleValue {
  const flags = c.flags[i] ?? 0
  switch (kindOf(flags)) {
    case KIND_NUMBER:
      return c.num[i] ?? null
    case KIND_BOOLEAN:
      return c.num[i] === 1
    case KIND_STRING:
      return c.text?.[i] ?? ''
    default:
      return null
  }
}

export function sampleAt(signal: string, c: Columns, i: number): Sample {
  const s: Sample = { signal, ts: c.ts[i] ?? 0, value: valueAt(c, i), quality: qualityOf(c.flags[i] ?? 0) }
  const status = c.status?.[i]
  if (status !== undefined) s.status = status
  return s
}

export const emptyColumns = (): Columns => ({
  n: 0,
  ts: new Float64Array(0),
  num: new Float64Array(0),
  flags: new Uint8Array(0),
  text: null,
  status: null,
})

/** Growable Columns: amortised O(1) push, `view()` without copying. */
export class ColumnsBuilder {
  n = 0
  ts: Float64Array
  num: Float64Array
  flags: Uint8Array
  text: (string | undefined)[] | null = null
  status: (string | undefined)[] | null = null

  constructor(capacity = 16) {
    this.ts = new Float64Array(capacity)
    this.num = new Float64Array(capacity)
    this.flags = new Uint8Array(capacity)
  }

  push(ts: number, num: number, flags: number, text?: string, status?: string): void {
    if (this.n === this.ts.length) this.grow(this.n * 2 + 16)
    const i = this.n++
    this.ts[i] = ts
    this.num[i] = num
    this.flags[i] = flags
    if (text !== undefined) (this.text ??= [])[i] = text
    if (status !== undefined) (this.status ??= [])[i] = status
  }

  pushFrom(c: Columns, i: number): void {
    this.push(c.ts[i] ?? 0, c.num[i] ?? 0, c.flags[i] ?? 0, c.text?.[i], c.status?.[i])
  }

  /** Appends rows [from, to) of `c`. */
  pushRange(c: Columns, from: number, to: number): void {
    if (to <= from) return
    const need = this.n + (to - from)
    if (need > this.ts.length) this.grow(Math.max(need, this.n * 2))
    this.ts.set(c.ts.subarray(from, to), this.n)
    this.num.set(c.num.subarray(from, to), this.n)
    this.flags.set(c.flags.subarray(from, to), this.n)
    for (let i = from; i < to && c.text; i++) if (c.text[i] !== undefined) (this.text ??= [])[this.n + i - from] = c.text[i]
    for (let i = from; i < to && c.status; i++) if (c.status[i] !== undefined) (this.status ??= [])[this.n + i - from] = c.status[i]
    this.n = need
  }

  view(): Columns {
    const n = this.n
    return {
      n,
      ts: this.ts.subarray(0, n),
      num: this.num.subarray(0, n),
      flags: this.flags.subarray(0, n),
      text: this.text,
      status: this.status,
    }
  }

  private grow(capacity: number): void {
    const ts = new Float64Array(capacity)
    ts.set(this.ts.subarray(0, this.n))
    const num = new Float64Array(capacity)
    num.set(this.num.subarray(0, this.n))
    const flags = new Uint8Array(capacity)
    flags.set(this.flags.subarray(0, this.n))
    this.ts = ts
    this.num = num
    this.flags = flags
  }
}

/** Rows [from, to) of `c`, sharing its typed arrays. */
export function sliceColumns(c: Columns, from: number, to: number): Columns {
  if (from === 0 && to === c.n) return c
  return {
    n: to - from,
    ts: c.ts.subarray(from, to),
    num: c.num.subarray(from, to),
    flags: c.flags.subarray(from, to),
    text: c.text ? c.text.slice(from, to) : null,
    status: c.status ? c.status.slice(from, to) : null,
  }
}

/** First index whose timestamp is > t (binary search; `ts` ascending): the end of an inclusive range ending at t. */
export function upperBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((ts[mid] ?? 0) <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose timestamp is >= t (binary search; `ts` ascending). */
export function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((ts[mid] ?? 0) < t) lo = mid + 1
    else hi = mid
  }
  return lo
}
