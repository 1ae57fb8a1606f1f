import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReadThroughHistory } from '../../src/core/trends/read-through'
import { StoreHistory } from '../../src/core/trends/store-history'
import { FaultyProxy } from '../fixtures/sync/faulty-proxy'
import { T0, engineFor, lineSink, openStore, signalIds, step, tempDir, until } from '../fixtures/sync/pipeline'
import { Victoria, haveVictoria, strictlyAscending } from '../fixtures/sync/victoria'

if (!haveVictoria) console.warn('sync-victoria: skipped, /usr/bin/victoria-metrics is missing (apt-get install victoria-metrics)')

const files = tempDir('sync-vm')
afterAll(files.cleanup)
const expected = (steps: number) => Array.from({ length: steps }, (_, k) => T0 + k)

describe.skipIf(!haveVictoria)('sync to a real VictoriaMetrics', () => {
  const vms: Victoria[] = []
  beforeAll(async () => {
    vms.push(await Victoria.start(), await Victoria.start())
  })
  afterAll(async () => {
    await Promise.all(vms.map((vm) => vm.close()))
  })
  const selector = (prefix: string) => `{__name__="plantdeck_number_value",signal=~"${prefix}/.*"}`

  it('stopped during ingest and restarted: every sample arrives, in order per signal, no duplicates', async () => {
    const vm = vms[0] as Victoria
    const signals = signalIds(20, 'outage')
    const store = await openStore(files.path('outage.db'), signals)
    const sink = lineSink('vm', [vm.url])
    const engine = engineFor(store, sink, { batchSamples: 500 })
    await engine.start()
    let k = 0
    for (; k < 100; k++) await store.append(step(signals, k))
    await vm.stop()
    // collection goes on while the backend is away
    for (; k < 200; k++) await store.append(step(signals, k))
    await until(async () => ((await engine.status()).sinks[0]?.failures ?? 0) > 0, 'the sink noticed')
    const down = (await engine.status()).sinks[0]
    expect(down?.state).toBe('backoff')
    expect(down?.lastError?.code).toBe('sync.unreachable')
    expect(down?.backlog.samples).toBeGreaterThan(0)
    await vm.start()
    for (; k < 300; k++) await store.append(step(signals, k))
    await engine.delivered(store.durableSeq)
    const got = await vm.timestampsBySignal(selector('outage'))
    expect([...got.keys()].sort()).toEqual([...signals].sort())
    for (const id of signals) {
      const ts = got.get(id) ?? []
      expect(ts.length, id).toBe(300)
      expect(strictlyAscending(ts), id).toBe(true)
      expect(ts).toEqual(expected(300))
    }
    // tags: asset path split into asset and attribute, unit, connection
    const [row] = await vm.export('{__name__="plantdeck_number_value",signal="outage/s4"}')
    expect(row?.metric).toMatchObject({ asset: 'Plant/Unit 1', attribute: 's4', unit: 'bar', connection: 'sync-test' })
    expect((await engine.status()).sinks[0]).toMatchObject({ state: 'live', backlog: { samples: 0 } })
    await engine.stop()
    await store.close()
  })

  it('fails over to the second instance when the first stops, and goes back once it answers', async () => {
    const [a, b] = vms as [Victoria, Victoria]
    const signals = signalIds(10, 'failover')
    const store = await openStore(files.path('failover.db'), signals)
    const sink = lineSink('vm', [a.url, b.url])
    const engine = engineFor(store, sink)
    await engine.start()
    let k = 0
    for (; k < 50; k++) await store.append(step(signals, k))
    await engine.delivered(store.durableSeq)
    expect((await engine.status()).sinks[0]?.endpoint).toBe(a.url)
    await a.stop()
    for (; k < 100; k++) await store.append(step(signals, k))
    await engine.delivered(store.durableSeq)
    expect((await engine.status()).sinks[0]?.endpoint).toBe(b.url)
    await a.start()
    // it probes the first again every returnAfterMs (200 ms here) and returns to it
    await until(async () => {
      await store.append(step(signals, k++))
      await engine.delivered(store.durableSeq)
      return (await engine.status()).sinks[0]?.endpoint === a.url
    }, 'back on the first endpoint')
    for (let n = 0; n < 20; n++, k++) await store.append(step(signals, k))
    await engine.delivered(store.durableSeq)
    const onA = await a.timestampsBySignal(selector('failover'))
    const onB = await b.timestampsBySignal(selector('failover'))
    for (const id of signals) {
      const union = [...new Set([...(onA.get(id) ?? []), ...(onB.get(id) ?? [])])].sort((x, y) => x - y)
      expect(union, id).toEqual(expected(k))
      expect(onB.get(id)?.length ?? 0, id).toBeGreaterThan(0) // the outage went to the second
      expect(onA.get(id)?.at(-1), id).toBe(T0 + k - 1) // and the end to the first again
    }
    await engine.stop()
    await store.close()
  })

  it('through a proxy that cuts connections mid-request and stalls answers: recovers, nothing lost', async () => {
    const vm = vms[1] as Victoria
    const proxy = await FaultyProxy.start(vm.port, { cutAfterBytes: 2_000, passBytes: 40_000 })
    const signals = signalIds(25, 'proxy')
    const store = await openStore(files.path('proxy.db'), signals)
    const sink = lineSink('vm', [proxy.url], { timeoutMs: 400, maxBodyBytes: 16 * 1024 })
    const engine = engineFor(store, sink, { batchSamples: 1_000 })
    await engine.start()
    let k = 0
    for (; k < 400; k++) {
      await store.append(step(signals, k))
      if (k % 50 === 0) await new Promise((r) => setTimeout(r, 30))
    }
    await until(() => proxy.seen.cut > 1 && proxy.seen.stall > 1, 'the proxy misbehaved')
    const codes = new Set<string>()
    await until(async () => {
      const code = (await engine.status()).sinks[0]?.lastError?.code
      if (code) codes.add(code)
      return codes.size > 0
    }, 'a failure seen')
    proxy.faults = false
    await engine.delivered(store.durableSeq)
    const got = await vm.timestampsBySignal(selector('proxy'))
    for (const id of signals) expect(got.get(id), id).toEqual(expected(400))
    const status = (await engine.status()).sinks[0]
    expect(status?.failures).toBeGreaterThan(1)
    expect([...codes].every((c) => ['sync.unreachable', 'sync.timeout', 'sync.bad_answer'].includes(c))).toBe(true)
    await engine.stop()
    await store.close()
    await proxy.close()
  })

  it('reads buckets back, and the trend read-through joins them with local data without a seam', async () => {
    const vm = vms[0] as Victoria
    const signals = signalIds(2, 'read')
    const store = await openStore(files.path('read.db'), signals)
    const sink = lineSink('vm', [vm.url])
    const engine = engineFor(store, sink)
    await engine.start()
    for (let k = 0; k < 1000; k++) await store.append(step(signals, k))
    await engine.delivered(store.durableSeq)
    await engine.stop()
    const query = { signals, from: T0, to: T0 + 999, points: 11 }
    const defs = new Map((await store.listSignals()).map((d) => [d.id, { id: d.id, dataType: d.dataType, connection: d.connection }]))
    await vm.export() // flushes
    const remote = await sink.readBuckets(query, defs)
    const local = await store.queryBuckets(query)
    expect(remote.map((s) => s.count)).toEqual(local.map((s) => s.count))
    expect(remote.map((s) => [s.min, s.max, s.first, s.last])).toEqual(local.map((s) => [s.min, s.max, s.first, s.last]))
    expect(remote[0]?.count.reduce((a, n) => a + n, 0)).toBe(1000)
    // a laptop that kept only the last 400 ms: its trend reaches back into VictoriaMetrics without a seam
    const laptop = await openStore(files.path('laptop.db'), signals)
    for (let k = 600; k < 1000; k++) await laptop.append(step(signals, k))
    const joined = new ReadThroughHistory(new StoreHistory(laptop), laptop, { canRead: true, readBuckets: (q) => sink.readBuckets(q, defs) })
    for (const [from, to, points] of [[T0, T0 + 999, 40], [T0 + 123, T0 + 777, 30]] as const) {
      expect(await joined.query(signals[0] as string, from, to, points)).toEqual(await new StoreHistory(store).query(signals[0] as string, from, to, points))
    }
    await laptop.close()
    await store.close()
  })
})
