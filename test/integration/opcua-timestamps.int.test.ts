import { DataType, DataValue, SessionContext, StatusCodes } from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, tempDir, until } from '../helpers/opcua-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

let server: TestServer
const tmp = tempDir('plantdeck-opcua-ts-')
beforeAll(async () => {
  server = await startTestServer({ pkiDir: `${tmp.dir}/server` })
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

const signals = [
  { id: 'ua/double', name: 'Double', nodeId: 'ns=1;s=Tests.Double' },
  { id: 'ua/int32', name: 'Int32', nodeId: 'ns=1;s=Tests.Int32' },
]

describe('OPC UA status codes and timestamps', () => {
  it('keeps the source and the server timestamp through live values and signals.current; the store keeps ts only', async () => {
    const source = new Date(Date.now() - 3_600_000) // the PLC stamped this value an hour ago
    // a Write with a source timestamp, as a PLC gateway does: the server stamps its own ServerTimestamp
    const written = await server.vars.get('Double')!.writeValue(
      SessionContext.defaultContext,
      new DataValue({ value: { dataType: DataType.Double, value: 42.5 }, sourceTimestamp: source }),
    )
    expect(written.name).toBe('Good')
    const h = await startHarness({ id: 'ua', kind: 'opcua', name: 'Test', endpoint: server.url, samplingIntervalMs: 50, securityMode: 'None', securityPolicy: 'None', signals }, `${tmp.dir}/client`)
    try {
      await until(() => h.samples.some((s) => s.signal === 'ua/double' && s.value === 42.5), 'the value')
      const sample = h.samples.find((s) => s.signal === 'ua/double' && s.value === 42.5)!
      expect(sample.ts).toBe(source.getTime())
      expect(sample.serverTs).toBeGreaterThan(source.getTime() + 3_000_000) // the server's own, recent time
      expect(sample.serverTs).toBeLessThanOrEqual(Date.now())

      const [current] = await h.api.call('signals.current', { signals: ['ua/double'] }) // validated against the contract
      expect(current).toEqual({ signal: 'ua/double', ts: source.getTime(), serverTs: sample.serverTs, value: 42.5, quality: 'good' })

      const [stored] = await h.store.latest(['ua/double'])
      expect(stored).toEqual({ signal: 'ua/double', ts: source.getTime(), value: 42.5, quality: 'good' })

      // status code → quality, with its name; bad carries no value
      server.vars.get('Int32')!.setValueFromSource({ dataType: DataType.Int32, value: 7 }, StatusCodes.UncertainLastUsableValue)
      await until(() => h.samples.some((s) => s.signal === 'ua/int32' && s.quality === 'uncertain'), 'an uncertain sample')
      expect(h.samples.find((s) => s.signal === 'ua/int32' && s.quality === 'uncertain')).toMatchObject({ value: 7, status: 'UncertainLastUsableValue' })
      server.vars.get('Int32')!.setValueFromSource({ dataType: DataType.Int32, value: 8 }, StatusCodes.BadSensorFailure)
      await until(() => h.samples.some((s) => s.signal === 'ua/int32' && s.quality === 'bad'), 'a bad sample')
      expect(h.samples.find((s) => s.signal === 'ua/int32' && s.quality === 'bad')).toMatchObject({ value: null, status: 'BadSensorFailure' })
    } finally {
      await h.stop()
    }
  })
})
