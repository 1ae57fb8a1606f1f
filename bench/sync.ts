// Benchmark of the sync: drain a backlog from the SQLite store into a real VictoriaMetrics while ingest goes on,
// against raw batched HTTP line-protocol writes of the same samples to the same server under the same ingest load,
// in the same run. Medians over runs; the last line is one JSON object.
//
//   npm run bench:sync                                   1,000,000-sample backlog (default)
//   BENCH_SYNC_SAMPLES=10000000 npm run bench:sync       the 10 million
//   BENCH_SYNC_RUNS=5 BENCH_SYNC_INGEST=50000 …          runs (default 3), ingest samples/s (default 50,000)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
import { LineProtocolOptions, LineProtocolSink } from '../src/adapters/sync/line-protocol-sink'
import type { SampleStore } from '../src/core/ports/sample-store'
import { SyncEngine } from '../src/core/sync/sync-engine'
import type { Sample } from '../src/shared/model'
import { Victoria } from '../test/fixtures/sync/victoria'

const SAMPLES = Number(process.env.BENCH_SYNC_SAMPLES ?? 1_000_000)
const RUNS = Number(process.env.BENCH_SYNC_RUNS ?? 3)
const INGEST_PER_S = Number(process.env.BENCH_SYNC_INGEST ?? 50_000)
const SIGNALS = 1_000
const STEPS = Math.ceil(SAMPLES / SIGNALS)
const BATCH = 10_000
/** Samples per sync write: about one body of BODY_BYTES, as the raw baseline sends (the sink's lines are ~120 bytes). */
const SYNC_BATCH = 32_000
const BODY_BYTES = 4 * 1024 * 1024
const INGEST_TICK_MS = 100
const INGEST_SIGNALS = 500

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bench-sync-'))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
/** The backlog lies a day back, a millisecond per step; ingest is stamped now. */
const T0 = Math.floor((Date.now() - 86_400_000) / 1000) * 1000
const backlogIds = Array.from({ length: SIGNALS }, (_, s) => `bench/s${s}`)
const ingestIds = Array.from({ length: INGEST_SIGNALS }, (_, s) => `ingest/s${s}`)
const value = (s: number, k: number) => Math.round((50 + 20 * Math.sin(s + k / 600)) * 100) / 100
const backlogStep = (k: number): Sample[] => backlogIds.map((signal, s) => ({ signal, ts: T0 + k, value: value(s, k), quality: 'good' }))

async function openStore(name: string): Promise<SampleStore> {
  const store = await openSqliteSampleStore({ path: join(dir, name), keepUndelivered: true })
  await store.registerSignals([...backlogIds, ...ingestIds].map((id) => ({ id, name: id, dataType: 'number', connection: 'bench', unit: 'bar', assetPath: `Plant/Bench/${id}` })))
  return store
}

/**
 * Appends INGEST_PER_S samples a second in ticks of INGEST_TICK_MS, on an absolute schedule (a late tick is caught up),
 * until stopped; `keptUp`: the rate over the phase reached 97 % of the target and no tick was more than 1 s late.
 */
function ingest(store: SampleStore): { stop(): Promise<{ samples: number; perSecond: number; worstLateMs: number; keptUp: boolean }> } {
  const perTick = Math.round((INGEST_PER_S * INGEST_TICK_MS) / 1000)
  const start = performance.now()
  let running = true
  let samples = 0
  let worstLateMs = 0
  let k = 0
  const loop = (async () => {
    while (running) {
      const due = start + k * INGEST_TICK_MS
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      else worstLateMs = Math.max(worstLateMs, -wait)
      const now = Date.now()
      const batch: Sample[] = []
      for (let i = 0; i < perTick; i++) {
        // each signal a few samples a tick, a millisecond apart
        batch.push({ signal: ingestIds[i % INGEST_SIGNALS] as string, ts: now - 200 + Math.floor(i / INGEST_SIGNALS), value: i, quality: 'good' })
      }
      await store.append(batch)
      samples += batch.length
      k++
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      const perSecond = samples / ((performance.now() - start) / 1000)
      return { samples, perSecond, worstLateMs, keptUp: perSecond >= 0.97 * INGEST_PER_S && worstLateMs < 1000 }
    },
  }
}

/** Raw baseline: the same samples as plain line protocol, in bodies of the same size, posted one after another. */
async function rawWrite(vm: Victoria, prefix: string): Promise<number> {
  const url = `${vm.url}/write?precision=u`
  let parts: string[] = []
  let bytes = 0
  const flush = async () => {
    if (parts.length === 0) return
    const res = await fetch(url, { method: 'POST', body: parts.join('\n') + '\n', headers: { 'content-type': 'text/plain' } })
    await res.arrayBuffer()
    if (!res.ok) throw new Error(`raw write: HTTP ${res.status}`)
    parts = []
    bytes = 0
  }
  const start = performance.now()
  for (let k = 0; k < STEPS; k++) {
    for (const s of backlogStep(k)) {
      // the same line the sink writes (same tags), built by hand
      const line = `${prefix}_number,asset=Plant/Bench/bench,attribute=${s.signal.slice(6)},connection=bench,signal=${s.signal},unit=bar value=${s.value} ${Math.round(s.ts * 1000)}`
      if (bytes + line.length + 1 > BODY_BYTES) await flush()
      parts.push(line)
      bytes += line.length + 1
    }
  }
  await flush()
  return (STEPS * SIGNALS) / ((performance.now() - start) / 1000)
}

/** The engine drains the store's whole backlog through a fresh cursor; returns samples/s of the backlog. */
async function drain(store: SampleStore, vm: Victoria, run: number): Promise<number> {
  const headAtStart = store.durableSeq
  const backlog = await store.backlog(0)
  const sink = new LineProtocolSink(`bench-${run}`, LineProtocolOptions.parse({ endpoints: [vm.url], prefix: `sync${run}`, maxBodyBytes: BODY_BYTES }))
  const engine = new SyncEngine({ store, sinks: [{ sink, options: { batchSamples: SYNC_BATCH, drainSamplesPerSecond: null } }], idleMs: 50 })
  const start = performance.now()
  await engine.start()
  await engine.delivered(headAtStart)
  const seconds = (performance.now() - start) / 1000
  await engine.stop()
  await store.removeCursor(`bench-${run}`)
  return backlog.samples / seconds
}

async function main(): Promise<void> {
  const vm = await Victoria.start()
  console.log(`victoria-metrics on ${vm.url}; backlog ${fmt(STEPS * SIGNALS)} samples (${SIGNALS} signals), ingest ${fmt(INGEST_PER_S)} samples/s, ${RUNS} runs`)
  const store = await openStore('backlog.db')
  const buildStart = performance.now()
  const pending: Promise<unknown>[] = []
  for (let k = 0; k < STEPS; k += BATCH / SIGNALS) {
    const batch: Sample[] = []
    for (let j = k; j < Math.min(STEPS, k + BATCH / SIGNALS); j++) batch.push(...backlogStep(j))
    pending.push(store.append(batch))
    if (pending.length >= 4) await pending.shift()
  }
  await Promise.all(pending)
  console.log(`backlog written to the store in ${fmt((performance.now() - buildStart) / 1000, 1)} s`)
  // the raw phase's ingest goes to a store of its own: the same load on the machine, nothing for the sync to carry
  const other = await openStore('other.db')
  const raw: number[] = []
  const synced: number[] = []
  let keptUp = true
  for (let run = 0; run < RUNS; run++) {
    const rawLoad = ingest(other)
    raw.push(await rawWrite(vm, `raw${run}`))
    const rawIngest = await rawLoad.stop()
    const syncLoad = ingest(store)
    synced.push(await drain(store, vm, run))
    const syncIngest = await syncLoad.stop()
    keptUp &&= rawIngest.keptUp && syncIngest.keptUp
    console.log(
      `run ${run + 1}: raw ${fmt(raw[run] ?? 0)} samples/s (ingest ${fmt(rawIngest.perSecond)}/s, worst tick ${fmt(rawIngest.worstLateMs)} ms late), ` +
        `sync drain ${fmt(synced[run] ?? 0)} samples/s (ingest ${fmt(syncIngest.perSecond)}/s, worst tick ${fmt(syncIngest.worstLateMs)} ms late)`,
    )
  }
  // every sample arrived: the last run's series hold the whole backlog
  const arrived = (await vm.export(`{__name__="sync${RUNS - 1}_number_value",signal="bench/s0"}`))[0]?.timestamps.length ?? 0
  // the same count in the raw baseline's series: when both miss, VictoriaMetrics has not made them all visible yet
  const rawArrived = (await vm.export(`{__name__="raw${RUNS - 1}_number",signal="bench/s0"}`))[0]?.timestamps.length ?? (await vm.export(`{__name__=~"raw${RUNS - 1}_.*",signal="bench/s0"}`))[0]?.timestamps.length ?? 0
  console.log(`check: bench/s0 has ${fmt(arrived)} of ${fmt(STEPS)} samples in the last run's series${arrived === STEPS ? '' : ' — MISSING SAMPLES'} (raw baseline's series: ${fmt(rawArrived)})`)
  if (arrived !== STEPS) process.exitCode = 1
  await store.close()
  await other.close()
  await vm.close()
  rmSync(dir, { recursive: true, force: true })
  const drainRate = median(synced)
  const rawRate = median(raw)
  console.log(`median: sync drain ${fmt(drainRate)} samples/s, raw ${fmt(rawRate)} samples/s, ratio ${fmt(drainRate / rawRate, 2)}`)
  console.log(
    JSON.stringify({
      bench: 'sync',
      drain_samples_per_s: Math.round(drainRate),
      raw_samples_per_s: Math.round(rawRate),
      ratio_vs_raw: Number((drainRate / rawRate).toFixed(2)),
      ingest_kept_up: keptUp,
    }),
  )
}

await main()
