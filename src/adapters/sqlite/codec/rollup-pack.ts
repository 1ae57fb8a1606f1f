import type { RollupRow, StoredValue } from '../../store-engine/rollup'

// Rollup rows are stored packed, one container per signal and span (the minutes of an hour, the hours
// of a day): a year of hourly rollups is then 365 rows to read rather than 8,760, and per-row overhead
// dominates such reads. A container is a Float64Array of one record per row holding data:
//   slot, count, nnum, sum, min, max, first, last, kinds
// min/max are NaN when null. `kinds` tells how first and last are stored (2 bits each): a number,
// null, or an index into the container's string list (kept as JSON beside the blob).
// Compaction appends records without reading the container back, so a slot may appear more than once,
// its later records covering later samples; unpacking merges them.

const FIELDS = 9
const NUMBER = 0
const NULL = 1
const TEXT = 2

export const RECORD_BYTES = FIELDS * 8

export interface Packed {
  data: Uint8Array
  texts: string | null
}

export function packRollups(rows: readonly RollupRow[], base: number, width: number): Packed {
  const out = new Float64Array(rows.length * FIELDS)
  const texts: string[] = []
  const put = (v: StoredValue): [number, number] => {
    if (v === null) return [NaN, NULL]
    if (typeof v === 'number') return [v, NUMBER]
    texts.push(v)
    return [texts.length - 1, TEXT]
  }
  rows.forEach((r, k) => {
    const [first, firstKind] = put(r.first)
    const [last, lastKind] = put(r.last)
    const kinds = firstKind | (lastKind << 2)
    out.set([(r.t - base) / width, r.count, r.nnum, r.sum, r.min ?? NaN, r.max ?? NaN, first, last, kinds], k * FIELDS)
  })
  return { data: new Uint8Array(out.buffer), texts: texts.length > 0 ? JSON.stringify(texts) : null }
}

export function unpackRollups(data: Uint8Array, texts: string | null, base: number, width: number): RollupRow[] {
  // SQLite hands blobs back at arbitrary offsets: copy to get aligned doubles.
  const f = new Float64Array(data.slice().buffer)
  const strings = texts ? (JSON.parse(texts) as string[]) : []
  const get = (v: number, kind: number): StoredValue => (kind === NULL ? null : kind === TEXT ? (strings[v] ?? '') : v)
  const rows: RollupRow[] = []
  for (let k = 0; k + FIELDS <= f.length; k += FIELDS) {
    const kinds = f[k + 8] ?? 0
    const min = f[k + 4] ?? NaN
    const max = f[k + 5] ?? NaN
    const row: RollupRow = {
      t: base + (f[k] ?? 0) * width,
      count: f[k + 1] ?? 0,
      nnum: f[k + 2] ?? 0,
      sum: f[k + 3] ?? 0,
      min: Number.isNaN(min) ? null : min,
      max: Number.isNaN(max) ? null : max,
      first: get(f[k + 6] ?? 0, kinds & 3),
      last: get(f[k + 7] ?? 0, (kinds >> 2) & 3),
    }
    const prev = rows[rows.length - 1]
    if (prev?.t === row.t) foldInto(prev, row)
    else rows.push(row)
  }
  return rows
}

/** Adds a row of later samples of the same interval to `into`. */
function foldInto(into: RollupRow, later: RollupRow): void {
  into.count += later.count
  into.nnum += later.nnum
  into.sum += later.sum
  if (later.min !== null && (into.min === null || later.min < into.min)) into.min = later.min
  if (later.max !== null && (into.max === null || later.max > into.max)) into.max = later.max
  into.last = later.last
}

/** Folds `newer` rows (all later than `older`'s samples, as compaction guarantees) into `older`. */
export function mergeNewer(older: readonly RollupRow[], newer: readonly RollupRow[]): RollupRow[] {
  const byT = new Map(older.map((r) => [r.t, { ...r }]))
  for (const n of newer) {
    const o = byT.get(n.t)
    if (o) foldInto(o, n)
    else byT.set(n.t, { ...n })
  }
  return [...byT.values()].sort((a, b) => a.t - b.t)
}
