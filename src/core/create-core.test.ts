import { afterEach, describe, expect, it } from 'vitest'
import { contract, events, type Contract, type Events } from '../shared/contract'
import type { ConnectionState, SampleBatch } from '../shared/model'
import { createRpcClient } from '../shared/rpc/client'
import { createRpcServer } from '../shared/rpc/server'
import { createMemoryPair } from '../shared/rpc/transport'
import type { PlantConfig } from './config/schema'
import { createCore, type Core } from './create-core'
import { FakeCollector } from './testing/fake-collector'
import { loginAdmin, testIdentity } from '../../test/helpers/login'

const plant: PlantConfig = {
  connections: [
    {
      id: 'plc',
      kind: 'opcua',
      name: 'PLC',
      endpoint: 'opc.tcp://localhost:4840',
      samplingIntervalMs: 500,
      signals: [
        { id: 'plc/level', name: 'Level', nodeId: 'ns=1;s=L', dataType: 'number', unit: '%', writable: false },
        { id: 'plc/run', name: 'Running', nodeId: 'ns=1;s=R', dataType: 'boolean', writable: false },
      ],
    },
  ],
}

let core: Core | undefined
afterEach(async () => {
  await core?.stop()
  core = undefined
})

async function setup() {
  const col = new FakeCollector('plc')
  core = createCore({ plant, collectors: [col], identity: testIdentity(), info: { version: '1', host: 'test', demo: false } })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
  core.onBroadcast((e, p) => rpc.broadcast(e, p as never))
  const [a, b] = createMemoryPair()
  rpc.connect(b)
  const client = createRpcClient<Contract, Events>(a, { timeoutMs: 2000 })
  await loginAdmin(client)
  await core.start()
  return { col, client }
}

describe('createCore', () => {
  it('derives a tree with one folder per connection when none is configured', async () => {
    const { client } = await setup()
    const tree = await client.call('assets.tree', {})
    expect(tree.root.children.map((c) => c.id)).toEqual(['plc'])
    expect(tree.root.children[0]!.signals).toEqual([
      { attribute: 'Level', signal: 'plc/level' },
      { attribute: 'Running', signal: 'plc/run' },
    ])
    expect(tree.signals.find((s) => s.id === 'plc/level')).toMatchObject({ unit: '%', connection: 'plc' })
  })

  it('pushes connection health as state, with the reason', async () => {
    const { col, client } = await setup()
    const seen: ConnectionState[] = []
    client.on('connections.state', (s) => seen.push(s))
    col.setState({ health: 'error', reason: 'host unreachable' })
    await new Promise((r) => setTimeout(r, 10))
    expect(seen.at(-1)).toMatchObject({ id: 'plc', health: 'error', reason: 'host unreachable' })
    expect((await client.call('connections.list', {}))[0]).toMatchObject({ health: 'error' })
  })

  it('keeps the newest value per signal and streams only subscribed signals', async () => {
    const { col, client } = await setup()
    const got: SampleBatch[] = []
    client.on('signals.samples', (b) => got.push(b))
    const res = await client.call('signals.subscribe', { signals: ['plc/level', 'nope/x'] })
    expect(res).toEqual({ subscribed: 1, unknown: ['nope/x'] })
    col.push([
      { signal: 'plc/level', ts: 2000, value: 40, quality: 'good' },
      { signal: 'plc/run', ts: 2000, value: true, quality: 'good' },
      { signal: 'plc/level', ts: 1000, value: 10, quality: 'good' }, // late: must not win
    ])
    await new Promise((r) => setTimeout(r, 350))
    expect(got.flat().map((s) => s.signal)).toEqual(['plc/level', 'plc/level'])
    const cur = await client.call('signals.current', { signals: ['plc/level', 'plc/run', 'plc/none'] })
    expect(cur.map((s) => [s.signal, s.value])).toEqual([
      ['plc/level', 40],
      ['plc/run', true],
    ])
  })

  it('answers trend queries from history, decimated with min and max kept', async () => {
    const { col, client } = await setup()
    const batch: SampleBatch = []
    for (let i = 0; i < 1000; i++) batch.push({ signal: 'plc/level', ts: 1_000_000 + i * 1000, value: i === 500 ? 999 : i % 10, quality: 'good' })
    col.push(batch)
    const { series } = await client.call('trends.query', { signals: ['plc/level'], from: 1_000_000, to: 2_000_000, points: 100 })
    expect(series[0]!.t.length).toBeLessThanOrEqual(100)
    // bucketed: the line is each bucket's mean, and the spike is in the bucket's max (the chart's band)
    expect(series[0]!.mode).toBe('buckets')
    expect(Math.max(...series[0]!.max!.map((v) => v ?? -1))).toBe(999)
    expect(Math.min(...series[0]!.min!.map((v) => v ?? 1e9))).toBe(0)
    expect(series[0]!.t).toEqual([...series[0]!.t].sort((a, b) => a - b))
  })
})

describe('createCore with a store', () => {
  it('stores the last samples a collector hands over while stopping (graceful shutdown loses nothing)', async () => {
    const { MemorySampleStore } = await import('../adapters/memory-store/memory-sample-store')
    const store = new MemorySampleStore({})
    const col = new FakeCollector('plc')
    let listenerResult: unknown
    col.stop = async function (this: FakeCollector) {
      // a collector flushing what it received before disconnecting, waiting for durability
      const cbs = (this as unknown as { sampleCbs: Set<(b: SampleBatch) => unknown> }).sampleCbs
      for (const cb of cbs) listenerResult = await cb([{ signal: 'plc/level', ts: 5000, value: 12, quality: 'good' }])
    }
    const c = createCore({ plant, collectors: [col], store, info: { version: '1', host: 'test', demo: false } })
    await c.start()
    await c.stop()
    expect(listenerResult).toMatchObject({ accepted: 1 })
    expect(await store.count('plc/level', 0, 10_000)).toBe(1)
  })
})
