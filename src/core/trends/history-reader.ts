import type { Series } from '../../shared/contract/trends'

/**
 * Where trends read history from. The in-memory ring serves until the local store takes over;
 * implementations return at most `points` points, keeping each bucket's min and max so spikes stay visible.
 */
export interface HistoryReader {
  query(signal: string, from: number, to: number, points: number): Promise<Series>
}

/** Min/max decimation of sorted (t, v) into about `points` points; pure, shared by in-memory readers. */
export function decimateMinMax(t: ArrayLike<number>, v: ArrayLike<number | null>, from: number, to: number, points: number): { t: number[]; v: (number | null)[] } {
  const outT: number[] = []
  const outV: (number | null)[] = []
  const n = t.length
  const buckets = Math.max(1, Math.floor(points / 2))
  let inRange = 0
  for (let i = 0; i < n; i++) if (t[i]! >= from && t[i]! <= to) inRange++
  if (inRange <= points) {
    for (let i = 0; i < n; i++) {
      if (t[i]! >= from && t[i]! <= to) {
        outT.push(t[i]!)
        outV.push(v[i]!)
      }
    }
    return { t: outT, v: outV }
  }
  const width = (to - from) / buckets
  let i = 0
  while (i < n && t[i]! < from) i++
  for (let b = 0; b < buckets; b++) {
    const last = b === buckets - 1
    const end = from + (b + 1) * width
    let minI = -1
    let maxI = -1
    for (; i < n && (last ? t[i]! <= to : t[i]! < end); i++) {
      const x = v[i]
      if (x === null || x === undefined) continue
      if (minI < 0 || x < (v[minI] as number)) minI = i
      if (maxI < 0 || x > (v[maxI] as number)) maxI = i
    }
    if (minI < 0) continue
    const [a, c] = minI <= maxI ? [minI, maxI] : [maxI, minI]
    outT.push(t[a]!)
    outV.push(v[a]!)
    if (c !== a) {
      outT.push(t[c]!)
      outV.push(v[c]!)
    }
  }
  return { t: outT, v: outV }
}
