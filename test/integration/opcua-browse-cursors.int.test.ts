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
  it('opening the same large folder again and again never runs out: the previous point is released', async () => {
    for (let k = 0; k < 5; k++) {
      const page = await browse('ns=1;s=Big', 100)
      expect(page.children).toHaveLength(100)
      expect(page.continuationPoint).toBeDefined()
    }
  })

  it('when the server has none left, the points held are released and the page is served; a released page says so', async () => {
    const big = await browse('ns=1;s=Big', 100) // one point held for Big
    const objects = await browse(undefined, 1) // a second one: the server's limit
    expect(objects.continuationPoint).toBeDefined()
    const tests = await browse('ns=1;s=Tests', 1) // a third: served after releasing the other two
    expect(tests.children).toHaveLength(1)
    expect(tests.continuationPoint).toBeDefined()
    // the Tests folder pages on; the released Big page is reported as gone, with what to do
    const next = await browse('ns=1;s=Tests', 1, tests.continuationPoint)
    expect(next.children).toHaveLength(1)
    expect(next.children[0]!.nodeId).not.toBe(tests.children[0]!.nodeId)
    await expect(browse('ns=1;s=Big', 100, big.continuationPoint)).rejects.toMatchObject({ code: 'opcua.service_failed', message: expect.stringMatching(/no longer available.*browse the node again/) })
    // and browsing Big afresh works
    expect((await browse('ns=1;s=Big', 100)).children[0]!.nodeId).toBe('ns=1;s=Big.V0')
  })
})
