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
import type { Session } from '../../src/shared/rpc/server'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { publisher, until } from '../helpers/mqtt-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'
import { callAs, testPrincipal, testSession } from '../../src/core/testing/call-context'

// Alarms through the whole app: a real node-opcua server (a limit crossed by writing the value on the server), a
// real mosquitto (stopped and restarted: comm alarms), the runtime with its SQLite application database; the alarm
// journal is the core's in-memory one until the SQLite adapter lands (branch alarm-journal).

const session = testSession(7)
const ctx = callAs(session)
let dir: string
let server: TestServer
let broker: Mosquitto
let pub: MqttClient
let runtime: Runtime
const events: EventPayload<'alarms.changed'>[] = []

const h = () => runtime.core.handlers
const alarm = async (key: string): Promise<Alarm | undefined> => (await h()['alarms.list']({ all: true }, ctx)).items.find((a) => a.key === key)
const journalOf = async (key: string) => (await h()['alarms.journal']({ limit: 1000 }, ctx)).items.filter((e) => e.key === key).reverse()

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
  runtime = await startRuntime({ config, dataDir: join(dir, 'data'), logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true })
  runtime.core.onBroadcast((e, p) => {
    if (e === 'alarms.changed') events.push(p as EventPayload<'alarms.changed'>)
  })
  await until(async () => (await h()['connections.list']({}, ctx)).every((c) => c.health === 'connected'), 30_000, 'connections up')
}, 90_000)
afterAll(async () => {
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
    const a = await h()['model.create'](
      {
        parent: null,
        name: 'Tank 1',
        kind: 'tank',
        attributes: [{
          name: 'Level', dataType: 'number', unit: '%', decimals: 1, range: { min: 0, max: 100 }, limits: { hi: 80 },
          binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Double' },
          alarms: [{ id: 'hi', type: 'hi', priority: 'high', message: '{asset} level high: {value} {unit} (limit {limit})', deadband: 2, ackNote: true }],
        }],
      },
      ctx,
    )
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
    const elsewhere = testSession(8, { principal: testPrincipal('operator', 'olga', ['Line 2']) })
    expect(await h()['alarms.ack']({ keys: [key()], note: 'not mine' }, { session: elsewhere, principal: elsewhere.principal })).toEqual({
      done: [],
      refused: [{ key: key(), code: 'auth.forbidden', reason: expect.stringContaining('outside olga') }],
    })
    const refused = await h()['alarms.ack']({ keys: [key()] }, ctx)
    expect(refused).toEqual({ done: [], refused: [{ key: key(), code: 'alarms.note_required', reason: expect.any(String) }] })
    expect(await h()['alarms.ack']({ keys: [key()], note: 'operator called the field' }, ctx)).toEqual({ done: [key()], refused: [] })
    expect((await alarm(key()))!.state).toBe('ack')

    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 79 }) // inside the deadband: still active
    await until(async () => (await alarm(key()))?.value === 79, 20_000, 'value inside the deadband')
    expect((await alarm(key()))!.active).toBe(true)
    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 50 })
    await until(async () => (await alarm(key()))?.state === 'normal', 20_000, 'cleared')

    const journal = await journalOf(key())
    expect(journal.map((e) => [e.event, e.state, e.who, e.note ?? null, e.occurrence])).toEqual([
      ['raise', 'unack', 'system', null, 1],
      ['ack', 'ack', 'test-engineer', 'operator called the field', 1],
      ['clear', 'normal', 'system', null, 1],
    ])
    expect(journal[0]!.value).toBe(91.26)
    const csv = await h()['alarms.journalCsv']({ asset: tank }, ctx)
    expect(csv.rows).toBe(3)
    expect(csv.text.split('\n')[0]).toContain('event,state,priority,path')
  })

  it('a definition with a missing setpoint attribute or a deadband larger than the range is refused with its path; the model keeps the rest', async () => {
    const bad = (async () => h()['model.update']({
      id: tank,
      attributes: [{ name: 'Level', dataType: 'number', range: { min: 0, max: 10 }, limits: { hi: 8 }, alarms: [{ id: 'hi', type: 'hi', priority: 'low', message: 'x', deadband: 11 }] }],
    }, ctx))()
    await expect(bad).rejects.toMatchObject({ code: 'alarms.bad_definition', message: expect.stringContaining('attributes[0] (Level).alarms[0] (hi): deadband 11 is larger than the range 0..10') })
    const dev = (async () => h()['model.update']({ id: tank, attributes: [{ name: 'Level', dataType: 'number', alarms: [{ id: 'dev', type: 'deviation', priority: 'low', message: 'x', limit: 5, setpoint: 'SP' }] }] }, ctx))()
    await expect(dev).rejects.toMatchObject({ code: 'alarms.bad_definition', message: expect.stringContaining('no attribute "SP"') })
    expect((await h()['model.get']({ id: tank }, ctx)).attributes[0]!.alarms).toHaveLength(1)
    expect(await alarm(key())).toBeDefined()
  })

  it('a broker outage raises the comm alarm of an MQTT attribute, and it returns to normal unacknowledged when the broker is back', async () => {
    const sensor = await h()['model.create'](
      {
        parent: null,
        name: 'Sensor',
        kind: 'sensor',
        attributes: [{
          name: 'Temp', dataType: 'number', binding: { kind: 'mqtt', connection: 'm', topic: 'plant/sensor', path: 'temp' },
          alarms: [{ id: 'comm', type: 'comm', priority: 'medium', message: '{asset}: no connection to the broker' }],
        }],
      },
      ctx,
    )
    const k = `${sensor.id}/Temp/comm`
    await until(async () => (await alarm(k)) !== undefined, 20_000, 'comm alarm built')
    expect((await alarm(k))!.state).toBe('normal')
    await broker.down()
    await until(async () => (await alarm(k))?.state === 'unack', 30_000, 'comm alarm raised')
    expect((await alarm(key()))!.state).toBe('normal') // the OPC UA attribute's alarm is not touched
    await broker.restart()
    await until(async () => (await alarm(k))?.state === 'rtn_unack', 60_000, 'comm alarm cleared')
    expect((await journalOf(k)).map((e) => e.event)).toEqual(['raise', 'clear'])
    expect(await h()['alarms.ack']({ keys: [k] }, ctx)).toEqual({ done: [k], refused: [] })
    expect((await alarm(k))!.state).toBe('normal')
  }, 120_000)

  it('shelve and out of service are journaled with who and the reason', async () => {
    expect(await h()['alarms.shelve']({ keys: [key()], reason: 'transmitter replaced', minutes: 30 }, ctx)).toEqual({ done: [key()], refused: [] })
    expect((await alarm(key()))).toMatchObject({ state: 'shelved', shelveReason: 'transmitter replaced' })
    expect(await h()['alarms.unshelve']({ keys: [key(), 'nope'] }, ctx)).toMatchObject({ done: [key()], refused: [{ key: 'nope', code: 'alarms.unknown' }] })
    await h()['alarms.service']({ keys: [key()], inService: false, reason: 'maintenance' }, ctx)
    expect((await alarm(key()))!.state).toBe('out_of_service')
    await h()['alarms.service']({ keys: [key()], inService: true }, ctx)
    const tail = (await journalOf(key())).slice(-4)
    expect(tail.map((e) => [e.event, e.who, e.note ?? null])).toEqual([
      ['shelve', 'test-engineer', 'transmitter replaced'],
      ['unshelve', 'test-engineer', null],
      ['out_of_service', 'test-engineer', 'maintenance'],
      ['in_service', 'test-engineer', null],
    ])
    const nuisance = await h()['alarms.nuisance']({}, ctx)
    expect(nuisance.top.find((r) => r.key === key())).toMatchObject({ activations: 1 })
  })
})
