import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MqttCollector } from '../src/adapters/mqtt/mqtt-collector'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
import { MqttConnectionConfig } from '../src/core/config/schema'
import { silentLogger } from '../src/core/ports/logger'
import { startMosquitto } from '../test/helpers/mosquitto'
const qos = Number(process.argv[2] ?? 1) as 0 | 1
const n = Number(process.argv[3] ?? 100000)
const dir = mkdtempSync(join(tmpdir(), 'diag-'))
const broker = await startMosquitto('max_inflight_messages 2000\nqueue_qos0_messages true\n')
const topic = 'd/x'
const store = await openSqliteSampleStore({ path: join(dir, 's.db') })
await store.registerSignals([{ id: 'd/v', name: 'v', dataType: 'number', connection: 'd' }])
const config = MqttConnectionConfig.parse({ id: 'd', kind: 'mqtt', name: 'd', url: broker.url, clientId: 'diag', session: 'persistent', subscriptions: [{ filter: topic, qos }], signals: [{ id: 'd/v', name: 'v', topic, path: 'v', tsPath: 'ts', tsFormat: 'ms' }] })
const pre = new MqttCollector({ config, logger: silentLogger })
let c0 = false; pre.onState((s) => (c0 ||= s.health === 'connected')); await pre.start(); while (!c0) await new Promise((r) => setTimeout(r, 10)); await pre.stop()
await new Promise<void>((res) => spawn(process.execPath, ['--import', 'tsx', 'bench/mqtt.ts', 'publish', broker.url, topic, String(n), String(qos), 'small'], { stdio: 'ignore' }).once('exit', () => res()))
console.log('preloaded')
const col = new MqttCollector({ config, logger: { ...silentLogger, child: () => ({ ...silentLogger, warn: (o: unknown, m: string) => console.log('WARN', m, o), error: (o: unknown, m: string) => console.log('ERR', m, o) }) } as never })
let count = 0, appends = 0, maxLat = 0
col.onSamples(async (b) => { const t = performance.now(); appends++; if (!process.env.NOSTORE) await store.append(b); maxLat = Math.max(maxLat, performance.now() - t); count += b.length })
col.onState((s) => console.log('state', JSON.stringify(s)))
const t0 = performance.now()
await col.start()
for (let i = 0; i < 30 && count < n; i++) {
  await new Promise((r) => setTimeout(r, 500))
  const c = col['client']!
  console.log(Math.round(performance.now() - t0), 'count', count, 'appends', appends, 'maxLat', Math.round(maxLat), 'pending', JSON.stringify(col['batcher'].pending), 'tree', col.mqtt.topics('d', 0, 1).entries[0]?.last?.count, 'connected', c.connected, 'paused', c.stream?.isPaused?.(), 'rbuf', (c.stream as unknown as { readableLength: number }).readableLength)
  maxLat = 0
}
await col.stop(); await store.close(); await broker.stop(); process.exit(0)
