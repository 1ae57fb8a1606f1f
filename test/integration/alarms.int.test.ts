import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataType } from 'node-opcua'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import type { Alarm, EventPayload } from '../../src/shared/contract'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { publisher, until } from '../helpers/mqtt-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { ADMIN_USER, openApi, type Api } from '../helpers/login'

// Alarms through the whole app: a real node-opcua server (a limit crossed by writing the value on the server), a
// real mosquitto (stopped and restarted: comm alarms), the runtime with its SQLite application database; the alarm
// journal is the core's in-memory one until the SQLite adapter lands (branch alarm-journal). Every call goes through
// the runtime's RPC server as a logged-in user: the administrator, and olga, an operator limited to Line 2.

let dir: string
let server: TestServer
let broker: Mosquitto
let pub: MqttClient
let runtime: Runtime
let api: Api
const events: EventPayload<'alarms.changed'>[] = []

const alarm = async (key: string): Promise<Alarm | undefined> => (await api.call('alarms.list', { all: true })).items.find((a) => a.key === key)
const journalOf = async (key: string) => (await api.call('alarms.journal', { limit: 1000 })).items.filter((e) => e.key === key).reverse()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-alarms-'))
  server = await startTestServer({ pkiDir: join(dir, 'server-pki') })
  broker = await startMosquitto()
  pub = await publisher(broker.url)
  const config = AppConfig.parse({
    demo: { enabled: false },
    connections: [
      { id: 'ua', kind: 'opcua', name: 'Test server', endpoint: server.url, securityMode: 'None', securityPolicy: 'None' },
      { id: 'm', kind: 'mqtt', name: 'Broker', url: broker.url, clientId: 'plantdeck-alarms', subscriptions: [{ filter: 'plant/#', qos: 1 }] },
    ],
  })
  runtime = await startRuntime({ config, dataDir: join(dir, 'data'), logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true, scrypt: TEST_SCRYPT })
  api = await openApi(runtime)
  api.on('alarms.changed', (p) => void events.push(p))
  await until(async () => (await api.call('connections.list', {})).every((c) => c.health === 'connected'), 30_000, 'connections up')
}, 90_000)
afterAll(async () => {
  api?.close()
  await runtime?.stop()
  await pub?.endAsync()
  await broker?.stop()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('alarms from live values', () => {
  let tank = ''
  const key = () => `${tank}/Level/hi`

  it('a limit crossed on the server raises the alarm; ack needs the note; back below the deadband it clears; the journal has it in order', async () => {
    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 10 })
    const a = await api.call('model.create',
      {
        parent: null,
        name: 'Tank 1',
        kind: 'tank',
        attributes: [{
          name: 'Level', dataType: 'number', unit: '%', decimals: 1, range: { min: 0, max: 100 }, limits: { hi: 80 },
          binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Double' },
          alarms: [{ id: 'hi', type: 'hi', priority: 'high', message: '{asset} level high: {value} {unit} (limit {limit})', deadband: 2, ackNote: true }],
        }],
      })
    tank = a.id
    await until(async () => (await alarm(key())) !== undefined, 20_000, 'the alarm built from the model')
    expect((await alarm(key()))!.state).toBe('normal')

    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 91.26 })
    await until(async () => (await alarm(key()))?.state === 'unack', 20_000, 'raised')
    const raised = (await alarm(key()))!
    expect(raised).toMatchObject({ active: true, priority: 'high', message: 'Tank 1 level high: 91.3 % (limit 80.0)', occurrence: 1, ackNote: true, path: 'Tank 1' })
    await until(() => events.some((e) => e.items.some((x) => x.key === key() && x.state === 'unack')), 5000, 'pushed to sessions')
    expect(events.find((e) => e.items.some((x) => x.key === key()))!.counts.unack.high).toBeGreaterThanOrEqual(1)

    // an operator limited to another subtree may not act on it
    const olga = await openApi(runtime, { role: 'operator', user: 'olga', scopes: ['Line 2'], admin: api })
    expect(await olga.call('alarms.ack', { keys: [key()], note: 'not mine' })).toEqual({
      done: [],
      refused: [{ key: key(), code: 'auth.forbidden', reason: expect.stringContaining('outside olga') }],
    })
    olga.close()
    const refused = await api.call('alarms.ack', { keys: [key()] })
    expect(refused).toEqual({ done: [], refused: [{ key: key(), code: 'alarms.note_required', reason: expect.any(String) }] })
    expect(await api.call('alarms.ack', { keys: [key()], note: 'operator called the field' })).toEqual({ done: [key()], refused: [] })
    expect((await alarm(key()))!.state).toBe('ack')

    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 79 }) // inside the deadband: still active
    await until(async () => (await alarm(key()))?.value === 79, 20_000, 'value inside the deadband')
    expect((await alarm(key()))!.active).toBe(true)
    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 50 })
    await until(async () => (await alarm(key()))?.state === 'normal', 20_000, 'cleared')

    const journal = await journalOf(key())
    expect(journal.map((e) => [e.event, e.state, e.who, e.note ?? null, e.occurrence])).toEqual([
      ['raise', 'unack', 'system', null, 1],
      ['ack', 'ack', ADMIN_USER, 'operator called the field', 1],
      ['clear', 'normal', 'system', null, 1],
    ])
    expect(journal[0]!.value).toBe(91.26)
    const csv = await api.call('alarms.journalCsv', { asset: tank })
    expect(csv.rows).toBe(3)
    expect(csv.text.split('\n')[0]).toContain('event,state,priority,path')
  })

  it('a definition with a missing setpoint attribute or a deadband larger than the range is refused with its path; the model keeps the rest', async () => {
    const bad = (async () => api.call('model.update', {
      id: tank,
      attributes: [{ name: 'Level', dataType: 'number', range: { min: 0, max: 10 }, limits: { hi: 8 }, alarms: [{ id: 'hi', type: 'hi', priority: 'low', message: 'x', deadband: 11 }] }],
    }))()
    await expect(bad).rejects.toMatchObject({ code: 'alarms.bad_definition', message: expect.stringContaining('attributes[0] (Level).alarms[0] (hi): deadband 11 is larger than the range 0..10') })
    const dev = (async () => api.call('model.update', { id: tank, attributes: [{ name: 'Level', dataType: 'number', alarms: [{ id: 'dev', type: 'deviation', priority: 'low', message: 'x', limit: 5, setpoint: 'SP' }] }] }))()
    await expect(dev).rejects.toMatchObject({ code: 'alarms.bad_definition', message: expect.stringContaining('no attribute "SP"') })
    expect((await api.call('model.get', { id: tank })).attributes[0]!.alarms).toHaveLength(1)
    expect(await alarm(key())).toBeDefined()
  })

  it('a broker outage raises the comm alarm of an MQTT attribute, and it returns to normal unacknowledged when the broker is back', async () => {
    const sensor = await api.call('model.create',
      {
        parent: null,
        name: 'Sensor',
        kind: 'sensor',
        attributes: [{
          name: 'Temp', dataType: 'number', binding: { kind: 'mqtt', connection: 'm', topic: 'plant/sensor', path: 'temp' },
          alarms: [{ id: 'comm', type: 'comm', priority: 'medium', message: '{asset}: no connection to the broker' }],
        }],
      })
    const k = `${sensor.id}/Temp/comm`
    await until(async () => (await alarm(k)) !== undefined, 20_000, 'comm alarm built')
    expect((await alarm(k))!.state).toBe('normal')
    await broker.down()
    await until(async () => (await alarm(k))?.state === 'unack', 30_000, 'comm alarm raised')
    expect((await alarm(key()))!.state).toBe('normal') // the OPC UA attribute's alarm is not touched
    await broker.restart()
    await until(async () => (await alarm(k))?.state === 'rtn_unack', 60_000, 'comm alarm cleared')
    expect((await journalOf(k)).map((e) => e.event)).toEqual(['raise', 'clear'])
    expect(await api.call('alarms.ack', { keys: [k] })).toEqual({ done: [k], refused: [] })
    expect((await alarm(k))!.state).toBe('normal')
  }, 120_000)

  it('shelve and out of service are journaled with who and the reason', async () => {
    expect(await api.call('alarms.shelve', { keys: [key()], reason: 'transmitter replaced', minutes: 30 })).toEqual({ done: [key()], refused: [] })
    expect((await alarm(key()))).toMatchObject({ state: 'shelved', shelveReason: 'transmitter replaced' })
    expect(await api.call('alarms.unshelve', { keys: [key(), 'nope'] })).toMatchObject({ done: [key()], refused: [{ key: 'nope', code: 'alarms.unknown' }] })
    await api.call('alarms.service', { keys: [key()], inService: false, reason: 'maintenance' })
    expect((await alarm(key()))!.state).toBe('out_of_service')
    await api.call('alarms.service', { keys: [key()], inService: true })
    const tail = (await journalOf(key())).slice(-4)
    expect(tail.map((e) => [e.event, e.who, e.note ?? null])).toEqual([
      ['shelve', ADMIN_USER, 'transmitter replaced'],
      ['unshelve', ADMIN_USER, null],
      ['out_of_service', ADMIN_USER, 'maintenance'],
      ['in_service', ADMIN_USER, null],
    ])
    const nuisance = await api.call('alarms.nuisance', {})
    expect(nuisance.top.find((r) => r.key === key())).toMatchObject({ activations: 1 })
  })
})
