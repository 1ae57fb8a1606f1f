import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import mqtt, { type MqttClient } from 'mqtt'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import type { Collector, CollectorState } from '../../src/core/ports/collector'
import type { SampleStore } from '../../src/core/ports/sample-store'
import type { Sample } from '../../src/shared/model'

/** Polls a condition; never a timing assertion, only a bound on how long to wait. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Records everything a collector reports, in arrival order. Attach before `start()`. */
export function record(col: Collector): { samples: Sample[]; states: CollectorState[] } {
  const samples: Sample[] = []
  const states: CollectorState[] = []
  col.onSamples((b) => {
    samples.push(...b)
  })
  col.onState((s) => states.push(s))
  return { samples, states }
}

/** The counter stream the durability tests publish: message i carries `{ ts: base + i, v: i }`, so duplicates collapse in the store. */
export const COUNTER = { signal: 'dur/v', topic: 'line/counter' }

export const counterConfig = (url: string, clientId: string) => ({
  id: 'dur',
  kind: 'mqtt' as const,
  name: 'Durability',
  url,
  clientId,
  session: 'persistent' as const,
  reconnect: { minMs: 100, maxMs: 1000 },
  subscriptions: [{ filter: 'line/#', qos: 1 as const }],
  signals: [{ id: COUNTER.signal, name: 'Counter', dataType: 'number' as const, writable: false, topic: COUNTER.topic, path: 'v', tsPath: 'ts', tsFormat: 'ms' as const }],
})

export async function openCounterStore(path: string): Promise<SampleStore> {
  const store = await openSqliteSampleStore({ path })
  await store.registerSignals([{ id: COUNTER.signal, name: 'Counter', dataType: 'number', connection: 'dur' }])
  return store
}

export async function publisher(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 100, clientId: `pub-${Math.random().toString(16).slice(2)}` })
}

/** Publishes messages `from`..`to-1` at QoS 1, each awaited (the broker acknowledged it); calls `each` after each. */
export async function publishCounter(pub: MqttClient, base: number, from: number, to: number, each?: (i: number) => void | Promise<void>): Promise<void> {
  for (let i = from; i < to; i++) {
    await pub.publishAsync(COUNTER.topic, JSON.stringify({ ts: base + i, v: i }), { qos: 1 })
    await each?.(i)
  }
}

export interface CollectChild {
  child: ChildProcess
  /** Highest counter value whose sample the child's store committed. */
  durable: number
  connected: boolean
  exited: Promise<number | null>
}

/** Starts `mqtt-collect-child.ts` (collector + SQLite store in a separate process) and follows its progress lines. */
export function spawnCollectChild(url: string, clientId: string, dbPath: string): CollectChild {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./mqtt-collect-child.ts', import.meta.url).pathname], {
    env: { ...process.env, COLLECT_URL: url, COLLECT_CLIENT_ID: clientId, COLLECT_DB: dbPath },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const state: CollectChild = { child, durable: -1, connected: false, exited: new Promise((r) => child.once('exit', (code) => r(code))) }
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [what, n] = line.split(' ')
    if (what === 'durable') state.durable = Math.max(state.durable, Number(n))
    if (what === 'connected') state.connected = true
  })
  return state
}
