// Benchmarks of the local sample store. Prints medians over several runs, each next to a raw
// better-sqlite3 baseline measured in the same run; the last line is one JSON object.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
import { StoreEngine } from '../src/adapters/sqlite/engine'
import { type WireBatch, encodeBatch } from '../src/adapters/sqlite/wire-batch'
import type { SampleStore } from '../src/core/ports/sample-store'
import type { Sample } from '../src/shared/model'

const SIGNALS = 10_000
const TICKS = 300 // ingest volume: 3M samples, several compaction rounds
const RUNS = 3
const DAY = 86_400_000
const YEAR_START = Date.UTC(2025, 0, 1)
const NOW = YEAR_START + 366 * DAY

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bench-store-'))
const clock = { now: () => NOW }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const path = (name: string) => join(dir, name)
const fresh = (name: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path(name) + suffix, { force: true })
  return path(name)
}

/** A slowly changing analog value at a 0.01 resolution, as a transmitter reports it. */
const analog = (signal: number, t: number) =>
  Math.round((50 + 20 * Math.sin(signal + t / 600) + ((signal * 7919 + t) % 13) * 0.01) * 100) / 100
const signalDefs = Array.from({ length: SIGNALS }, (_, s) => ({
  id: `bench/s${s}`,
  name: `s${s}`,
  dataType: 'number' as const,
  connection: 'bench',
}))
const tick = (k: number, t0: number): Sample[] =>
  signalDefs.map((d, s) => ({ signal: `bench/s${s}`, ts: t0 + k * 1000, value: analog(s, k), quality: 'good' }))

function ingestBatches(): Sample[][] {
  const t0 = NOW - TICKS * 1000
  return Array.from({ length: TICKS }, (_, k) => tick(k, t0))
}

/** Baseline: plain append-only inserts of the same samples, one transaction per tick. */
function rawAppend(batches: Sample[][]): number {
  const db = new Database(fresh('raw.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('CREATE TABLE sample (signal INTEGER, ts INTEGER, value REAL)')
  const ids = new Map(batches[0]?.map((s, i) => [s.signal, i]))
  const insert = db.prepare('INSERT INTO sample VALUES (?, ?, ?)')
  const tick = db.transaction((b: Sample[]) => {
    for (const s of b) insert.run(ids.get(s.signal), s.ts, s.value)
  })
  const start = performance.now()
  for (const b of batches) tick(b)
  const rate = (SIGNALS * TICKS) / ((performance.now() - start) / 1000)
  db.close()
  return rate
}

/** `synchronous`: 'normal' is `store.durability: process-crash` (the default), 'full' is `power-loss` (an fsync per group commit). */
async function storeIngest(batches: Sample[][], synchronous: 'normal' | 'full' = 'normal') {
  const store = await openSqliteSampleStore({ path: fresh('ingest.db'), clock, synchronous })
  await store.registerSignals(signalDefs)
  const inFlight: Promise<unknown>[] = []
  const start = performance.now()
  for (const b of batches) {
    inFlight.push(store.append(b))
    if (inFlight.length >= 4) await inFlight.shift()
  }
  await Promise.all(inFlight)
  const durable = performance.now() - start
  await store.maintain()
  const compacted = performance.now() - start
  await store.close()
  const n = SIGNALS * TICKS
  return { durableRate: n / (durable / 1000), sustainedRate: n / (compacted / 1000) }
}

/**
 * The caller's event loop while a collector-like producer builds 10,000-sample batches and appends them
 * (here without the multi-million-object heap of the throughput runs, whose GC pauses are the bench's own).
 */
async function responsiveness(withStore: boolean): Promise<{ p99: number; max: number }> {
  const store = withStore ? await openSqliteSampleStore({ path: fresh('loop.db'), clock }) : null
  await store?.registerSignals(signalDefs)
  const loop = monitorEventLoopDelay({ resolution: 1 })
  const inFlight: Promise<unknown>[] = []
  loop.enable()
  for (let k = 0; k < 200; k++) {
    const batch = tick(k, NOW - 200_000)
    if (store) inFlight.push(store.append(batch))
    if (inFlight.length >= 4) await inFlight.shift()
    await new Promise((resolve) => setImmediate(resolve))
  }
  await Promise.all(inFlight)
  loop.disable()
  await store?.close()
  return { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 }
}

/** What the store itself does on the caller's thread per append: validating and packing the batch. */
function packMs(): number {
  const refs = new Map(signalDefs.map((d, i) => [d.id, { id: i + 1, dataType: d.dataType }]))
  const ms: number[] = []
  for (let k = 0; k < 50; k++) {
    const batch = tick(k, NOW - 100_000)
    const start = performance.now()
    encodeBatch(batch, refs, NOW, 3_600_000)
    ms.push(performance.now() - start)
  }
  return median(ms)
}

/** Columns for one signal at 1 Hz, straight into the engine: the year is too big to build as objects. */
function secondsBatch(from: number, n: number): WireBatch {
  const b: WireBatch = {
    n,
    sig: new Uint32Array(n).fill(1),
    ts: new Float64Array(n),
    num: new Float64Array(n),
    flags: new Uint8Array(n),
    texts: [],
    statusAt: [],
    statuses: [],
  }
  for (let i = 0; i < n; i++) {
    const t = (from - YEAR_START) / 1000 + i
    b.ts[i] = from + i * 1000
    b.num[i] = analog(1, t)
  }
  return b
}

function buildHistory(name: string, days: number): { samples: number } {
  const retention = { rawMaxAgeMs: 400 * DAY, rollup1mMaxAgeMs: 400 * DAY, rollup1hMaxAgeMs: 4000 * DAY }
  const engine = new StoreEngine(
    {
      path: fresh(name),
      synchronous: 'normal',
      retention: { ...retention, diskBudgetBytes: null, keepUndelivered: false },
      compactAtSamples: 2_000_000,
      compactAfterMs: Infinity,
    },
    () => NOW,
  )
  engine.registerSignals([{ id: 'bench/history', name: 'history', dataType: 'number', connection: 'bench' }])
  const total = (days * DAY) / 1000
  const per = 100_000
  for (let i = 0; i < total; i += per) {
    engine.append([{ batch: secondsBatch(YEAR_START + i * 1000, Math.min(per, total - i)), counts: {} }])
    if (engine.compactionDue()) engine.compactStep(Infinity)
  }
  engine.maintain()
  // The store keeps up to 64 MB of free pages for the next round's log; measure the data, not that slack.
  engine.s.db.pragma('incremental_vacuum')
  engine.s.db.pragma('wal_checkpoint(TRUNCATE)')
  engine.close()
  return { samples: total }
}

async function timeQuery(store: SampleStore, from: number, to: number, runs: number): Promise<number> {
  const ms: number[] = []
  for (let k = 0; k < runs; k++) {
    const start = performance.now()
    const [series] = await store.queryBuckets({ signals: ['bench/history'], from, to, points: 2_000 })
    ms.push(performance.now() - start)
    if (!series || series.t.length < 1_000) throw new Error(`query returned ${series?.t.length} buckets`)
  }
  return median(ms)
}

/** Baseline for the day query: an indexed GROUP BY over (signal, ts, value) rows. */
function rawDayAggregate(): number {
  const db = new Database(fresh('raw-day.db'))
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE sample (signal INTEGER, ts INTEGER, value REAL, PRIMARY KEY (signal, ts)) WITHOUT ROWID')
  const insert = db.prepare('INSERT INTO sample VALUES (1, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < DAY / 1000; i++) insert.run(YEAR_START + i * 1000, analog(1, i))
  })()
  const w = Math.floor(DAY / 1999) + 1
  const q = db.prepare(`SELECT ts / ${w} AS b, min(value), max(value), avg(value), count(*) FROM sample
    WHERE signal = 1 AND ts BETWEEN ? AND ? GROUP BY b`)
  const ms: number[] = []
  for (let k = 0; k < 15; k++) {
    const start = performance.now()
    q.raw().all(YEAR_START, YEAR_START + DAY)
    ms.push(performance.now() - start)
  }
  db.close()
  return median(ms)
}

function bytesOnDisk(name: string) {
  const db = new Database(path(name), { readonly: true })
  const blocks = db.prepare('SELECT sum(length(data)) AS bytes, sum(n) AS n FROM block').get()
  const { bytes, n } = blocks as { bytes: number; n: number }
  db.close()
  return { file: statSync(path(name)).size, blockBytes: bytes, blockSamples: n }
}

async function main(): Promise<void> {
  console.log(`store bench: ${SIGNALS} signals x ${TICKS} ticks, ${RUNS} runs, files in ${dir}`)
  const batches = ingestBatches()
  const raw: number[] = []
  const runs: Awaited<ReturnType<typeof storeIngest>>[] = []
  const powerLoss: Awaited<ReturnType<typeof storeIngest>>[] = []
  for (let r = 0; r < RUNS; r++) {
    raw.push(rawAppend(batches))
    runs.push(await storeIngest(batches))
    powerLoss.push(await storeIngest(batches, 'full'))
    const last = runs[runs.length - 1]
    console.log(
      `  run ${r + 1}: raw append ${fmt(raw[r] ?? 0)}/s, store durable ${fmt(last?.durableRate ?? 0)}/s,` +
        ` store incl. compaction ${fmt(last?.sustainedRate ?? 0)}/s; durability power-loss: durable ${fmt(powerLoss[r]?.durableRate ?? 0)}/s`,
    )
  }
  const durableRate = median(runs.map((r) => r.durableRate))
  const powerLossRate = median(powerLoss.map((r) => r.durableRate))
  const rawRate = median(raw)
  const sustained = median(runs.map((r) => r.sustainedRate))
  console.log(`ingest (median): raw better-sqlite3 append ${fmt(rawRate)} rows/s`)
  console.log(`  store, acknowledged durable: ${fmt(median(runs.map((r) => r.durableRate)))} samples/s`)
  console.log(`  store, durable and compacted: ${fmt(sustained)} samples/s = ${fmt(sustained / rawRate, 2)}x raw`)
  console.log(
    `  store.durability power-loss (fsync per group commit): acknowledged durable ${fmt(powerLossRate)} samples/s =` +
      ` ${fmt(powerLossRate / durableRate, 2)}x the default (process-crash), ${fmt(powerLossRate / rawRate, 2)}x raw`,
  )
  batches.length = 0
  const idle = await responsiveness(false)
  const loop = await responsiveness(true)
  console.log(`  caller's thread: validating and packing a 10,000-sample append takes ${fmt(packMs(), 2)} ms (median)`)
  console.log(
    `  caller's event loop delay, building and appending 10,000-sample batches: p99 ${fmt(loop.p99, 1)} ms,` +
      ` max ${fmt(loop.max, 1)} ms (building them without a store: p99 ${fmt(idle.p99, 1)} ms, max ${fmt(idle.max, 1)} ms)`,
  )

  const dayBaseline = rawDayAggregate()
  buildHistory('day.db', 1)
  const dayStore = await openSqliteSampleStore({ path: path('day.db'), clock })
  const dayMs = await timeQuery(dayStore, YEAR_START, YEAR_START + DAY, 20)
  await dayStore.close()
  console.log(`day (86,400 samples -> 2,000 buckets): store ${fmt(dayMs, 2)} ms; raw GROUP BY ${fmt(dayBaseline, 2)} ms`)

  const buildStart = performance.now()
  const { samples } = buildHistory('year.db', 365)
  console.log(`year: ${fmt(samples)} samples ingested and compacted in ${fmt((performance.now() - buildStart) / 1000, 1)} s`)
  const disk = bytesOnDisk('year.db')
  const yearStore = await openSqliteSampleStore({ path: path('year.db'), clock })
  const yearMs = await timeQuery(yearStore, YEAR_START, YEAR_START + 365 * DAY, 10)
  const dayInYearMs = await timeQuery(yearStore, YEAR_START + 200 * DAY, YEAR_START + 201 * DAY, 10)
  await yearStore.close()
  const bytesPerSample = disk.file / samples
  console.log(`year (31.5M samples -> 2,000 buckets): store ${fmt(yearMs, 2)} ms; a day inside it ${fmt(dayInYearMs, 2)} ms`)
  console.log(
    `disk: ${fmt(bytesPerSample, 2)} bytes/sample for the whole file (${fmt(disk.file / 1e6, 1)} MB),` +
      ` raw blocks alone ${fmt(disk.blockBytes / disk.blockSamples, 2)}`,
  )
  rmSync(dir, { recursive: true, force: true })
  console.log(
    JSON.stringify({
      bench: 'store',
      ingest_samples_per_s: Math.round(sustained),
      ingest_ratio_vs_raw: Number((sustained / rawRate).toFixed(2)),
      power_loss_samples_per_s: Math.round(powerLossRate),
      power_loss_vs_default_ratio: Number((powerLossRate / durableRate).toFixed(2)),
      day_query_ms: Number(dayMs.toFixed(2)),
      year_query_ms: Number(yearMs.toFixed(2)),
      bytes_per_sample: Number(bytesPerSample.toFixed(2)),
    }),
  )
}

await main()
