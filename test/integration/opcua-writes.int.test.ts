import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/core/ports/logger'
import { startDemoPlant, type DemoPlant } from '../../src/demo/start-demo'
import type { AppError } from '../../src/shared/model'
import { startHarness, tempDir, until, type Harness } from '../helpers/opcua-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

const tmp = tempDir('plantdeck-opcua-writes-')
let server: TestServer
let h: Harness
beforeAll(async () => {
  server = await startTestServer({ pkiDir: `${tmp.dir}/server` })
  h = await startHarness({ id: 'ua', kind: 'opcua', name: 'Test', endpoint: server.url, securityMode: 'None', securityPolicy: 'None' }, `${tmp.dir}/client`)
  await until(() => h.states.at(-1)?.health === 'connected', 'connected')
})
afterAll(async () => {
  await h?.stop()
  await server?.stop()
  tmp.remove()
})

const rejection = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a rejection')
}

describe('typed OPC UA writes and method calls', () => {
  const write = (name: string, value: Parameters<Harness['api']['call']>[1] extends never ? never : unknown) =>
    h.api.call('opcua.write', { connection: 'ua', nodeId: `ns=1;s=Tests.${name}`, value: value as never })
  const read = async (name: string) => (await h.api.call('opcua.attributes', { connection: 'ua', nodeId: `ns=1;s=Tests.${name}` })).value

  it('writes every built-in type with the node\'s real DataType and reads it back', async () => {
    const cases: [string, unknown, unknown][] = [
      ['Bool', true, true],
      ['SByte', -128, -128],
      ['Byte', 255, 255],
      ['Int16', -32768, -32768],
      ['UInt16', 65535, 65535],
      ['Int32', -2147483648, -2147483648],
      ['UInt32', 4294967295, 4294967295],
      ['Float', 1.5, 1.5],
      ['Double', Math.PI, Math.PI],
      ['Text', 'héllo', 'héllo'],
      ['When', '2024-05-01T12:00:00.000Z', Date.parse('2024-05-01T12:00:00.000Z')],
      ['DoubleArray', [1, 2, 3.5], [1, 2, 3.5]],
      ['State', 'Suspended', 3], // enumeration by member name
      ['State', 0, 0],
    ]
    for (const [name, value, back] of cases) {
      expect(await write(name, value), name).toMatchObject({ ok: true, status: 'Good' })
      expect(await read(name), name).toEqual(back)
    }
    expect(await write('Int64', '-9007199254740993')).toMatchObject({ ok: true })
    expect(await read('Int64')).toBe('-9007199254740993') // beyond 2^53: kept exact as text
    expect(await write('UInt64', 4294967296)).toMatchObject({ ok: true })
    expect(await read('UInt64')).toBe(4294967296)
  })

  it('refuses out-of-range and wrong-type values before sending them', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['SByte', -129, /out of range for SByte \(-128\.\.127\)/],
      ['Byte', 1.5, /not a valid Byte \(an integer\)/],
      ['UInt16', -1, /out of range for UInt16/],
      ['UInt32', 4294967296, /out of range for UInt32/],
      ['Int64', '9223372036854775808', /out of range for Int64/],
      ['Float', 1e39, /out of range for Float/],
      ['Double', 'fast', /not a valid Double/],
      ['Bool', 1, /not a valid Boolean \(true or false\)/],
      ['Text', 42, /not a valid String/],
      ['When', 'yesterday', /not a valid DateTime/],
      ['DoubleArray', 3, /is an array, got a single value/],
      ['Double', [1, 2], /is a scalar, got an array/],
      ['State', 99, /members: 0=Running/],
      ['State', null, /a value is required/],
    ]
    for (const [name, value, message] of cases) {
      const e = await rejection(write(name, value))
      expect(e.code, name).toBe('opcua.bad_value')
      expect(e.message, name).toMatch(message)
    }
  })

  it('calls a method with typed input arguments and returns its outputs', async () => {
    const ok = await h.api.call('opcua.call', { connection: 'ua', objectId: 'ns=1;s=Tests', methodId: 'ns=1;s=Tests.Scale', args: [2.5, 4] })
    expect(ok).toMatchObject({ ok: true, status: 'Good', outputs: [10] })
    const wrongType = await rejection(h.api.call('opcua.call', { connection: 'ua', objectId: 'ns=1;s=Tests', methodId: 'ns=1;s=Tests.Scale', args: [2.5, 1e6] }))
    expect(wrongType).toMatchObject({ code: 'opcua.bad_value' })
    expect(wrongType.message).toMatch(/Factor: 1000000 is out of range for Int16/)
    const wrongCount = await rejection(h.api.call('opcua.call', { connection: 'ua', objectId: 'ns=1;s=Tests', methodId: 'ns=1;s=Tests.Scale', args: [1] }))
    expect(wrongCount.message).toMatch(/takes 2 argument\(s\) \(Value, Factor\), got 1/)
    const notMethod = await h.api.call('opcua.call', { connection: 'ua', objectId: 'ns=1;s=Tests', methodId: 'ns=1;s=Tests.Nope', args: [] })
    expect(notMethod).toMatchObject({ ok: false, status: expect.stringMatching(/^Bad(MethodInvalid|NodeIdUnknown)$/), message: expect.any(String) })
  })
})

describe('monitoring parameters', () => {
  it('applies an absolute deadband; a percent deadband on a node without EURange is reported as refused', async () => {
    const base = { kind: 'opcua', name: 'Deadband', endpoint: server.url, samplingIntervalMs: 50, securityMode: 'None', securityPolicy: 'None' }
    const counter = [{ id: 'db/counter', name: 'Counter', nodeId: 'ns=1;s=Tests.Counter' }]
    const abs = await startHarness({ ...base, id: 'db', monitoring: { deadband: { type: 'absolute', value: 5 } }, signals: counter }, `${tmp.dir}/client-db`)
    const pct = await startHarness({ ...base, id: 'dp', monitoring: { deadband: { type: 'percent', value: 10 } }, signals: [{ ...counter[0]!, id: 'dp/counter' }] }, `${tmp.dir}/client-dp`)
    try {
      await until(() => abs.samples.filter((s) => s.quality === 'good').length >= 4, 'values through the deadband')
      const values = abs.samples.filter((s) => s.quality === 'good').map((s) => s.value as number)
      // the counter steps by 1 every 100 ms: with a deadband of 5, consecutive reported values differ by more than 5
      for (let i = 1; i < values.length; i++) expect(values[i]! - values[i - 1]!).toBeGreaterThan(5)
      await until(() => pct.states.at(-1)?.health === 'degraded', 'percent deadband refused')
      const { failed } = await pct.api.call('opcua.failures', { connection: 'dp' })
      expect(failed).toEqual([{ signal: 'dp/counter', nodeId: 'ns=1;s=Tests.Counter', status: expect.stringMatching(/^Bad/) }])
    } finally {
      await abs.stop()
      await pct.stop()
    }
  })
})

describe('writes and methods against the demo plant', () => {
  let demo: DemoPlant
  let d: Harness
  beforeAll(async () => {
    demo = await startDemoPlant({ opcuaPort: 0, mqttPort: 0, pkiDir: `${tmp.dir}/demo`, logger: silentLogger })
    const ua = demo.config.connections.find((c) => c.kind === 'opcua')!
    // The demo is a local simulation: the test asks for an unsecured channel in so many words.
    d = await startHarness({ ...ua, securityMode: 'None', securityPolicy: 'None' }, `${tmp.dir}/client-demo`)
    await until(() => d.states.at(-1)?.health === 'connected', 'connected to the demo plant')
  })
  afterAll(async () => {
    await d?.stop()
    await demo?.stop()
  })

  it('writes the pump speed setpoint as a Double; out of range is refused by the plant with a readable status', async () => {
    const id = d.collector.id
    const ok = await d.collector.write({ signal: `${id}/Line1.Pump101.SpeedSetpoint`, value: 42.5 })
    expect(ok).toEqual({ ok: true, status: 'Good' })
    const attrs = await d.api.call('opcua.attributes', { connection: id, nodeId: 'ns=1;s=Line1.Pump101.SpeedSetpoint' })
    expect(attrs).toMatchObject({ dataType: 'Double', value: 42.5, engineeringUnits: '%', euRange: [0, 100] })
    expect(attrs.accessLevel).toContain('write')
    const refused = await d.collector.write({ signal: `${id}/Line1.Pump101.SpeedSetpoint`, value: 150 })
    expect(refused.ok).toBe(false)
    expect(refused.status).toMatch(/^BadOutOfRange/)
    const wrongType = await d.collector.write({ signal: `${id}/Line1.Pump101.SpeedSetpoint`, value: 'fast' })
    expect(wrongType).toMatchObject({ ok: false })
    expect(wrongType.status).toMatch(/not a valid Double/)
    expect(await d.collector.write({ signal: `${id}/Line1.Pump101.Speed`, value: 1 })).toEqual({ ok: false, status: 'signal is not writable' })
  })

  it('stops and starts the pump with its methods', async () => {
    const id = d.collector.id
    const call = (m: 'Start' | 'Stop') => d.api.call('opcua.call', { connection: id, objectId: 'ns=1;s=Line1.Pump101', methodId: `ns=1;s=Line1.Pump101.${m}`, args: [] })
    expect(await call('Stop')).toMatchObject({ ok: true, status: 'Good', outputs: [] })
    await until(() => d.samples.some((s) => s.signal === `${id}/Line1.Pump101.Running` && s.value === false), 'pump stopped')
    const started = await call('Start')
    // An interlock (e.g. an empty suction tank) may forbid the start: then the status says so in words.
    if (started.ok) await until(() => d.samples.some((s) => s.signal === `${id}/Line1.Pump101.Running` && s.value === true), 'pump running')
    else expect(started).toMatchObject({ status: 'BadInvalidState', message: expect.any(String) })
    const extra = await rejection(d.api.call('opcua.call', { connection: id, objectId: 'ns=1;s=Line1.Pump101', methodId: 'ns=1;s=Line1.Pump101.Start', args: [1] }))
    expect(extra.message).toMatch(/takes 0 argument/)
  })
})
