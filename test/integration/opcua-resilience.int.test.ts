import { afterAll, describe, expect, it } from 'vitest'
import { BACKFILLED } from '../../src/adapters/opcua/backfill'
import { startHarness, tempDir, until } from '../helpers/opcua-harness'
import { startProxy } from '../helpers/opcua-proxy'
import { startTestServer, TEST_SIGNALS } from '../helpers/opcua-server'

const tmp = tempDir('plantdeck-opcua-res-')
afterAll(() => tmp.remove())

const signals = TEST_SIGNALS
const config = (endpoint: string, backfill = false) => ({
  id: 'ua', kind: 'opcua', name: 'Test', endpoint, samplingIntervalMs: 50,
  securityMode: 'None', securityPolicy: 'None', backfill, signals,
})

describe('OPC UA collector resilience', () => {
  it('server stopped and restarted: bad quality at once, recovers, no duplicate monitored items', async () => {
    let server = await startTestServer({ pkiDir: `${tmp.dir}/server` })
    const h = await startHarness(config(server.url), `${tmp.dir}/client`)
    try {
      await until(() => h.states.at(-1)?.health === 'connected', 'connected')
      await until(() => signals.every((s) => h.samples.some((x) => x.signal === s.id && x.quality === 'good')), 'first values')
      expect(server.monitoredItemCount()).toBe(signals.length)

      await server.stop()
      await until(() => h.states.at(-1)?.health === 'connecting', 'connection lost state')
      const lostAt = h.samples.length
      await until(() => signals.every((s) => h.samples.slice(0).some((x) => x.signal === s.id && x.quality === 'bad' && x.status === 'BadCommunicationError')), 'every signal bad')
      expect((await h.api.call('signals.current', { signals: signals.map((s) => s.id) })).every((s) => s.quality === 'bad')).toBe(true)
      // node-opcua's reconnect backs off meanwhile: every state of the outage keeps its code
      await until(() => h.states.filter((s) => /server not reachable; retry \d+ in/.test(s.reason ?? '')).length >= 2, 'two backoff states')
      const outage = h.states.slice(h.states.map((s) => s.health).lastIndexOf('connected') + 1)
      expect(outage.length).toBeGreaterThanOrEqual(3)
      expect(outage.map((s) => s.code)).toEqual(outage.map(() => 'opcua.unreachable'))

      server = await startTestServer({ pkiDir: `${tmp.dir}/server`, port: server.port })
      await until(() => h.states.at(-1)?.health === 'connected', 'reconnected', 45_000)
      await until(() => signals.every((s) => h.samples.slice(lostAt).some((x) => x.signal === s.id && x.quality === 'good')), 'good again', 20_000)
      // Let a few publish cycles pass: a duplicated item would show up as a second item on the server and a second initial value.
      await new Promise((r) => setTimeout(r, 1000))
      expect(server.monitoredItemCount()).toBe(signals.length)
      const after = h.samples.slice(lostAt).filter((x) => x.signal === 'ua/double' && x.quality === 'good')
      expect(after).toHaveLength(1) // a static value: exactly one initial notification after recovery
      const current = await h.api.call('signals.current', { signals: signals.map((s) => s.id) })
      expect(current.map((s) => s.quality)).toEqual(['good', 'good', 'good', 'good'])
      expect((await h.api.call('opcua.failures', { connection: 'ua' })).monitored).toBe(signals.length)
    } finally {
      await h.stop()
      await server.stop()
    }
  })

  it('network outage with the server still running: samples missed meanwhile are backfilled from history', async () => {
    const server = await startTestServer({ pkiDir: `${tmp.dir}/server2` })
    const proxy = await startProxy(server.port)
    const h = await startHarness(config(proxy.url, true), `${tmp.dir}/client2`)
    try {
      await until(() => h.states.at(-1)?.health === 'connected', 'connected')
      await until(() => h.samples.filter((x) => x.signal === 'ua/counter' && x.quality === 'good').length >= 3, 'counter running')
      proxy.cut()
      await until(() => h.samples.some((x) => x.signal === 'ua/counter' && x.status === 'BadCommunicationError'), 'bad quality')
      const badAt = h.samples.find((x) => x.status === 'BadCommunicationError')!.ts
      await new Promise((r) => setTimeout(r, 1500)) // the counter keeps counting on the server
      proxy.restore()
      await until(() => h.samples.some((x) => x.status === BACKFILLED), 'backfilled samples', 45_000)
      const filled = h.samples.filter((x) => x.status === BACKFILLED)
      expect(filled.every((x) => x.signal === 'ua/counter' && x.quality === 'good' && typeof x.value === 'number')).toBe(true)
      expect(filled.some((x) => x.ts >= badAt)).toBe(true)
      expect(new Set(filled.map((x) => x.ts)).size).toBe(filled.length)
      await until(() => h.states.at(-1)?.health === 'connected', 'connected again')
      expect(server.monitoredItemCount()).toBe(signals.length) // the subscription was transferred, not duplicated
    } finally {
      await h.stop()
      await proxy.close()
      await server.stop()
    }
  })

  it('stopped while the server is down and node-opcua is backing off: the stop completes (it used to hang on the reconnect)', async () => {
    const server = await startTestServer({ pkiDir: `${tmp.dir}/server3` })
    const h = await startHarness(config(server.url), `${tmp.dir}/client3`)
    let stopped = false
    try {
      await until(() => h.states.at(-1)?.health === 'connected', 'connected')
      await server.stop()
      await until(() => h.states.filter((s) => /server not reachable; retry \d+ in/.test(s.reason ?? '')).length >= 2, 'two backoff states')
      await h.stop()
      stopped = true
      expect(h.states.at(-1)).toEqual({ health: 'stopped' })
    } finally {
      if (!stopped) await h.stop()
    }
  })
})
