import { afterAll, describe, expect, it } from 'vitest'
import type { OpcuaTiming } from '../../src/adapters/opcua/opcua-collector'
import { startHarness, tempDir, until, type Harness } from '../helpers/opcua-harness'
import { startProxy } from '../helpers/opcua-proxy'
import { startTestServer, TEST_SIGNALS } from '../helpers/opcua-server'

const tmp = tempDir('plantdeck-opcua-drop-')
afterAll(() => tmp.remove())

const signals = TEST_SIGNALS
const config = (endpoint: string) => ({ id: 'ua', kind: 'opcua', name: 'Test', endpoint, samplingIntervalMs: 50, securityMode: 'None', securityPolicy: 'None', signals })
const ids = signals.map((s) => s.id)

const allGoodAfter = (h: Harness, from: number) => ids.every((id) => h.samples.slice(from).some((x) => x.signal === id && x.quality === 'good'))
const allLostAfter = (h: Harness, from: number) => ids.every((id) => h.samples.slice(from).some((x) => x.signal === id && x.quality === 'bad' && x.status === 'BadCommunicationError'))

/** Pulls the cable; returns how long until every signal was bad with "communication lost". */
async function pullCable(h: Harness, stall: () => void, bound: number): Promise<number> {
  const from = h.samples.length
  const t0 = Date.now()
  stall()
  await until(() => allLostAfter(h, from), 'every signal bad (communication lost)', bound + 5_000)
  return Date.now() - t0
}

describe('OPC UA silent network drop (cable pulled: no socket closes)', () => {
  it('signals go bad within the silence limit; after a reconnect values are good again, items not duplicated', async () => {
    const server = await startTestServer({ pkiDir: `${tmp.dir}/server` })
    const proxy = await startProxy(server.port)
    const timing: OpcuaTiming = { keepAliveIntervalMs: 1_000, requestTimeoutMs: 2_500, silenceMs: 2_000 }
    const h = await startHarness(config(proxy.url), `${tmp.dir}/client`, { timing })
    try {
      await until(() => h.states.at(-1)?.health === 'connected', 'connected')
      await until(() => allGoodAfter(h, 0), 'first values')
      expect(server.monitoredItemCount()).toBe(signals.length)

      const dialed = proxy.accepted() // discovery and session connections so far
      const took = await pullCable(h, () => proxy.stall(), timing.silenceMs!)
      expect(took).toBeLessThan(timing.silenceMs! + 1_500)
      expect(h.states.at(-1)).toMatchObject({ health: 'connecting', code: 'opcua.unreachable' })
      expect(h.states.at(-1)!.reason).toMatch(/no answer from the server for \d+\.\d s \(communication lost\)/)
      expect((await h.api.call('signals.current', { signals: ids })).map((s) => s.quality)).toEqual(['bad', 'bad', 'bad', 'bad'])

      // node-opcua's keep-alive Read times out, it breaks the dead connection and dials again (held by the stalled relay)
      await until(() => proxy.accepted() > dialed, 'the client dials a new connection', 15_000)
      const resumedAt = h.samples.length
      proxy.resume()
      await until(() => h.states.at(-1)?.health === 'connected', 'reconnected', 30_000)
      await until(() => allGoodAfter(h, resumedAt), 'every value good again, the unchanged ones too', 20_000)
      await new Promise((r) => setTimeout(r, 1_000))
      expect(server.monitoredItemCount()).toBe(signals.length)
      // An unchanged value keeps its old source time when re-sent: it is read back once more and stamped after its bad mark,
      // so live values and trends show it good again from the reconnect on.
      const double = h.samples.slice(resumedAt).filter((x) => x.signal === 'ua/double' && x.quality === 'good')
      const mark = h.samples.find((x) => x.signal === 'ua/double' && x.status === 'BadCommunicationError')!.ts
      expect(double.filter((x) => x.ts > mark)).toHaveLength(1)
      expect((await h.api.call('signals.current', { signals: ids })).map((s) => s.quality)).toEqual(['good', 'good', 'good', 'good'])
      expect((await h.api.call('opcua.failures', { connection: 'ua' })).monitored).toBe(signals.length)
    } finally {
      await h.stop()
      await proxy.close()
      await server.stop()
    }
  })

  it('a short stall the session survives: bad at once, good again on the same connection when bytes flow again', async () => {
    const server = await startTestServer({ pkiDir: `${tmp.dir}/server2` })
    const proxy = await startProxy(server.port)
    const timing: OpcuaTiming = { keepAliveIntervalMs: 1_000, requestTimeoutMs: 20_000, silenceMs: 1_500 }
    const h = await startHarness(config(proxy.url), `${tmp.dir}/client2`, { timing })
    try {
      await until(() => h.states.at(-1)?.health === 'connected', 'connected')
      await until(() => allGoodAfter(h, 0), 'first values')
      const dialed = proxy.accepted() // discovery and session connections so far
      const took = await pullCable(h, () => proxy.stall(), timing.silenceMs!)
      expect(took).toBeLessThan(timing.silenceMs! + 1_500)
      const resumedAt = h.samples.length
      proxy.resume()
      await until(() => h.states.at(-1)?.health === 'connected', 'connected again')
      await until(() => allGoodAfter(h, resumedAt), 'every value good again')
      expect(proxy.accepted()).toBe(dialed) // the same TCP connection carried on
      await new Promise((r) => setTimeout(r, 1_000))
      expect(server.monitoredItemCount()).toBe(signals.length)
      expect((await h.api.call('signals.current', { signals: ids })).map((s) => s.quality)).toEqual(['good', 'good', 'good', 'good'])
    } finally {
      await h.stop()
      await proxy.close()
      await server.stop()
    }
  })
})
