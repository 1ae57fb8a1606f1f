import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, tempDir, type Harness } from '../helpers/opcua-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

// A server that lets a session hold two continuation points, like small PLC servers do (S7-1500: 10).
const tmp = tempDir('plantdeck-opcua-cursors-')
let server: TestServer
let h: Harness

beforeAll(async () => {
  server = await startTestServer({ pkiDir: `${tmp.dir}/server`, bigCount: 1000, maxBrowseContinuationPoints: 2 })
  h = await startHarness(
    { id: 'ua', kind: 'opcua', name: 'Small PLC', endpoint: server.url, securityMode: 'None', securityPolicy: 'None', signals: [{ id: 'ua/counter', name: 'Counter', nodeId: 'ns=1;s=Tests.Counter' }] },
    `${tmp.dir}/client`,
  )
  for (let i = 0; i < 200 && h.states.at(-1)?.health !== 'connected'; i++) await new Promise((r) => setTimeout(r, 50))
})
afterAll(async () => {
  await h?.stop()
  await server?.stop()
  tmp.remove()
})

const browse = (nodeId: string | undefined, max: number, continuationPoint?: string) =>
  h.api.call('opcua.browse', { connection: 'ua', max, ...(nodeId ? { nodeId } : {}), ...(continuationPoint ? { continuationPoint } : {}) })

describe('OPC UA browse on a server with few continuation points', () => {
  it('opening large folders again and again never runs out of continuation points', async () => {
    for (let k = 0; k < 5; k++) {
      const page = await browse('ns=1;s=Big', 100)
      expect(page.children).toHaveLength(100)
      expect(page.continuationPoint).toBeDefined()
    }
  })

  it('when the server has none left, the oldest points are released and the page is served; a released page says so', async () => {
    const big = await browse('ns=1;s=Big', 100)
    const objects = await browse(undefined, 1)
    expect(objects.continuationPoint).toBeDefined()
    // a third point: the server has none left, so the oldest held ones go and the page is served
    const tests = await browse('ns=1;s=Tests', 1)
    expect(tests.children).toHaveLength(1)
    // the newer pages still page on
    const nextObjects = await browse(undefined, 1, objects.continuationPoint)
    expect(nextObjects.children).toHaveLength(1)
    expect(nextObjects.children[0]!.nodeId).not.toBe(objects.children[0]!.nodeId)
    const nextTests = await browse('ns=1;s=Tests', 1, tests.continuationPoint)
    expect(nextTests.children[0]!.nodeId).not.toBe(tests.children[0]!.nodeId)
    // the released Big page is reported as gone, with what to do; browsing Big afresh works
    await expect(browse('ns=1;s=Big', 100, big.continuationPoint)).rejects.toMatchObject({ code: 'opcua.service_failed', message: expect.stringMatching(/no longer available.*browse the node again/) })
    expect((await browse('ns=1;s=Big', 100)).children[0]!.nodeId).toBe('ns=1;s=Big.V0')
  })

  it('two windows paging through the same folder do not take each other\'s pages', async () => {
    const a = await browse('ns=1;s=Big', 100)
    const b = await browse('ns=1;s=Big', 100)
    const a2 = await browse('ns=1;s=Big', 100, a.continuationPoint)
    const b2 = await browse('ns=1;s=Big', 100, b.continuationPoint)
    expect(a2.children[0]!.nodeId).toBe('ns=1;s=Big.V100')
    expect(b2.children[0]!.nodeId).toBe('ns=1;s=Big.V100')
  })
})
