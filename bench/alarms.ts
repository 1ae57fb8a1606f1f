// Benchmark of the alarm service: 50,000 alarm definitions (one hi alarm on each of 50,000 attributes) evaluated
// while samples flow, against the same core and model without alarm definitions measured in the same run (the raw
// baseline: live values, the session stream and the live link, no alarms). Then the time from a sample crossing a
// limit to the alarm event at an RPC client, against the time to its live-value event (both batched by their own
// 200 ms flush). Medians of runs, p99 of raises; the last line is one JSON object.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openAppDb } from '../src/adapters/app-db/sqlite-asset-store'
import { MemorySampleStore } from '../src/adapters/memory-store/memory-sample-store'
import { calcSignalId } from '../src/core/assets-model/live-calc'
import { createCore, type Core } from '../src/core/create-core'
import { contract, events, type Contract, type Events } from '../src/shared/contract'
import type { AssetAttribute } from '../src/shared/contract/asset-model'
import type { Sample } from '../src/shared/model'
import { createRpcClient, type RpcClient } from '../src/shared/rpc/client'
import { createRpcServer } from '../src/shared/rpc/server'
import { createMemoryPair } from '../src/shared/rpc/transport'
import { loginAdmin, testIdentity } from '../test/helpers/login'

const ASSETS = 1000
const PER_ASSET = 50 // 50,000 attributes, each with one alarm
const BATCH = 1000
const BATCHES = 500 // 500,000 samples per run
const RUNS = 5
const RAISES = 60
const WATCHED = 500

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bench-alarms-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)] ?? NaN
const round = (x: number, d = 3) => Number(x.toFixed(d))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Host {
  core: Core
  api: RpcClient<Contract, Events>
  signals: string[]
  close(): Promise<void>
}

async function host(name: string, withAlarms: boolean): Promise<Host> {
  const db = openAppDb({ path: join(dir, `${name}.db`) })
  const signals: string[] = []
  const put = []
  for (let i = 0; i < ASSETS; i++) {
    const id = `eq-${i}`
    const attributes: AssetAttribute[] = [{ name: 'Zero', dataType: 'number', binding: { kind: 'constant', value: 0 } }]
    for (let j = 0; j < PER_ASSET; j++) {
      const attr = `V${j}`
      signals.push(calcSignalId(id, attr))
      attributes.push({
        name: attr, dataType: 'number', decimals: 1, range: { min: 0, max: 100 }, limits: { hi: 90 }, binding: { kind: 'calculated', expression: 'Zero' },
        ...(withAlarms ? { alarms: [{ id: 'hi', type: 'hi' as const, priority: 'high' as const, message: '{asset} {attribute} high: {value}', deadband: 1 }] } : {}),
      })
    }
    put.push({ id, parent: null, name: `Unit ${i}`, description: '', kind: 'equipment', templateId: null, references: [], attributes })
  }
  db.apply({ put, remove: [] }, 'bench', 'bench model')
  // a store, so the core keeps no per-signal in-memory trend ring (20,000 points each) for 50,000 signals
  const core = createCore({ plant: { connections: [] }, collectors: [], assets: db, store: new MemorySampleStore(), identity: testIdentity(), info: { version: '1', host: 'test', demo: false } })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, auth: core.auth })
  core.onBroadcast((e, p) => rpc.broadcast(e, p as never))
  const [a, b] = createMemoryPair()
  rpc.connect(b)
  const api = createRpcClient<Contract, Events>(a, { timeoutMs: 30_000 })
  await loginAdmin(api)
  await core.start()
  for (let i = 0; i < 600 && core.alarms.engine.size < (withAlarms ? signals.length : 0); i++) await sleep(100)
  // a client watching 500 of them (each flush of its live stream stays well under the message limit)
  await api.call('signals.subscribe', { signals: signals.slice(0, WATCHED) })
  return { core, api, signals, close: async () => { await core.stop(); db.close() } }
}

/** Samples per second through live.ingest (live values, session stream, live link, and the alarms if any). */
async function ingestRate(h: Host, run: number): Promise<number> {
  let ts = Date.now() + 10_000 + run * 1_000_000
  const batches: Sample[][] = []
  for (let b = 0; b < BATCHES; b++) {
    const batch: Sample[] = []
    for (let k = 0; k < BATCH; k++) batch.push({ signal: h.signals[(b * BATCH + k) % h.signals.length]!, ts: ++ts, value: 40 + ((b + k) % 40), quality: 'good' })
    batches.push(batch)
  }
  const t0 = performance.now()
  for (const batch of batches) h.core.live.ingest(batch)
  const ms = performance.now() - t0
  await sleep(250) // let the flushes run between runs
  return (BATCHES * BATCH) / (ms / 1000)
}

async function raiseTimes(h: Host): Promise<{ alarm: number[]; live: number[] }> {
  const alarm: number[] = []
  const live: number[] = []
  let waiting: { signal: string; key: string; t0: number; alarm?: number; live?: number; done: () => void } | undefined
  h.api.on('alarms.changed', (e) => {
    if (waiting && waiting.alarm === undefined && e.items.some((a) => a.key === waiting!.key && a.state === 'unack')) {
      waiting.alarm = performance.now() - waiting.t0
      if (waiting.live !== undefined) waiting.done()
    }
  })
  h.api.on('signals.samples', (batch) => {
    if (waiting && waiting.live === undefined && batch.some((s) => s.signal === waiting!.signal && s.value === 99)) {
      waiting.live = performance.now() - waiting.t0
      if (waiting.alarm !== undefined) waiting.done()
    }
  })
  let ts = Date.now() + 1e9
  for (let i = 0; i < RAISES; i++) {
    const signal = h.signals[(i * 83) % WATCHED]!
    const [asset, attr] = signal.split('/').slice(1)
    const key = `${asset}/${attr}/hi`
    const arrived = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), 5000)
      waiting = { signal, key, t0: performance.now(), done: () => (clearTimeout(timer), done(true)) }
      h.core.live.ingest([{ signal, ts: ++ts, value: 99, quality: 'good' }])
    })
    if (!arrived) {
      console.log(`raise ${i} (${key}): no ${waiting!.alarm === undefined ? 'alarm' : ''} ${waiting!.live === undefined ? 'live' : ''} event within 5 s; state ${h.core.alarms.engine.get(key)?.state}`)
      process.exit(1)
    }
    alarm.push(waiting!.alarm!)
    live.push(waiting!.live!)
    waiting = undefined
    h.core.live.ingest([{ signal, ts: ++ts, value: 10, quality: 'good' }])
    await sleep(20 + (i % 7) * 29) // arrive at different points of the flush period
  }
  return { alarm, live }
}

const plain = await host('plain', false)
const alarmed = await host('alarmed', true)
console.log(`model: ${plain.signals.length} attributes; alarms: ${alarmed.core.alarms.engine.size}`)
const without: number[] = []
const withA: number[] = []
for (let r = 0; r < RUNS; r++) {
  without.push(await ingestRate(plain, r))
  withA.push(await ingestRate(alarmed, r))
}
console.log(`ingest without alarms: median ${Math.round(median(without))} samples/s (runs ${without.map(Math.round).join(', ')})`)
console.log(`ingest with 50,000 alarms: median ${Math.round(median(withA))} samples/s (runs ${withA.map(Math.round).join(', ')})`)
await plain.close()
const { alarm, live } = await raiseTimes(alarmed)
console.log(`raise → alarm event: median ${round(median(alarm), 1)} ms, p99 ${round(p99(alarm), 1)} ms; → live-value event: median ${round(median(live), 1)} ms, p99 ${round(p99(live), 1)} ms (${RAISES} raises)`)
await alarmed.close()
console.log(JSON.stringify({ bench: 'alarms', ingest_ratio_vs_no_alarms: round(median(withA) / median(without)), raise_p99_ms: round(p99(alarm), 1), raise_ratio_vs_live: round(p99(alarm) / p99(live)) }))
process.exit(0)
