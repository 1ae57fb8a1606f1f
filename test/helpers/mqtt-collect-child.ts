// A collecting process for the kill -9 test: MQTT collector + SQLite store, acknowledging after commit.
// Prints `connected` once subscribed and `durable <v>` after each committed batch (highest counter value in it).
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { silentLogger } from '../../src/core/ports/logger'
import { counterConfig, openCounterStore } from './mqtt-harness'

const store = await openCounterStore(process.env.COLLECT_DB!)
const col = new MqttCollector({ config: MqttConnectionConfig.parse(counterConfig(process.env.COLLECT_URL!, process.env.COLLECT_CLIENT_ID!)), logger: silentLogger })
col.onSamples(async (batch) => {
  await store.append(batch)
  let max = -1
  for (const s of batch) if (s.quality === 'good' && typeof s.value === 'number') max = Math.max(max, s.value)
  if (max >= 0) process.stdout.write(`durable ${max}\n`)
})
col.onState((s) => {
  if (s.health === 'connected') process.stdout.write('connected\n')
})
await col.start()
process.once('SIGTERM', () => {
  void (async () => {
    await col.stop()
    await store.close()
    process.exit(0)
  })()
})
