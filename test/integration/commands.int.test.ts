import mqtt, { type MqttClient } from 'mqtt'
import { DataType, StatusCodes, Variant, type UAObject } from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import { testPrincipal, testSession } from '../../src/core/testing/call-context'
import { FakeCredentials, MemoryAuditTrail } from '../../src/core/testing/memory-audit'
import type { AssetAttribute } from '../../src/shared/contract/asset-model'
import type { AppError } from '../../src/shared/model/errors'
import type { Principal } from '../../src/shared/model/principal'
import type { CallContext } from '../../src/shared/rpc/server'
import { tempDir } from '../fixtures/store/engine'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { until } from '../helpers/mqtt-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

/**
 * Commands end to end against real equipment: the simulated plant's OPC UA server (setpoint, Start/Stop and Open/Close
 * methods, its range refusal), a second node-opcua server with a node that clamps what is written (the mismatch), and
 * a real mosquitto (MQTT 5) with a device and a responder in the test (publish verified by report, request/response).
 */
const files = tempDir('commands-int')
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
const audit = new MemoryAuditTrail()
const credentials = new FakeCredentials({ bob: { password: 'bob-secret', role: 'operator' } })
let rt: Runtime
let lab: TestServer
let broker: Mosquitto
let device: MqttClient
const LOCK_MS = 4000

const as = (p: Principal): CallContext => ({ session: testSession(7, { principal: p }), principal: p })
const alice = as(testPrincipal('operator', 'alice'))
const carol = as(testPrincipal('operator', 'carol'))
const line2Only = as(testPrincipal('operator', 'lin2', ['Demo plant/Line2']))
const engineer = as(testPrincipal('engineer', 'eng'))
const h = () => rt.core.handlers
const rejection = async (p: unknown): Promise<AppError> => {
  try {
    await p
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a refusal')
}
const assetId = async (path: string) => (await h()['model.resolve']({ path }, engineer)).asset.id
const read = async (connection: string, nodeId: string) => (await h()['opcua.attributes']({ connection, nodeId }, engineer)).value
const live = async (id: string, name: string) => (await h()['model.live']({ ids: [id] }, engineer)).assets[id]?.find((a) => a.name === name)

/** select then operate, as the dialog does. */
async function run(ctx: CallContext, asset: string, attribute: string, command: string, value?: unknown, approval?: { user: string; password: string }) {
  const sel = await h()['commands.select']({ asset, attribute, command }, ctx)
  return h()['commands.operate']({ token: sel.token, asset, attribute, command, ...(value !== undefined ? { value: value as never } : {}), ...(approval ? { approval } : {}) }, ctx)
}

beforeAll(async () => {
  lab = await startTestServer({ pkiDir: files.path('lab-pki') })
  // a node that clamps what is written to 0..50 and answers Good: the write "works", the read back differs
  const space = lab.server.engine.addressSpace!
  let clamped = 10
  space.getOwnNamespace().addVariable({
    componentOf: space.findNode('ns=1;s=Tests') as UAObject,
    browseName: 'Clamped',
    nodeId: 's=Tests.Clamped',
    dataType: 'Double',
    value: {
      get: () => new Variant({ dataType: DataType.Double, value: clamped }),
      set: (v: Variant) => ((clamped = Math.min(50, Number(v.value))), StatusCodes.Good),
    },
  })
  broker = await startMosquitto()
  const config = AppConfig.parse({
    demo: { enabled: true, opcuaPort: 0, mqttPort: 0 },
    connections: [
      { id: 'lab', kind: 'opcua', name: 'Lab', endpoint: lab.url, securityMode: 'None', securityPolicy: 'None' },
      { id: 'field', kind: 'mqtt', name: 'Field', url: broker.url, protocol: '5', clientId: 'plantdeck-commands', subscriptions: [{ filter: 'dev/#', qos: 1 }] },
    ],
  })
  rt = await startRuntime({ config, dataDir: files.path('data'), logger: silent, host: 'test', version: '0.0.0-test', validateResults: true, audit, credentials, commandLockMs: LOCK_MS })

  // the field device: takes a speed on dev/p9/cmd and reports it on dev/p9/state; answers requests on dev/p9/ask
  device = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'device-p9' })
  await device.subscribeAsync(['dev/p9/cmd', 'dev/p9/ask'], { qos: 1 })
  device.on('message', (topic, body, packet) => {
    const sp = (JSON.parse(body.toString()) as { sp: number }).sp
    if (topic === 'dev/p9/cmd') void device.publishAsync('dev/p9/state', JSON.stringify({ sp }), { qos: 1 })
    if (topic === 'dev/p9/ask') {
      const props = packet.properties
      const answer = sp > 90 ? { ok: false, status: 'refused locally: above the pump curve' } : { ok: true, status: 'accepted', value: sp }
      void device.publishAsync(String(props?.responseTopic), JSON.stringify(answer), { qos: 1, properties: { correlationData: props?.correlationData } })
    }
  })

  // equipment of the lab and the field, with commands
  const top = await h()['model.create']({ parent: null, name: 'Lab', kind: 'site' }, engineer)
  const attrs = (a: AssetAttribute[]) => a
  await h()['model.create']({
    parent: top.id, name: 'Clamp', kind: 'unit',
    attributes: attrs([{ name: 'Value', dataType: 'number', unit: '%', range: { min: 0, max: 100 }, decimals: 1, binding: { kind: 'opcua', connection: 'lab', nodeId: 'ns=1;s=Tests.Clamped' }, commands: [{ id: 'set', label: 'Set', kind: 'setpoint' }] }]),
  }, engineer)
  // bound to the demo pump's setpoint with a wider range than the server accepts: the server's refusal is the outcome
  await h()['model.create']({
    parent: top.id, name: 'Wide', kind: 'unit',
    attributes: attrs([{ name: 'SP', dataType: 'number', unit: '%', range: { min: 0, max: 150 }, decimals: 1, binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s=Line2.Pump202.SpeedSetpoint' }, commands: [{ id: 'set', label: 'Set', kind: 'setpoint' }] }]),
  }, engineer)
  const publish = (topic: string, more: Record<string, unknown> = {}) => ({ topic, payload: '{"sp":{value}}', ...more })
  await h()['model.create']({
    parent: top.id, name: 'P9', kind: 'pump',
    attributes: attrs([{
      name: 'Speed', dataType: 'number', unit: '%', range: { min: 0, max: 100 }, decimals: 1, binding: { kind: 'mqtt', connection: 'field', topic: 'dev/p9/state', path: 'sp' },
      commands: [
        { id: 'set', label: 'Set speed', kind: 'publish', input: 'number', verifyTimeoutMs: 5000, target: publish('dev/p9/cmd') },
        { id: 'deaf', label: 'Set (nobody listens)', kind: 'publish', input: 'number', verifyTimeoutMs: 800, target: publish('dev/p9/void') },
        { id: 'ask', label: 'Ask', kind: 'publish', input: 'number', verifyTimeoutMs: 5000, target: publish('dev/p9/ask', { request: {} }) },
        { id: 'ask-nobody', label: 'Ask nobody', kind: 'publish', input: 'number', verifyTimeoutMs: 800, target: publish('dev/p9/nobody', { request: {} }) },
      ],
    }]),
  }, engineer)
  await until(async () => (await h()['connections.list']({}, engineer)).every((c) => c.health === 'connected'), 30_000, 'every connection up')
}, 90_000)

afterAll(async () => {
  await device?.endAsync()
  await rt?.stop()
  await broker?.stop()
  await lab?.stop()
  files.cleanup()
})

describe('commands against the simulated plant (OPC UA)', () => {
  it('speed setpoint: select reads the server, operate writes it with its type, reads it back; the value is on the server; audited in order', async () => {
    const pump = await assetId('Demo plant/Line1/Pump101')
    const list = await h()['commands.list']({ asset: pump }, alice)
    expect(list.items.map((c) => [c.attribute, c.id, c.enabled])).toEqual([['Running', 'start', true], ['Running', 'stop', true], ['SpeedSetpoint', 'setpoint', true]])
    const sel = await h()['commands.select']({ asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }, alice)
    expect(sel).toMatchObject({ asset: { path: 'Demo plant/Line1/Pump101' }, current: 70, user: 'alice', command: { limits: { lo: 0, hi: 100 }, maxStep: 25, unit: '%' } })
    const before = audit.list.length
    const r = await h()['commands.operate']({ token: sel.token, asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint', value: 82.5 }, alice)
    expect(r).toMatchObject({ outcome: 'success', status: 'Good', readBack: 82.5, previous: 70, value: 82.5, audited: true })
    expect(await read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')).toBe(82.5)
    expect(audit.list.slice(before).map((x) => [x.action, x.result, x.oldValue, x.newValue])).toEqual([['command.operate', 'ok', 70, 82.5], ['command.outcome', 'success', 70, 82.5]])
    // a step beyond 25 from the current value is refused before sending
    expect(await rejection(run(alice, pump, 'SpeedSetpoint', 'setpoint', 20))).toMatchObject({ code: 'command.step_too_large' })
    expect(await read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')).toBe(82.5)
  })

  it('a rejected write: the server refuses a value outside its range (BadOutOfRange), the node keeps its value', async () => {
    const wide = await assetId('Lab/Wide')
    const before = await read('demo-opcua', 'ns=1;s=Line2.Pump202.SpeedSetpoint')
    const r = await run(alice, wide, 'SP', 'set', 120)
    expect(r).toMatchObject({ outcome: 'rejected', status: 'BadOutOfRange' })
    expect(await read('demo-opcua', 'ns=1;s=Line2.Pump202.SpeedSetpoint')).toBe(before)
    expect(audit.list.at(-1)).toMatchObject({ action: 'command.outcome', result: 'rejected', detail: 'BadOutOfRange' })
  })

  it('a mismatch: a node that clamps what is written answers Good, and the read back says otherwise', async () => {
    const clamp = await assetId('Lab/Clamp')
    const r = await run(alice, clamp, 'Value', 'set', 30)
    expect(r).toMatchObject({ outcome: 'success', readBack: 30 })
    const m = await run(alice, clamp, 'Value', 'set', 80)
    expect(m).toMatchObject({ outcome: 'mismatch', readBack: 50, value: 80, previous: 30 })
    expect(m.status).toMatch(/read back 50/)
  })

  it('Start needs a second person (two-person rule); Stop does not; the pump runs and stops on the server', async () => {
    const pump = await assetId('Demo plant/Line1/Pump102')
    expect(await rejection(run(alice, pump, 'Running', 'start'))).toMatchObject({ code: 'command.needs_approval' })
    expect(await rejection(run(alice, pump, 'Running', 'start', undefined, { user: 'bob', password: 'nope' }))).toMatchObject({ code: 'command.bad_approval' })
    expect(await read('demo-opcua', 'ns=1;s=Line1.Pump102.Running')).toBe(false)
    const r = await run(alice, pump, 'Running', 'start', undefined, { user: 'bob', password: 'bob-secret' })
    expect(r).toMatchObject({ outcome: 'success', status: 'Good', approvedBy: 'bob' })
    await until(async () => (await read('demo-opcua', 'ns=1;s=Line1.Pump102.Running')) === true, 10_000, 'the pump runs')
    expect(audit.of('command.operate').at(-1)).toMatchObject({ user: 'alice', detail: 'Start; approved by bob' })
    expect(await run(alice, pump, 'Running', 'stop')).toMatchObject({ outcome: 'success' })
    await until(async () => (await read('demo-opcua', 'ns=1;s=Line1.Pump102.Running')) === false, 10_000, 'the pump stops')
  })

  it('an interlock refuses Open while the valve is held by an operator command; nothing is sent', async () => {
    const valve = await assetId('Demo plant/Line1/Valve101')
    expect(await run(alice, valve, 'Position', 'close')).toMatchObject({ outcome: 'success' })
    await until(async () => (await live(valve, 'Manual'))?.value === true, 10_000, 'the valve in Manual')
    const list = await h()['commands.list']({ asset: valve }, alice)
    expect(list.items.find((c) => c.id === 'open')).toMatchObject({ enabled: false, blocked: 'interlock', reason: 'the valve may open only in Auto: it is held by an operator command' })
    const sends = audit.of('command.operate').filter((r) => r.result === 'ok').length
    expect(await rejection(run(alice, valve, 'Position', 'open'))).toMatchObject({ code: 'command.interlocked' })
    expect(audit.of('command.operate').filter((r) => r.result === 'ok')).toHaveLength(sends)
    expect(audit.list.at(-1)).toMatchObject({ action: 'command.operate', result: 'command.interlocked' })
  })

  it('an operator of Line 2 cannot operate Line 1 (auth.forbidden, audited) but can operate Line 2', async () => {
    const p1 = await assetId('Demo plant/Line1/Pump101')
    expect((await h()['commands.list']({ asset: p1 }, line2Only)).items.every((c) => !c.enabled && c.blocked === 'scope')).toBe(true)
    expect(await rejection(h()['commands.select']({ asset: p1, attribute: 'SpeedSetpoint', command: 'setpoint' }, line2Only))).toMatchObject({ code: 'auth.forbidden' })
    expect(audit.list.at(-1)).toMatchObject({ user: 'lin2', action: 'command.select', result: 'auth.forbidden', target: 'Demo plant/Line1/Pump101/SpeedSetpoint setpoint' })
    const p2 = await assetId('Demo plant/Line2/Pump201')
    const cur = (await h()['commands.select']({ asset: p2, attribute: 'SpeedSetpoint', command: 'setpoint' }, line2Only)).current as number
    await h()['commands.cancel']({ token: 'none' }, line2Only)
    expect(await run(line2Only, p2, 'SpeedSetpoint', 'setpoint', cur - 5)).toMatchObject({ outcome: 'success' })
  })

  it('locks a selected target against a second operator, and a selection expires', async () => {
    const pump = await assetId('Demo plant/Line2/Pump202')
    const sel = await h()['commands.select']({ asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }, alice)
    expect(await rejection(h()['commands.select']({ asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }, carol))).toMatchObject({ code: 'command.locked' })
    await until(() => Date.now() > sel.expiresAt, LOCK_MS + 5000, 'the selection expires')
    const r = await rejection(h()['commands.operate']({ token: sel.token, asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint', value: 70 }, alice))
    expect(r).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/expired/) })
    expect(await read('demo-opcua', 'ns=1;s=Line2.Pump202.SpeedSetpoint')).toBe(75)
    // carol may select it now
    expect((await h()['commands.select']({ asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }, carol)).user).toBe('carol')
  }, 20_000)

  it('fails closed: when the audit entry cannot be written the command is refused and the node is unchanged on the server', async () => {
    const pump = await assetId('Demo plant/Line1/Pump101')
    const sel = await h()['commands.select']({ asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }, alice)
    const before = await read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')
    audit.failing = true
    try {
      expect(await rejection(h()['commands.operate']({ token: sel.token, asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint', value: (before as number) - 10 }, alice))).toMatchObject({ code: 'audit.write_failed' })
    } finally {
      audit.failing = false
    }
    expect(await read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')).toBe(before)
  })
})

describe('commands against a real mosquitto (MQTT 5)', () => {
  it('publish, verified by the device reporting the value on the bound signal', async () => {
    const p9 = await assetId('Lab/P9')
    const r = await run(alice, p9, 'Speed', 'set', 42)
    expect(r).toMatchObject({ outcome: 'success', readBack: 42 })
    expect((await live(p9, 'Speed'))?.value).toBe(42)
  })

  it('a timeout when the device does not report back; never "probably fine"', async () => {
    const p9 = await assetId('Lab/P9')
    expect(await run(alice, p9, 'Speed', 'deaf', 43)).toMatchObject({ outcome: 'timeout', status: expect.stringMatching(/no report on the attribute within 800 ms/) })
  })

  it('request/response with correlation data: the device\'s answer is the outcome (success, rejected with its status, timeout)', async () => {
    const p9 = await assetId('Lab/P9')
    expect(await run(alice, p9, 'Speed', 'ask', 55)).toMatchObject({ outcome: 'success', status: 'accepted', readBack: 55 })
    expect(await run(alice, p9, 'Speed', 'ask', 95)).toMatchObject({ outcome: 'rejected', status: 'refused locally: above the pump curve' })
    expect(await run(alice, p9, 'Speed', 'ask-nobody', 50)).toMatchObject({ outcome: 'timeout' })
    expect(audit.of('command.outcome').slice(-3).map((r) => r.result)).toEqual(['success', 'rejected', 'timeout'])
  })

  it('refuses while the broker is away (command.not_connected), sends nothing later', async () => {
    const p9 = await assetId('Lab/P9')
    const sel = await h()['commands.select']({ asset: p9, attribute: 'Speed', command: 'set' }, alice)
    await broker.down()
    try {
      await until(async () => (await h()['connections.list']({}, engineer)).find((c) => c.id === 'field')?.health !== 'connected', 15_000, 'the field connection down')
      expect(await rejection(h()['commands.operate']({ token: sel.token, asset: p9, attribute: 'Speed', command: 'set', value: 44 }, alice))).toMatchObject({ code: 'command.not_connected' })
    } finally {
      await broker.up()
    }
    await until(async () => (await h()['connections.list']({}, engineer)).find((c) => c.id === 'field')?.health === 'connected', 30_000, 'the field connection back')
    // the refused value never arrives later
    expect((await live(p9, 'Speed'))?.value).not.toBe(44)
  }, 60_000)
})
