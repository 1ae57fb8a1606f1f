import { MqttCollector } from '../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../src/core/config/schema'
import { silentLogger } from '../src/core/ports/logger'
const topic = 'd/x'
const base = Date.now() - 3_600_000
for (const kind of ['small', 'json10']) {
  const fields = kind === 'json10' ? Array.from({ length: 10 }, (_, f) => `f${f}`) : ['v']
  const config = MqttConnectionConfig.parse({ id: 'd', kind: 'mqtt', name: 'd', url: 'mqtt://127.0.0.1:1', subscriptions: [{ filter: topic, qos: 0 }], signals: fields.map((f) => ({ id: `d/${f}`, name: f, topic, path: f, tsPath: 'ts', tsFormat: 'ms' })) })
  const col = new MqttCollector({ config, logger: silentLogger })
  let n = 0
  col.onSamples((b) => { n += b.length })
  const payloads = Array.from({ length: 1000 }, (_, i) => Buffer.from(kind === 'json10' ? JSON.stringify({ ts: base + i, ...Object.fromEntries(fields.map((f, k) => [f, (i * 10 + k) % 1000])) }) : `{"ts":${base + i},"v":${(10_000 + (i % 90_000)) / 10},"q":"good","id":"meter-0000001","u":"kW"}`))
  const res: number[] = []
  for (let round = 0; round < 7; round++) {
    const t = performance.now()
    for (let i = 0; i < 100_000; i++) col.onMessage(topic, payloads[i % 1000]!, false)
    res.push((performance.now() - t) * 10 / 1000)
    await new Promise((r) => setImmediate(r))
  }
  console.log(kind, 'µs/msg median', res.sort((a, b) => a - b)[3]!.toFixed(2), 'samples', n)
}
