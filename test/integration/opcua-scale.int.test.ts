import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, tempDir, until, type Harness } from '../helpers/opcua-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

const N = 10_000
const tmp = tempDir('plantdeck-opcua-scale-')
let server: TestServer
let h: Harness
const bad = ['ns=1;s=Big.Missing1', 'ns=1;s=Big.Missing2', 'ns=7;i=42', 'not a node id']

beforeAll(async () => {
  server = await startTestServer({ pkiDir: `${tmp.dir}/server`, bigCount: N, maxMonitoredItemsPerCall: 500, maxMonitoredItemsPerSubscription: 4000, maxNotificationsPerPublish: 500 })
  h = await startHarness(
    {
      id: 'ua', kind: 'opcua', name: 'Big', endpoint: server.url, samplingIntervalMs: 2000,
      securityMode: 'None', securityPolicy: 'None',
      signals: [
        ...Array.from({ length: N }, (_, i) => ({ id: `ua/V${i}`, name: `V${i}`, nodeId: `ns=1;s=Big.V${i}` })),
        ...bad.map((nodeId, i) => ({ id: `ua/bad${i}`, name: `bad${i}`, nodeId })),
      ],
    },
    `${tmp.dir}/client`,
  )
})
afterAll(async () => {
  await h?.stop()
  await server?.stop()
  tmp.remove()
})

describe('OPC UA at 10,000 items', () => {
  it('subscribes 10,000 items through a 500-per-call, 4,000-per-subscription, 500-notifications-per-publish server; every value arrives, every refusal is reported', async () => {
    await until(() => h.states.at(-1)?.health === 'degraded', 'subscribed (degraded by the bad items)', 60_000)
    expect(h.states.at(-1)!.reason).toContain(`4 of ${N + 4} items refused`)
    await until(() => new Set(h.samples.filter((s) => s.quality === 'good').map((s) => s.signal)).size === N, 'a value from every item', 60_000)
    const byId = new Map(h.samples.map((s) => [s.signal, s]))
    expect(byId.get('ua/V1234')?.value).toBe(1234)
    expect(server.monitoredItemCount()).toBe(N)

    const { monitored, failed } = await h.api.call('opcua.failures', { connection: 'ua' })
    expect(monitored).toBe(N)
    expect(failed.map((f) => [f.signal, f.status]).sort()).toEqual([
      ['ua/bad0', 'BadNodeIdUnknown'],
      ['ua/bad1', 'BadNodeIdUnknown'],
      ['ua/bad2', 'BadNodeIdUnknown'],
      ['ua/bad3', 'BadNodeIdInvalid'],
    ])
    expect(h.collector.rejected).toBe(4)
  })

  it('browses a 10,000-child folder page by page with continuation points', async () => {
    const first = await h.api.call('opcua.browse', { connection: 'ua', nodeId: 'ns=1;s=Big', max: 1000 })
    expect(first.children).toHaveLength(1000)
    expect(first.children[0]).toMatchObject({ nodeId: 'ns=1;s=Big.V0', displayName: 'V0', nodeClass: 'Variable' })
    let cp = first.continuationPoint
    let total = first.children.length
    while (cp) {
      const page = await h.api.call('opcua.browse', { connection: 'ua', nodeId: 'ns=1;s=Big', continuationPoint: cp })
      total += page.children.length
      cp = page.continuationPoint
    }
    expect(total).toBe(N)
    const root = await h.api.call('opcua.browse', { connection: 'ua' })
    expect(root.children.map((c) => c.browseName)).toEqual(expect.arrayContaining(['1:Big', '1:Tests', 'Server']))
  })

  it('searches by browse name within a subtree, with batched browse requests (server allows 100 nodes per browse)', async () => {
    const r = await h.api.call('opcua.search', { connection: 'ua', root: 'ns=1;s=Big', text: 'v999', max: 50 })
    expect(r.matches.map((m) => m.path).sort()).toEqual(['V999', 'V9990', 'V9991', 'V9992', 'V9993', 'V9994', 'V9995', 'V9996', 'V9997', 'V9998', 'V9999'])
    expect(r.truncated).toBe(false)
    const limited = await h.api.call('opcua.search', { connection: 'ua', text: 'V1', max: 5 })
    expect(limited.matches).toHaveLength(5)
    expect(limited.truncated).toBe(true)
  })

  it('reads the attributes of a node and adds a whole subtree as signals in one step', async () => {
    const a = await h.api.call('opcua.attributes', { connection: 'ua', nodeId: 'ns=1;s=Tests.DoubleArray' })
    expect(a).toMatchObject({ nodeClass: 'Variable', dataType: 'Double', valueRank: 1, accessLevel: ['read', 'write'], value: [0, 0, 0], status: 'Good' })
    const state = await h.api.call('opcua.attributes', { connection: 'ua', nodeId: 'ns=1;s=Tests.State' })
    expect(state.dataType).toBe('ServerState')

    const before = (await h.api.call('assets.tree', {})).signals.length
    const added = await h.api.call('opcua.add', { connection: 'ua', root: 'ns=1;s=Tests' })
    expect(added.added.map((s) => s.id)).toEqual(expect.arrayContaining(['ua/Tests.Counter', 'ua/Tests.Bool', 'ua/Tests.Int64', 'ua/Tests.DoubleArray']))
    expect(added.added.find((s) => s.id === 'ua/Tests.Bool')).toMatchObject({ dataType: 'boolean', writable: true })
    expect(added.added.some((s) => s.id.includes('InputArguments'))).toBe(false) // properties are not signals
    expect(added.failed).toEqual([])
    const tree = await h.api.call('assets.tree', {})
    expect(tree.signals.length).toBe(before + added.added.length)
    await until(() => h.samples.some((s) => s.signal === 'ua/Tests.Counter' && s.quality === 'good'), 'values of the added subtree')
    // registered in the store before its first sample, so the store keeps it instead of refusing an unknown signal
    let stored = 0
    await until(() => {
      void h.store.count('ua/Tests.Counter', 0, Date.now() + 1000).then((n) => (stored = n))
      return stored > 0
    }, 'samples of an added signal in the store')
    expect((await h.store.stats()).counters.unknownSignal).toBe(0)
    const again = await h.api.call('opcua.add', { connection: 'ua', root: 'ns=1;s=Tests' })
    expect(again.added).toEqual([])
    expect(again.skipped).toBe(added.added.length)
  })
})
