import type { DataType, Sample } from '../../shared/model'
import type { BucketSeries, SampleStore, SignalDef } from '../ports/sample-store'
import { bruteForceBuckets } from './brute-force-buckets'

/** Fixed "now" of the contract suite: data is placed relative to it. */
export const CONTRACT_NOW = Date.UTC(2025, 5, 2, 12, 0, 0)
export const HOUR_MS = 3_600_000

/** Deterministic PRNG (mulberry32), so a failing case can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let serial = 0
/** Registers fresh signals, so that tests sharing a store never see each other's data. */
export async function freshSignals(store: SampleStore, types: readonly DataType[]): Promise<string[]> {
  const defs: SignalDef[] = types.map((dataType) => ({
    id: `contract/t${++serial}-${dataType}`,
    name: `test signal ${serial}`,
    dataType,
    unit: dataType === 'number' ? 'bar' : undefined,
    connection: 'contract',
    binding: `ns=1;s=T${serial}`,
  }))
  for (const d of defs) if (d.unit === undefined) delete d.unit
  await store.registerSignals(defs)
  return defs.map((d) => d.id)
}

/**
 * A slowly wandering analog signal sampled every `stepMs` with ~20% of samples missing, the odd single-sample
 * spike (the thing decimation must not hide), some nulls with bad quality, and 2-decimal resolution.
 */
export function analog(signal: string, from: number, to: number, stepMs: number, seed: number): Sample[] {
  const rnd = random(seed)
  const out: Sample[] = []
  let v = 50
  for (let ts = from; ts <= to; ts += stepMs) {
    if (rnd() < 0.2) continue
    v += (rnd() - 0.5) * 2
    const spike = rnd() < 0.002 ? (rnd() < 0.5 ? -1000 : 1000) : 0
    if (rnd() < 0.01) out.push({ signal, ts, value: null, quality: 'bad', status: 'BadSensorFailure' })
    else out.push({ signal, ts, value: Math.round((v + spike) * 100) / 100, quality: rnd() < 0.05 ? 'uncertain' : 'good' })
  }
  return out
}

/** A copy with each sample moved up to 20 places: a batch that arrives partly out of order. */
export function jumble(samples: readonly Sample[], seed: number): Sample[] {
  const rnd = random(seed)
  const out = [...samples]
  for (let i = 0; i < out.length; i++) {
    const j = Math.min(out.length - 1, i + Math.floor(rnd() * 20))
    const a = out[i]
    const b = out[j]
    if (a && b) [out[i], out[j]] = [b, a]
  }
  return out
}

export async function appendAll(store: SampleStore, samples: readonly Sample[], batch = 5_000): Promise<void> {
  for (let i = 0; i < samples.length; i += batch) await store.append(samples.slice(i, i + batch))
}

/** Differences between a store's buckets and the brute-force ones, as readable strings (empty: equal). */
export function bucketMismatches(got: BucketSeries, written: readonly Sample[], from: number, to: number): string[] {
  const want = bruteForceBuckets(written, from, to, got.bucketMs)
  const problems: string[] = []
  if (got.t.length !== want.length) problems.push(`bucket count ${got.t.length} != ${want.length}`)
  want.forEach((w, i) => {
    const avg = w.nnum > 0 ? w.sum / w.nnum : null
    const g = { t: got.t[i], count: got.count[i], min: got.min[i], max: got.max[i], first: got.first[i], last: got.last[i] }
    const e = { t: w.t, count: w.count, min: w.min, max: w.max, first: w.first, last: w.last }
    if (JSON.stringify(g) !== JSON.stringify(e)) problems.push(`bucket ${i}: got ${JSON.stringify(g)} want ${JSON.stringify(e)}`)
    const a = got.avg[i] ?? null
    if (!closeEnough(a, avg)) problems.push(`bucket ${i}: avg ${a} want ${avg}`)
  })
  return problems.slice(0, 5)
}

/**
 * Differences between two query results, as readable strings; averages may differ in the last bits
 * (sums are added in a different order from rollups than from raw samples).
 */
export function bucketDifferences(a: readonly BucketSeries[], b: readonly BucketSeries[]): string[] {
  const strip = (s: readonly BucketSeries[]) => JSON.stringify(s.map(({ avg: _avg, ...rest }) => rest))
  const problems: string[] = []
  if (strip(a) !== strip(b)) problems.push(`buckets differ: ${strip(a).slice(0, 300)} vs ${strip(b).slice(0, 300)}`)
  a.forEach((s, i) =>
    s.avg.forEach((x, j) => {
      const y = b[i]?.avg[j] ?? null
      if (!closeEnough(x, y)) problems.push(`series ${i} bucket ${j}: avg ${x} vs ${y}`)
    }),
  )
  return problems.slice(0, 5)
}

const closeEnough = (a: number | null, b: number | null): boolean =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
