// The broker's window on a stock mosquitto (max_inflight_messages 20, max_queued_messages 1000): a QoS 1 burst from one
// publisher (own process) to 100 topics, stored by the collector into SQLite; prints messages lost at the broker and the
// collector's view (protocol, peak unacknowledged, state). `tsx bench/mqtt-window.ts [n] [protocol: 3.1.1|5|auto] [rate]`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MqttCollector } from '../src/adapters/mqtt/mqtt-collector'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
import { MqttConnectionConfig } from '../src/core/config/schema'
import type { CollectorState } from '../src/core/ports/collector'
import { silentLogger } from '../src/core/ports/logger'
import { startMosquitto } from '../test/helpers/mosquitto'
import { burst } from '../test/helpers/mqtt-burst'

const n = Number(process.argv[2] ?? 50_000)
const proto = process.argv[3] ?? 'auto'
const rate = Number(process.argv[4] ?? 0)
const TOPICS = 100
const base = Date.now() - 3_600_000
const broker = await startMosquitto('', { stock: true })
const dir = mkdtempSync(join(tmpdir(), 'plantdeck-window-'))
const store = await openSqliteSampleStore({ path: join(dir, 's.db') })
const signals = Array.from({ length: TOPICS }, (_, t) => ({ id: `w/${t}`, name: `t${t}`, topic: `dev/${t}`, path: 'v', tsPath: 'ts', tsFormat: 'ms' as const }))
await store.registerSignals(signals.map((s) => ({ id: s.id, name: s.name, dataType: 'number' as const, connection: 'w' })))
const config = MqttConnectionConfig.parse({
  id: 'w', kind: 'mqtt', name: 'w', url: broker.url, clientId: 'window-bench', session: 'persistent',
  ...(proto === 'auto' ? {} : { protocol: proto }),
  subscriptions: [{ filter: 'dev/#', qos: 1 }], signals,
})
const col = new MqttCollector({ config, logger: silentLogger })
const states: CollectorState[] = []
col.onState((s) => states.push(s))
let stored = 0
const commit = { n: 0, sum: 0, max: 0 }
col.onSamples((b) => {
  const t = performance.now()
  return store.append(b).then((r) => {
    const ms = performance.now() - t
    commit.n++
    commit.sum += ms
    commit.max = Math.max(commit.max, ms)
    stored += r.accepted
  })
})
await col.start()
while (col['state'].health !== 'connected') await new Promise((r) => setTimeout(r, 20))
const t0 = Date.now()
await burst(broker.url, { n, base, topics: TOPICS, ...(rate ? { rate } : {}) })
const published = Date.now()
// settle: nothing more arrives for 2 s
for (let last = -1; last !== stored; ) {
  last = stored
  await new Promise((r) => setTimeout(r, 2000))
}
let inStore = 0
for (const s of signals) inStore += await store.count(s.id, base, base + n)
console.log(JSON.stringify({ n, proto, rate, publishMs: published - t0, msgPerSec: Math.round(n / ((published - t0) / 1000)), stored: inStore, lost: n - inStore, lostPct: +((100 * (n - inStore)) / n).toFixed(2), appendMeanMs: +(commit.sum / commit.n).toFixed(2), appendMaxMs: +commit.max.toFixed(1), states: states.map((s) => `${s.health}${s.code ? ` ${s.code}` : ''}`) }))
await col.stop()
await store.close()
await broker.stop()
rmSync(dir, { recursive: true, force: true })
