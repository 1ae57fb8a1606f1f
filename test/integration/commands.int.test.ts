import mqtt, { type MqttClient } from 'mqtt'
import { DataType, StatusCodes, Variant, type UAObject } from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqliteAuditTrail } from '../../src/adapters/app-db/audit-trail'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import type { AuditRecord } from '../../src/core/ports/audit'
import { contract, events, type Contract, type Events } from '../../src/shared/contract'
import type { AssetAttribute } from '../../src/shared/contract/asset-model'
import type { AppError } from '../../src/shared/model/errors'
import { createRpcClient, type RpcClient } from '../../src/shared/rpc/client'
import { createMemoryPair } from '../../src/shared/rpc/transport'
import { tempDir } from '../fixtures/store/engine'
import { loginAdmin, loginAs, TEST_PASSWORD } from '../helpers/login'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { until } from '../helpers/mqtt-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

/**
 * Commands end to end against real equipment: the simulated plant's OPC UA server (setpoint, Start/Stop and Open/Close
 * methods, its range refusal), a second node-opcua server with a node that clamps what is written (the mismatch), and
 * a real mosquitto (MQTT 5) with a device and a responder in the test (publish verified by report, request/response).
 * Everyone is a real user logged in over the runtime's RPC server (test/helpers/login.ts): the administrator (first-start
 * setup), operators alice and carol, lin2 limited to Line 2, bob (the second person, checked by the users' own
 * CredentialCheck) and the engineer eng. The trail is the runtime's own audit.db.
 */
const files = tempDir('commands-int')
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
let rt: Runtime
let lab: TestServer
let broker: Mosquitto
let device: MqttClient
const LOCK_MS = 4000

type Api = RpcClient<Contract, Events>
/** A client of the runtime's RPC server, from `remote` (what the audit trail names as "from"). */
function connect(remote: string): Api {
  const [a, b] = createMemoryPair()
  rt.rpc.connect(b, { remote })
  return createRpcClient<Contract, Events>(a, { timeoutMs: 20_000 })
}
let admin: Api
let alice: Api
let carol: Api
let line2Only: Api
let engineer: Api
const rejection = async (p: unknown): Promise<AppError> => {
  try {
    await p
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a refusal')
}
const assetId = async (path: string) => (await engineer.call('model.resolve', { path })).asset.id
const read = async (connection: string, nodeId: string) => (await engineer.call('opcua.attributes', { connection, nodeId })).value
const live = async (id: string, name: string) => (await engineer.call('model.live', { ids: [id] })).assets[id]?.find((a) => a.name === name)
/** The runtime's audit.db, read through audit.search as the engineer: every entry after `after`, oldest first. */
async function entries(after = 0, action?: string): Promise<AuditRecord[]> {
  const r = await engineer.call('audit.search', { limit: 1000, ...(action ? { action } : {}) })
  return (r.items as AuditRecord[]).filter((x) => x.id > after).reverse()
}
const lastId = async () => (await engineer.call('audit.search', { limit: 1 })).items[0]?.id ?? 0
const last = async () => (await engineer.call('audit.search', { limit: 1 })).items[0]

/** select then operate, as the dialog does. */
async function run(api: Api, asset: string, attribute: string, command: string, value?: unknown, approval?: { user: string; password: string }) {
  const sel = await api.call('commands.select', { asset, attribute, command })
  return api.call('commands.operate', { token: sel.token, asset, attribute, command, ...(value !== undefined ? { value: value as never } : {}), ...(approval ? { approval } : {}) })
}

beforeAll(async () => {
  lab = await startTestServer({ pkiDir: files.path('lab-pki') })
  // a node that clamps what is written to 0..50 and answers Good: the write "works", the read back differs
  const space = lab.server.engine.addressSpace!
  const tests = space.findNode('ns=1;s=Tests') as UAObject
  /** A Double under Tests whose value the test holds: `read` answers it, `write` (if given) takes a write. */
  const labDouble = (name: string, read: () => number, write?: (v: number) => void) =>
    space.getOwnNamespace().addVariable({
      componentOf: tests,
      browseName: name,
      nodeId: `s=Tests.${name}`,
      dataType: 'Double',
      value: {
        get: () => new Variant({ dataType: DataType.Double, value: read() }),
        ...(write ? { set: (v: Variant) => (write(Number(v.value)), StatusCodes.Good) } : {}),
      },
    })
  let clamped = 10
  labDouble('Clamped', () => clamped, (v) => (clamped = Math.min(50, v)))
  // a dosing method: the amount is the operator's input, the mode fixed in the definition; above 40 the server refuses
  let dosed = 0
  labDouble('Dosed', () => dosed)
  space
    .getOwnNamespace()
    .addMethod(tests, {
      browseName: 'Dose',
      nodeId: 's=Tests.Dose',
      inputArguments: [
        { name: 'Amount', dataType: DataType.Double, valueRank: -1 },
        { name: 'Mode', dataType: DataType.Int16, valueRank: -1 },
      ],
      outputArguments: [],
    })
    .bindMethod(async (args: Variant[], _context: unknown) => {
      const amount = args[0]!.value as number
      if (amount > 40) return { statusCode: StatusCodes.BadOutOfRange }
      dosed = amount * (args[1]!.value as number)
      return { statusCode: StatusCodes.Good, outputArguments: [] }
    })
  broker = await startMosquitto()
  const config = AppConfig.parse({
    demo: { enabled: true, opcuaPort: 0, mqttPort: 0 },
    connections: [
      { id: 'lab', kind: 'opcua', name: 'Lab', endpoint: lab.url, securityMode: 'None', securityPolicy: 'None' },
      { id: 'field', kind: 'mqtt', name: 'Field', url: broker.url, protocol: '5', clientId: 'plantdeck-commands', subscriptions: [{ filter: 'dev/#', qos: 1 }] },
    ],
  })
  rt = await startRuntime({ config, dataDir: files.path('data'), logger: silent, host: 'test', version: '0.0.0-test', validateResults: true, commandLockMs: LOCK_MS, scrypt: TEST_SCRYPT })
  // the administrator sets the first start up from this machine; the others are users it creates, each logged in from its own address
  admin = connect('memory')
  await loginAdmin(admin)
  alice = connect('ws 192.0.2.11')
  await loginAs(alice, 'operator', { admin, user: 'alice' })
  carol = connect('ws 192.0.2.12')
  await loginAs(carol, 'operator', { admin, user: 'carol' })
  line2Only = connect('ws 192.0.2.13')
  await loginAs(line2Only, 'operator', { admin, user: 'lin2', scopes: ['Demo plant/Line2'] })
  engineer = connect('ws 192.0.2.14')
  await loginAs(engineer, 'engineer', { admin, user: 'eng' })
  // bob never logs in here: he is the second person of critical commands, a real user whose password the core checks
  await admin.call('users.create', { name: 'bob', password: 'bob secret password', role: 'operator' })

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
  const top = await engineer.call('model.create', { parent: null, name: 'Lab', kind: 'site' })
  const attrs = (a: AssetAttribute[]) => a
  await engineer.call('model.create', {
    parent: top.id, name: 'Clamp', kind: 'unit',
    attributes: attrs([{ name: 'Value', dataType: 'number', unit: '%', range: { min: 0, max: 100 }, decimals: 1, binding: { kind: 'opcua', connection: 'lab', nodeId: 'ns=1;s=Tests.Clamped' }, commands: [{ id: 'set', label: 'Set', kind: 'setpoint' }] }]),
  })
  // bound to the demo pump's setpoint with a wider range than the server accepts: the server's refusal is the outcome
  await engineer.call('model.create', {
    parent: top.id, name: 'Wide', kind: 'unit',
    attributes: attrs([{ name: 'SP', dataType: 'number', unit: '%', range: { min: 0, max: 150 }, decimals: 1, binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s=Line2.Pump202.SpeedSetpoint' }, commands: [{ id: 'set', label: 'Set', kind: 'setpoint' }] }]),
  })
  const dose = { connection: 'lab', objectId: 'ns=1;s=Tests', methodId: 'ns=1;s=Tests.Dose', args: [{ name: 'Amount', value: '{value}' }, { name: 'Mode', value: 2 }] }
  await engineer.call('model.create', {
    parent: top.id, name: 'Doser', kind: 'unit',
    attributes: attrs([{ name: 'Dosed', dataType: 'number', unit: 'l', range: { min: 0, max: 100 }, decimals: 1, binding: { kind: 'opcua', connection: 'lab', nodeId: 'ns=1;s=Tests.Dosed' }, commands: [{ id: 'dose', label: 'Dose', kind: 'method', input: 'number', limits: { lo: 0, hi: 50 }, target: dose }] }]),
  })
  const publish = (topic: string, more: Record<string, unknown> = {}) => ({ topic, payload: '{"sp":{value}}', ...more })
  await engineer.call('model.create', {
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
  })
  await until(async () => (await engineer.call('connections.list', {})).every((c) => c.health === 'connected'), 30_000, 'every connection up')
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
    const list = await alice.call('commands.list', { asset: pump })
    expect(list.items.map((c) => [c.attribute, c.id, c.enabled])).toEqual([['Running', 'start', true], ['Running', 'stop', true], ['SpeedSetpoint', 'setpoint', true]])
    const sel = await alice.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' })
    expect(sel).toMatchObject({ asset: { path: 'Demo plant/Line1/Pump101' }, current: 70, user: 'alice', command: { limits: { lo: 0, hi: 100 }, maxStep: 25, unit: '%' } })
    const before = await lastId()
    const r = await alice.call('commands.operate', { token: sel.token, asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint', value: 82.5 })
    expect(r).toMatchObject({ outcome: 'success', status: 'Good', readBack: 82.5, previous: 70, value: 82.5, audited: true })
    expect(await read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')).toBe(82.5)
    const trail = await entries(before)
    expect(trail.map((x) => [x.action, x.user, x.from, x.result, x.oldValue, x.newValue])).toEqual([
      ['command.operate', 'alice', 'ws 192.0.2.11', 'ok', 70, 82.5],
      ['command.outcome', 'alice', 'ws 192.0.2.11', 'success', 70, 82.5],
    ])
    expect(trail[0]!.target).toBe('Demo plant/Line1/Pump101/SpeedSetpoint setpoint')
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
    expect(await last()).toMatchObject({ action: 'command.outcome', user: 'alice', result: 'rejected', detail: 'BadOutOfRange' })
  })

  it('a mismatch: a node that clamps what is written answers Good, and the read back says otherwise', async () => {
    const clamp = await assetId('Lab/Clamp')
    const r = await run(alice, clamp, 'Value', 'set', 30)
    expect(r).toMatchObject({ outcome: 'success', readBack: 30 })
    const m = await run(alice, clamp, 'Value', 'set', 80)
    expect(m).toMatchObject({ outcome: 'mismatch', readBack: 50, value: 80, previous: 30 })
    expect(m.status).toMatch(/read back 50/)
  })

  it('a method with an operator-entered argument: the input checked against its limits, sent typed as declared; the server\'s refusal is the outcome', async () => {
    const doser = await assetId('Lab/Doser')
    const ok = await run(alice, doser, 'Dosed', 'dose', 12.5)
    expect(ok).toMatchObject({ outcome: 'success', value: 12.5 })
    expect(await read('lab', 'ns=1;s=Tests.Dosed')).toBe(25) // Amount 12.5 (Double) × Mode 2 (Int16, fixed)
    const refused = await run(alice, doser, 'Dosed', 'dose', 45)
    expect(refused).toMatchObject({ outcome: 'rejected', status: 'BadOutOfRange' })
    expect(await read('lab', 'ns=1;s=Tests.Dosed')).toBe(25)
    // outside the command's limits: refused before anything is sent, the selection kept for a corrected value
    const sel = await alice.call('commands.select', { asset: doser, attribute: 'Dosed', command: 'dose' })
    await expect(alice.call('commands.operate', { token: sel.token, asset: doser, attribute: 'Dosed', command: 'dose', value: 60 })).rejects.toMatchObject({ code: 'command.out_of_range' })
    expect(await alice.call('commands.operate', { token: sel.token, asset: doser, attribute: 'Dosed', command: 'dose', value: 5 })).toMatchObject({ outcome: 'success' })
    expect(await read('lab', 'ns=1;s=Tests.Dosed')).toBe(10)
    expect(await last()).toMatchObject({ action: 'command.outcome', user: 'alice', result: 'success' })
    // definitions where the input goes nowhere, or an argument waits for an input there is none of: refused on save
    const top = await assetId('Lab')
    const target = { connection: 'lab', objectId: 'ns=1;s=Tests', methodId: 'ns=1;s=Tests.Dose', args: [{ value: 1 }, { value: 2 }] }
    const bad = (command: Record<string, unknown>) =>
      engineer.call('model.create', { parent: top, name: 'Bad doser', kind: 'unit', attributes: [{ name: 'Dosed', dataType: 'number', range: { min: 0, max: 100 }, binding: { kind: 'opcua', connection: 'lab', nodeId: 'ns=1;s=Tests.Dosed' }, commands: [{ id: 'd', label: 'D', kind: 'method', ...command }] }] as AssetAttribute[] })
    await expect(bad({ input: 'number', target })).rejects.toMatchObject({ code: 'command.bad_definition', message: expect.stringMatching(/needs an argument whose value is "\{value\}"/) })
    await expect(bad({ target: { ...target, args: [{ value: '{value}' }] } })).rejects.toMatchObject({ code: 'command.bad_definition', message: expect.stringMatching(/takes the operator's input/) })
  })

  it('Start needs a second person (two-person rule); Stop does not; the pump runs and stops on the server', async () => {
    const pump = await assetId('Demo plant/Line1/Pump102')
    expect(await rejection(run(alice, pump, 'Running', 'start'))).toMatchObject({ code: 'command.needs_approval' })
    expect(await rejection(run(alice, pump, 'Running', 'start', undefined, { user: 'bob', password: 'nope' }))).toMatchObject({ code: 'command.bad_approval' })
    expect(await last()).toMatchObject({ action: 'command.operate', user: 'alice', result: 'command.bad_approval' })
    // alice cannot be her own second person
    expect(await rejection(run(alice, pump, 'Running', 'start', undefined, { user: 'alice', password: TEST_PASSWORD }))).toMatchObject({ code: 'command.bad_approval' })
    expect(await read('demo-opcua', 'ns=1;s=Line1.Pump102.Running')).toBe(false)
    const r = await run(alice, pump, 'Running', 'start', undefined, { user: 'bob', password: 'bob secret password' })
    expect(r).toMatchObject({ outcome: 'success', status: 'Good', approvedBy: 'bob' })
    await until(async () => (await read('demo-opcua', 'ns=1;s=Line1.Pump102.Running')) === true, 10_000, 'the pump runs')
    expect((await entries(0, 'command.operate')).at(-1)).toMatchObject({ user: 'alice', result: 'ok', detail: 'Start; approved by bob' })
    expect(await run(alice, pump, 'Running', 'stop')).toMatchObject({ outcome: 'success' })
    await until(async () => (await read('demo-opcua', 'ns=1;s=Line1.Pump102.Running')) === false, 10_000, 'the pump stops')
  })

  it('an interlock refuses Open while the valve is held by an operator command; nothing is sent', async () => {
    const valve = await assetId('Demo plant/Line1/Valve101')
    expect(await run(alice, valve, 'Position', 'close')).toMatchObject({ outcome: 'success' })
    await until(async () => (await live(valve, 'Manual'))?.value === true, 10_000, 'the valve in Manual')
    const list = await alice.call('commands.list', { asset: valve })
    expect(list.items.find((c) => c.id === 'open')).toMatchObject({ enabled: false, blocked: 'interlock', reason: 'the valve may open only in Auto: it is held by an operator command' })
    const before = await lastId()
    expect(await rejection(run(alice, valve, 'Position', 'open'))).toMatchObject({ code: 'command.interlocked' })
    // selected, then refused: no operate entry that went out, no outcome
    expect((await entries(before)).map((r) => [r.action, r.result])).toEqual([['command.select', 'ok'], ['command.operate', 'command.interlocked']])
  })

  it('an operator of Line 2 cannot operate Line 1 (auth.forbidden, audited) but can operate Line 2', async () => {
    const p1 = await assetId('Demo plant/Line1/Pump101')
    expect((await line2Only.call('commands.list', { asset: p1 })).items.every((c) => !c.enabled && c.blocked === 'scope')).toBe(true)
    expect(await rejection(line2Only.call('commands.select', { asset: p1, attribute: 'SpeedSetpoint', command: 'setpoint' }))).toMatchObject({ code: 'auth.forbidden' })
    expect(await last()).toMatchObject({ user: 'lin2', from: 'ws 192.0.2.13', action: 'command.select', result: 'auth.forbidden', target: 'Demo plant/Line1/Pump101/SpeedSetpoint setpoint' })
    const p2 = await assetId('Demo plant/Line2/Pump201')
    const cur = (await line2Only.call('commands.select', { asset: p2, attribute: 'SpeedSetpoint', command: 'setpoint' })).current as number
    await line2Only.call('commands.cancel', { token: 'none' })
    expect(await run(line2Only, p2, 'SpeedSetpoint', 'setpoint', cur - 5)).toMatchObject({ outcome: 'success' })
  })

  it('locks a selected target against a second operator, and a selection expires', async () => {
    const pump = await assetId('Demo plant/Line2/Pump202')
    const sel = await alice.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' })
    expect(await rejection(carol.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }))).toMatchObject({ code: 'command.locked' })
    await until(() => Date.now() > sel.expiresAt, LOCK_MS + 5000, 'the selection expires')
    const r = await rejection(alice.call('commands.operate', { token: sel.token, asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint', value: 70 }))
    expect(r).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/expired/) })
    expect(await read('demo-opcua', 'ns=1;s=Line2.Pump202.SpeedSetpoint')).toBe(75)
    // carol may select it now
    expect((await carol.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' })).user).toBe('carol')
  }, 20_000)

  it('bad input is refused with a stable code and audited, nothing is sent: a replayed token, a locked target, wrong values, another user\'s token, outside the subtree', async () => {
    const pump = await assetId('Demo plant/Line1/Pump101')
    const target = 'Demo plant/Line1/Pump101/SpeedSetpoint setpoint'
    const node = () => read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')
    const start = await node()
    const before = await lastId()
    const op = (api: Api, token: string, value: unknown) => api.call('commands.operate', { token, asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint', value: value as never })
    const sel = await alice.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' })
    expect(await rejection(carol.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }))).toMatchObject({ code: 'command.locked' })
    expect(await rejection(op(carol, sel.token, 60))).toMatchObject({ code: 'command.bad_select' }) // alice's token
    expect(await rejection(op(alice, sel.token, 'fast'))).toMatchObject({ code: 'command.bad_value' })
    expect(await rejection(op(alice, sel.token, 101))).toMatchObject({ code: 'command.out_of_range' })
    expect(await op(alice, sel.token, (start as number) - 2)).toMatchObject({ outcome: 'success' })
    expect(await rejection(op(alice, sel.token, (start as number) - 4))).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/replay/) })
    expect(await rejection(line2Only.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' }))).toMatchObject({ code: 'auth.forbidden' })
    expect(await node()).toBe((start as number) - 2) // only the one that went through
    expect((await entries(before)).map((r) => [r.action, r.user, r.result, r.target, r.newValue ?? null])).toEqual([
      ['command.select', 'alice', 'ok', target, null],
      ['command.select', 'carol', 'command.locked', target, null],
      ['command.operate', 'carol', 'command.bad_select', target, 60],
      ['command.operate', 'alice', 'command.bad_value', target, 'fast'],
      ['command.operate', 'alice', 'command.out_of_range', target, 101],
      ['command.operate', 'alice', 'ok', target, (start as number) - 2],
      ['command.outcome', 'alice', 'success', target, (start as number) - 2],
      ['command.operate', 'alice', 'command.bad_select', target, (start as number) - 4],
      ['command.select', 'lin2', 'auth.forbidden', target, null],
    ])
    // the runtime keeps serving
    expect(await engineer.call('system.ping', { nonce: 'still here' })).toMatchObject({ nonce: 'still here' })
  })

  it('fails closed: when the audit entry cannot be written the command is refused and the node is unchanged on the server', async () => {
    const pump = await assetId('Demo plant/Line1/Pump101')
    const sel = await alice.call('commands.select', { asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint' })
    const before = await read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')
    // the runtime's audit.db may not grow: fill its last page with the smallest entries there are, until one does not fit
    const trail = rt.core.audit as SqliteAuditTrail
    trail.db.pragma(`max_page_count = ${trail.db.pragma('page_count', { simple: true }) as number}`)
    try {
      let full: unknown
      for (let i = 0; i < 500 && !full; i++) await trail.append({ action: 'x', user: null, from: '', result: '' }).catch((e) => (full = e))
      expect(full).toMatchObject({ code: 'audit.write_failed', details: { sqlite: 'SQLITE_FULL' } })
      const kept = trail.count()
      expect(await rejection(alice.call('commands.operate', { token: sel.token, asset: pump, attribute: 'SpeedSetpoint', command: 'setpoint', value: (before as number) - 10 }))).toMatchObject({ code: 'audit.write_failed' })
      expect(trail.count()).toBe(kept)
    } finally {
      trail.db.pragma('max_page_count = 1073741823')
    }
    expect(await read('demo-opcua', 'ns=1;s=Line1.Pump101.SpeedSetpoint')).toBe(before)
    // room again: the chain is whole
    expect(await engineer.call('audit.verify', {})).toMatchObject({ ok: true })
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
    expect((await entries(0, 'command.outcome')).slice(-3).map((r) => r.result)).toEqual(['success', 'rejected', 'timeout'])
  })

  it('refuses while the broker is away (command.not_connected), sends nothing later', async () => {
    const p9 = await assetId('Lab/P9')
    const sel = await alice.call('commands.select', { asset: p9, attribute: 'Speed', command: 'set' })
    await broker.down()
    try {
      await until(async () => (await engineer.call('connections.list', {})).find((c) => c.id === 'field')?.health !== 'connected', 15_000, 'the field connection down')
      expect(await rejection(alice.call('commands.operate', { token: sel.token, asset: p9, attribute: 'Speed', command: 'set', value: 44 }))).toMatchObject({ code: 'command.not_connected' })
    } finally {
      await broker.up()
    }
    await until(async () => (await engineer.call('connections.list', {})).find((c) => c.id === 'field')?.health === 'connected', 30_000, 'the field connection back')
    // the refused value never arrives later
    expect((await live(p9, 'Speed'))?.value).not.toBe(44)
  }, 60_000)
})
