// MQTT collector benchmark: samples stored per second from one mosquitto into the SQLite store, next to
// raw mqtt.js receive rates on the same broker in the same run. Medians over RUNS; the last line is one JSON object.
// Each run preloads the broker: the subscriber's persistent session queues N messages while it is away (QoS 0 too:
// `queue_qos0_messages`), then it reconnects and drains them, so the rate measured is the subscriber's, not the publisher's.
// The collector reads PUBLISH frames with its own reader (PublishTap); the same collector with mqtt.js reading them is
// measured too and printed next to it, so both figures are on record.
// Run as `tsx bench/mqtt.ts`; it re-runs itself as `tsx bench/mqtt.ts publish <url> <topic> <n> <qos> <kind>` for the publisher process.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mqtt from 'mqtt'
import { MqttCollector } from '../src/adapters/mqtt/mqtt-collector'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
import { MqttConnectionConfig } from '../src/core/mqtt/mqtt-config'
import { silentLogger } from '../src/core/ports/logger'
import { startMosquitto } from '../test/helpers/mosquitto'

const RUNS = Number(process.env.RUNS ?? 5)
const N = { qos0: 200_000, qos1: 100_000, json10: 60_000 }
type Kind = 'small' | 'json10'
/** The collector's own PUBLISH reader (the default), or mqtt.js's parser (measured too, for comparison). */
type Receive = 'tap' | 'mqtt.js'

/** Payload times an hour back: inside the store's retention and never "from the future". */
const BASE = Date.now() - 3_600_000
/** 72 bytes (the raw figures quoted in the issue used 71). */
const small = (i: number) => `{"ts":${BASE + i},"v":${(10_000 + (i % 90_000)) / 10},"q":"good","id":"meter-0000001","u":"kW"}`.padEnd(71)
const json10 = (i: number) => JSON.stringify({ ts: BASE + i, ...Object.fromEntries(Array.from({ length: 10 }, (_, f) => [`f${f}`, (i * 10 + f) % 1000])) })

if (process.argv[2] === 'publish') {
  const [url, topic, n, qos, kind] = process.argv.slice(3) as [string, string, string, string, Kind]
  const client = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}` })
  // mqtt.js waits on 'drain' once per publish while the socket is full; 2,000 in flight is by design here
  client.stream.setMaxListeners(0)
  const make = kind === 'json10' ? json10 : small
  const total = Number(n)
  const q = Number(qos) as 0 | 1
  // windows of publishes: fast, yet bounded memory at QoS 1
  for (let i = 0; i < total; ) {
    const end = Math.min(total, i + 2000)
    const acks: Promise<unknown>[] = []
    for (; i < end; i++) acks.push(client.publishAsync(topic, make(i), { qos: q }))
    await Promise.all(acks)
  }
  await client.endAsync()
  process.exit(0)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
const self = fileURLToPath(import.meta.url)

function publish(url: string, topic: string, n: number, qos: 0 | 1, kind: Kind): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', self, 'publish', url, topic, String(n), String(qos), kind], { stdio: 'inherit' })
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}`)))))
}

/** Waits until `target` arrived, or nothing moved for 5 s after the first arrival; rate from first arrival to last. */
async function rate(progress: () => { count: number; first: number; last: number }, target: number): Promise<{ perSec: number; count: number }> {
  let seen = 0
  let still = Date.now()
  for (;;) {
    const p = progress()
    if (p.count >= target) break
    if (p.count !== seen || p.count === 0) (seen = p.count), (still = Date.now())
    else if (Date.now() - still > 5000) break
    await new Promise((r) => setTimeout(r, 5))
  }
  const p = progress()
  return { perSec: (p.count * 1000) / Math.max(1, p.last - p.first), count: p.count }
}

async function raw(url: string, qos: 0 | 1, n: number, run: number): Promise<number> {
  const topic = `bench/raw/${qos}/${run}`
  const o = { clientId: `bench-raw-${run}-${qos}`, clean: false }
  const first = await mqtt.connectAsync(url, o)
  await first.subscribeAsync(topic, { qos })
  await first.endAsync()
  await publish(url, topic, n, qos, 'small')
  const p = { count: 0, first: 0, last: 0 }
  const client = mqtt.connect(url, o)
  client.on('message', () => {
    const now = performance.now()
    if (p.count++ === 0) p.first = now
    p.last = now
  })
  const r = await rate(() => p, n)
  await client.endAsync()
  if (r.count < n) console.log(`  raw qos${qos}: ${n - r.count} messages not received`)
  return r.perSec
}

/** The collector into a fresh SQLite store: rate of samples whose append resolved (durable). */
async function collected(url: string, qos: 0 | 1, n: number, kind: Kind, run: number, dir: string, receive: Receive = 'tap'): Promise<number> {
  const topic = `bench/col/${kind}/${qos}/${run}/${receive}`
  const id = `b${run}${qos}${kind}${receive === 'tap' ? '' : 'js'}`
  const fields = kind === 'json10' ? Array.from({ length: 10 }, (_, f) => `f${f}`) : ['v']
  const signals = fields.map((f) => ({ id: `${id}/${f}`, name: f, topic, path: f, tsPath: 'ts', tsFormat: 'ms' as const }))
  const store = await openSqliteSampleStore({ path: join(dir, `${id}.db`) })
  await store.registerSignals(signals.map((s) => ({ id: s.id, name: s.name, dataType: 'number', connection: id })))
  const config = MqttConnectionConfig.parse({ id, kind: 'mqtt', name: id, url, clientId: `bench-${id}`, session: 'persistent', subscriptions: [{ filter: topic, qos }], signals })
  const subscribed = new MqttCollector({ config, logger: silentLogger })
  await untilConnected(subscribed)
  await subscribed.stop()
  await publish(url, topic, n, qos, kind)
  const col = new MqttCollector({ config, logger: silentLogger, receive })
  const p = { count: 0, first: 0, last: 0 }
  let firstArrival = 0
  col.onSamples(async (batch) => {
    if (firstArrival === 0) firstArrival = performance.now()
    const receipt = await store.append(batch) // not `p.count += await ...`: that reads p.count before awaiting
    p.count += receipt.accepted
    p.first = firstArrival
    p.last = performance.now()
  })
  await col.start()
  const r = await rate(() => p, n * fields.length)
  await col.stop()
  await store.close()
  if (r.count < n * fields.length) console.log(`  collector ${kind} qos${qos}: ${n * fields.length - r.count} samples not stored`)
  return r.perSec
}

async function untilConnected(col: MqttCollector): Promise<void> {
  let connected = false
  col.onState((s) => (connected ||= s.health === 'connected'))
  await col.start()
  while (!connected) await new Promise((r) => setTimeout(r, 10))
}

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bench-mqtt-'))
// QoS 1 acks follow store commits, so the broker's in-flight window bounds throughput: raise it from 20 (see docs/mqtt.md)
const broker = await startMosquitto('max_inflight_messages 2000\nqueue_qos0_messages true\n')
const res = { raw0: [] as number[], col0: [] as number[], raw1: [] as number[], col1: [] as number[], json10: [] as number[], js0: [] as number[], js1: [] as number[] }
try {
  for (let run = 0; run < RUNS; run++) {
    res.raw0.push(await raw(broker.url, 0, N.qos0, run))
    res.col0.push(await collected(broker.url, 0, N.qos0, 'small', run, dir))
    res.raw1.push(await raw(broker.url, 1, N.qos1, run))
    res.col1.push(await collected(broker.url, 1, N.qos1, 'small', run, dir))
    res.json10.push(await collected(broker.url, 0, N.json10, 'json10', run, dir))
    res.js0.push(await collected(broker.url, 0, N.qos0, 'small', run, dir, 'mqtt.js'))
    res.js1.push(await collected(broker.url, 1, N.qos1, 'small', run, dir, 'mqtt.js'))
    console.log(`run ${run + 1}/${RUNS}: raw q0 ${fmt(res.raw0[run]!)} msg/s, stored q0 ${fmt(res.col0[run]!)}/s, raw q1 ${fmt(res.raw1[run]!)} msg/s, stored q1 ${fmt(res.col1[run]!)}/s, json10 ${fmt(res.json10[run]!)} samples/s; mqtt.js reader: q0 ${fmt(res.js0[run]!)}/s, q1 ${fmt(res.js1[run]!)}/s`)
  }
} finally {
  await broker.stop()
  rmSync(dir, { recursive: true, force: true })
}
const m = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)])) as Record<keyof typeof res, number>
console.log(`median raw mqtt.js receive: QoS 0 ${fmt(m.raw0)} msg/s, QoS 1 ${fmt(m.raw1)} msg/s (72-byte payloads, same broker, same run)`)
console.log(`median stored (append resolved): QoS 0 ${fmt(m.col0)} samples/s (${(m.col0 / m.raw0).toFixed(2)}x raw), QoS 1 ${fmt(m.col1)} samples/s (${(m.col1 / m.raw1).toFixed(2)}x raw)`)
console.log(`median JSON, 10 fields per message, QoS 0: ${fmt(m.json10)} samples/s stored`)
console.log(`median with mqtt.js reading PUBLISH instead of the collector's reader: QoS 0 ${fmt(m.js0)} samples/s (${(m.js0 / m.raw0).toFixed(2)}x raw), QoS 1 ${fmt(m.js1)} samples/s (${(m.js1 / m.raw1).toFixed(2)}x raw)`)
console.log(
  JSON.stringify({
    bench: 'mqtt',
    qos0_ratio_vs_raw: +(m.col0 / m.raw0).toFixed(3),
    qos1_ratio_vs_raw: +(m.col1 / m.raw1).toFixed(3),
    json10_samples_per_s: Math.round(m.json10),
    qos0_ratio_mqttjs_reader: +(m.js0 / m.raw0).toFixed(3),
    qos1_ratio_mqttjs_reader: +(m.js1 / m.raw1).toFixed(3),
  }),
)
