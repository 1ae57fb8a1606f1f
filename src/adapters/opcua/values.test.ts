import { DataType, DataValue, StatusCodes, type StatusCode } from 'node-opcua'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Sample } from '../../shared/model'
import { toSample } from './values'

const SOURCE = Date.UTC(2026, 10, 22, 12, 0, 1, 250)
const SERVER = Date.UTC(2026, 10, 22, 12, 0, 1, 300)
const NOW = Date.UTC(2026, 10, 22, 12, 0, 5, 0)

const dv = (o: { source?: number | Date | null; server?: number | Date | null; status?: StatusCode; value?: number }) =>
  new DataValue({
    value: { dataType: DataType.Double, value: o.value ?? 21.5 },
    statusCode: o.status ?? StatusCodes.Good,
    ...(o.source !== undefined ? { sourceTimestamp: o.source === null ? null : new Date(o.source) } : {}),
    ...(o.server !== undefined ? { serverTimestamp: o.server === null ? null : new Date(o.server) } : {}),
  })

afterEach(() => vi.useRealTimers())

describe('DataValue → Sample', () => {
  it('keeps both timestamps: ts is the source time, serverTs the server time', () => {
    const s = toSample('ua/t', dv({ source: SOURCE, server: SERVER }))
    expect(s).toEqual({ signal: 'ua/t', ts: SOURCE, serverTs: SERVER, value: 21.5, quality: 'good' })
    expect(Sample.parse(s)).toEqual(s) // the model keeps serverTs
  })

  it('without a source timestamp, ts falls back to the server time (and serverTs is still that time)', () => {
    expect(toSample('ua/t', dv({ server: SERVER }))).toMatchObject({ ts: SERVER, serverTs: SERVER })
  })

  it('without any timestamp, ts is the arrival time and there is no serverTs', () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] })
    const s = toSample('ua/t', dv({}))
    expect(s.ts).toBe(NOW)
    expect('serverTs' in s).toBe(false)
  })

  it('treats the OPC UA null DateTime (1601) or a pre-1970 time as absent', () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] })
    const s = toSample('ua/t', dv({ source: new Date(Date.UTC(1601, 0, 1)), server: new Date(-5) }))
    expect(s.ts).toBe(NOW)
    expect(s.serverTs).toBeUndefined()
    expect(toSample('ua/t', dv({ source: new Date(Date.UTC(1601, 0, 1)), server: SERVER })).ts).toBe(SERVER)
  })

  it('status code → quality; non-good keeps the status name, bad drops the value, timestamps stay', () => {
    expect(toSample('ua/t', dv({ source: SOURCE, server: SERVER, status: StatusCodes.UncertainLastUsableValue }))).toEqual({
      signal: 'ua/t', ts: SOURCE, serverTs: SERVER, value: 21.5, quality: 'uncertain', status: 'UncertainLastUsableValue',
    })
    expect(toSample('ua/t', dv({ source: SOURCE, server: SERVER, status: StatusCodes.BadSensorFailure }))).toEqual({
      signal: 'ua/t', ts: SOURCE, serverTs: SERVER, value: null, quality: 'bad', status: 'BadSensorFailure',
    })
  })
})
