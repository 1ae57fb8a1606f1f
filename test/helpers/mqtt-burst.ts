// A QoS 1 burst from one publisher in its own process (so it does not share the collector's event loop):
// message i goes to `dev/<i % topics>` as `{"ts": base + i, "v": i}`. Without a rate, as fast as the broker takes
// them (2,000 publishes in flight); with one, in slices of 1/20 s. Run as a child by `burst()`.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import mqtt from 'mqtt'

export interface BurstOptions {
  n: number
  base: number
  topics?: number
  /** Messages per second; default: as fast as the broker acknowledges them. */
  rate?: number
  protocolVersion?: 4 | 5
}

export const burstTopic = (i: number, topics = 100) => `dev/${i % topics}`

const self = fileURLToPath(import.meta.url)

/** Resolves once every message of the burst was acknowledged by the broker (PUBACK to the publisher). */
export function burst(url: string, o: BurstOptions): Promise<void> {
  const args = [url, o.n, o.base, o.topics ?? 100, o.rate ?? 0, o.protocolVersion ?? 4].map(String)
  const child = spawn(process.execPath, ['--import', 'tsx', self, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`burst publisher exited ${code}`)))))
}

async function main(argv: string[]): Promise<void> {
  const [url, n, base, topics, rate, pv] = [argv[0]!, ...argv.slice(1).map(Number)] as [string, number, number, number, number, 4 | 5]
  const client = await mqtt.connectAsync(url, { clientId: `burst-${process.pid}`, protocolVersion: pv })
  client.stream.setMaxListeners(0)
  const slice = rate > 0 ? Math.max(1, Math.round(rate / 20)) : 2000
  const started = Date.now()
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + slice)
    const acks: Promise<unknown>[] = []
    for (; i < end; i++) acks.push(client.publishAsync(burstTopic(i, topics), `{"ts":${base + i},"v":${i}}`, { qos: 1 }))
    await Promise.all(acks)
    if (rate > 0) {
      const due = started + (i / rate) * 1000
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
    }
  }
  await client.endAsync()
}

if (process.argv[1] === self) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
}
