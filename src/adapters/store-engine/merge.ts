import { type Columns, ColumnsBuilder } from './columns'

export interface Deduped {
  cols: Columns
  /** Samples dropped because a later one had the same timestamp. */
  duplicates: number
}

/** Sorts rows in arrival order by time and keeps the last of equal timestamps (last write wins). */
export function sortDedupe(c: Columns): Deduped {
  const { n, ts } = c
  let sorted = true
  let unique = true
  for (let i = 1; i < n; i++) {
    const d = (ts[i] ?? 0) - (ts[i - 1] ?? 0)
    if (d < 0) {
      sorted = false
      break
    }
    if (d === 0) unique = false
  }
  if (sorted && unique) return { cols: c, duplicates: 0 }
  const order = Array.from({ length: n }, (_, i) => i)
  // Array.prototype.sort is stable, so equal timestamps stay in arrival order.
  if (!sorted) order.sort((a, b) => (ts[a] ?? 0) - (ts[b] ?? 0))
  const out = new ColumnsBuilder(n)
  for (let k = 0; k < n; k++) {
    const i = order[k] ?? 0
    const next = order[k + 1]
    if (next !== undefined && ts[next] === ts[i]) continue
    out.pushFrom(c, i)
  }
  return { cols: out.view(), duplicates: n - out.n }
}

/** Merges two sorted, duplicate-free runs; on equal timestamps `newer` wins. */
export function mergeNewerWins(older: Columns, newer: Columns): Deduped {
  if (older.n === 0) return { cols: newer, duplicates: 0 }
  if (newer.n === 0) return { cols: older, duplicates: 0 }
  const out = new ColumnsBuilder(older.n + newer.n)
  let i = 0
  let j = 0
  let duplicates = 0
  while (i < older.n || j < newer.n) {
    const a = i < older.n ? (older.ts[i] ?? 0) : Infinity
    const b = j < newer.n ? (newer.ts[j] ?? 0) : Infinity
    if (a < b) out.pushFrom(older, i++)
    else {
      if (a === b) {
        i++
        duplicates++
      }
      out.pushFrom(newer, j++)
    }
  }
  return { cols: out.view(), duplicates }
}

/** Concatenates runs that are each sorted and follow one another in time. */
export function concatColumns(runs: readonly Columns[]): Columns {
  if (runs.length === 1 && runs[0]) return runs[0]
  let total = 0
  for (const r of runs) total += r.n
  const out = new ColumnsBuilder(total)
  for (const r of runs) out.pushRange(r, 0, r.n)
  return out.view()
}

/**
 * Merges sorted, duplicate-free `base` with `recent` rows in arrival order (may be unsorted, may repeat
 * timestamps): what a reader sees when recent samples have not been compacted yet.
 */
export function overlay(base: Columns, recent: Columns): Deduped {
  if (recent.n === 0) return { cols: base, duplicates: 0 }
  const r = sortDedupe(recent)
  const lastBase = base.n > 0 ? (base.ts[base.n - 1] ?? 0) : -Infinity
  if ((r.cols.ts[0] ?? 0) > lastBase) {
    return { cols: concatColumns([base, r.cols]), duplicates: r.duplicates }
  }
  const m = mergeNewerWins(base, r.cols)
  return { cols: m.cols, duplicates: r.duplicates + m.duplicates }
}
