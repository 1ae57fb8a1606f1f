/** Gap detection shared by the history readers (core) and the live trend (renderer): pure, no I/O. */

/** A stretch is a gap when it is longer than this many expected intervals. */
export const GAP_FACTOR = 3
/** Never call a stretch shorter than this a gap (jittery sub-second sources). */
export const MIN_GAP_MS = 2_000

/** The median of the positive steps between sorted times; undefined with fewer than two times. */
export function medianInterval(t: ArrayLike<number>): number | undefined {
  const d: number[] = []
  for (let i = 1; i < t.length; i++) {
    const x = t[i]! - t[i - 1]!
    if (x > 0) d.push(x)
  }
  if (d.length === 0) return undefined
  d.sort((a, b) => a - b)
  return d[d.length >> 1]
}

/** The shortest stretch that counts as a gap, for an expected interval (and bucket width, when bucketed). */
export function gapThreshold(intervalMs: number | undefined, bucketMs = 0): number {
  return Math.max(MIN_GAP_MS, GAP_FACTOR * (intervalMs ?? 0), bucketMs > 0 ? 1.5 * bucketMs : 0)
}

/** Stretches between consecutive sorted times longer than `threshold`: each from the earlier time to the later. */
export function findGaps(t: ArrayLike<number>, threshold: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = []
  for (let i = 1; i < t.length; i++) if (t[i]! - t[i - 1]! > threshold) out.push({ from: t[i - 1]!, to: t[i]! })
  return out
}
