import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAlarmStateStore } from '../../src/adapters/app-db/alarm-state'
import { migrate } from '../../src/adapters/app-db/migrations'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import type { AlarmStateRecord } from '../../src/core/alarms/ports'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import type { Alarm } from '../../src/shared/contract'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi, type Api } from '../helpers/login'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { publisher, until } from '../helpers/mqtt-harness'

// Alarm states survive a restart: the runtime with its application database (app.db) and a real mosquitto; alarms
// are raised from published values, acknowledged, shelved, taken out of service and left returned-unacknowledged,
// then the runtime stops and a new one starts on the same data directory.

let dir: string
let broker: Mosquitto
let pub: MqttClient
let runtime: Runtime | undefined
/** The administrator, logged in over the runtime's RPC server (again after the restart). */
let api: Api

const config = () =>
  AppConfig.parse({
    demo: { enabled: false },
    connections: [{ id: 'm', kind: 'mqtt', name: 'Broker', url: broker.url, clientId: 'plantdeck-alarm-state', subscriptions: [{ filter: 'plant/#', qos: 1 }] }],
  })
const start = async () => {
  runtime = await startRuntime({ config: config(), dataDir: join(dir, 'data'), logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true, scrypt: TEST_SCRYPT })
  api = await openApi(runtime)
  await until(async () => (await api.call('connections.list', {})).every((c) => c.health === 'connected'), 30_000, 'connection up')
}
const list = async (): Promise<Alarm[]> => (await api.call('alarms.list', { all: true })).items
const alarm = async (key: string) => (await list()).find((a) => a.key === key)
const send = (attr: string, v: number) => pub.publishAsync(`plant/tank/${attr}`, JSON.stringify({ v }), { qos: 1 })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-alarm-state-'))
  broker = await startMosquitto()
  pub = await publisher(broker.url)
  await start()
}, 60_000)
afterAll(async () => {
  api?.close()
  await runtime?.stop()
  await pub?.endAsync()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('alarm states kept in app.db across a restart', () => {
  it('acknowledged, shelved (with its expiry), out of service and returned-unacknowledged alarms come back as they were; a value still high stays the same occurrence', async () => {
    const attr = (name: string) => ({
      name,
      dataType: 'number' as const,
      limits: { hi: 80 },
      binding: { kind: 'mqtt', connection: 'm', topic: `plant/tank/${name}`, path: 'v' },
      alarms: [{ id: 'hi', type: 'hi' as const, priority: 'high' as const, message: '{attribute} high: {value}' }],
    })
    const a = await api.call('model.create', { parent: null, name: 'Tank', kind: 'tank', attributes: ['A', 'B', 'C', 'D', 'E'].map(attr) })
    const key = (n: string) => `${a.id}/${n}/hi`
    await until(async () => (await list()).length === 5, 20_000, 'alarms built')
    for (const n of ['A', 'B', 'C', 'D', 'E']) await send(n, 90)
    await until(async () => (await list()).every((x) => x.state === 'unack'), 20_000, 'all five raised')
    expect(await api.call('alarms.ack', { keys: [key('A')], note: 'seen' })).toEqual({ done: [key('A')], refused: [] })
    expect((await api.call('alarms.shelve', { keys: [key('B')], reason: 'sensor work', minutes: 30 })).done).toEqual([key('B')])
    expect((await api.call('alarms.service', { keys: [key('C')], inService: false, reason: 'maintenance' })).done).toEqual([key('C')])
    await send('D', 10)
    await until(async () => (await alarm(key('D')))?.state === 'rtn_unack', 20_000, 'D returned unacknowledged')
    // E stays unack
    const before = new Map((await list()).map((x) => [x.key, x]))
    expect([...before.values()].map((x) => [x.attribute, x.state, x.occurrence]).sort()).toEqual([
      ['A', 'ack', 1],
      ['B', 'shelved', 1],
      ['C', 'out_of_service', 1],
      ['D', 'rtn_unack', 1],
      ['E', 'unack', 1],
    ])
    const shelvedUntil = before.get(key('B'))!.shelvedUntil!
    expect(shelvedUntil).toBeGreaterThan(Date.now())
    const journalBefore = (await api.call('alarms.journal', { limit: 1000 })).items.length

    api.close()
    await runtime!.stop()
    runtime = undefined
    // what the file holds, read by another connection
    const file = new Database(join(dir, 'data', 'app.db'), { readonly: true })
    expect(file.prepare('SELECT key, state FROM alarm_state ORDER BY key').all()).toEqual(['A', 'B', 'C', 'D', 'E'].map((n) => ({ key: key(n), state: before.get(key(n))!.state })))
    file.close()

    await start()
    // before any new value: every state as it was, the shelve with its expiry and reason
    const after = new Map((await list()).map((x) => [x.key, x]))
    for (const n of ['A', 'B', 'C', 'D', 'E']) {
      const b = before.get(key(n))!
      expect(after.get(key(n)), n).toMatchObject({ state: b.state, active: b.active, occurrence: b.occurrence, raisedAt: b.raisedAt, message: b.message })
    }
    expect(after.get(key('B'))).toMatchObject({ shelvedUntil, shelveReason: 'sensor work' })

    // A still beyond its limit: the same occurrence, still acknowledged; E back to normal returns unacknowledged
    await send('A', 95)
    await send('E', 10)
    await until(async () => (await alarm(key('A')))?.value === 95 && (await alarm(key('E')))?.state === 'rtn_unack', 20_000, 'new values judged')
    expect(await alarm(key('A'))).toMatchObject({ state: 'ack', active: true, occurrence: 1 })
    // the acknowledgements still count: D's ack completes it; A can not be acknowledged twice
    expect(await api.call('alarms.ack', { keys: [key('D'), key('A')] })).toEqual({ done: [key('D')], refused: [{ key: key('A'), code: 'alarms.nothing_to_ack', reason: expect.any(String) }] })
    expect((await alarm(key('D')))!.state).toBe('normal')
    const journal = (await api.call('alarms.journal', { limit: 1000 })).items
    // since the restart: E's clear and D's ack, and no raise again
    expect(journal.slice(0, journal.length - journalBefore).map((e) => [e.attribute, e.event, e.state, e.occurrence]).reverse()).toEqual([
      ['E', 'clear', 'rtn_unack', 1],
      ['D', 'ack', 'normal', 1],
    ])
  }, 120_000)
})

describe('SqliteAlarmStateStore (alarm_state in a real SQLite file)', () => {
  const rec = (key: string, o: Partial<AlarmStateRecord> = {}): AlarmStateRecord => ({
    key, state: 'unack', active: true, acked: false, latchedClear: false, occurrence: 2, raisedAt: 1000, changedAt: 1000, suppressed: false, outOfService: false, message: 'm', ...o,
  })
  it('round-trips every field, replaces per key, deletes removed keys in the same call; after a file swap it asks for every alarm and replaces the file\'s rows whole', () => {
    const open = (name: string) => {
      const db = new Database(join(dir, name))
      migrate(db)
      return db
    }
    let db = open('state-a.db')
    const store = createAlarmStateStore(() => db)
    expect(store.load()).toEqual([])
    const shelved = rec('a/T/hi', { state: 'shelved', acked: true, shelvedUntil: 5000, shelveReason: 'work', value: 91.5, message: 'T high: "91.5"' })
    store.save([shelved, rec('b/T/hi', { value: true }), rec('c/T/hi', { value: 'Tripped', latchedClear: true, state: 'ack', acked: true, active: false, raisedAt: null })], [])
    expect(store.load()).toEqual([shelved, rec('b/T/hi', { value: true }), rec('c/T/hi', { value: 'Tripped', latchedClear: true, state: 'ack', acked: true, active: false, raisedAt: null })])
    store.save([rec('a/T/hi', { state: 'normal', active: false, acked: true })], ['b/T/hi'])
    expect(store.load().map((s) => [s.key, s.state, s.shelvedUntil])).toEqual([['a/T/hi', 'normal', undefined], ['c/T/hi', 'ack', undefined]])
    expect(store.needsAll()).toBe(false)
    // a restore while running swaps the file: its rows are a backup's
    const old = db
    db = open('state-b.db')
    db.prepare("INSERT INTO alarm_state (key, state, active, acked, latched_clear, occurrence, changed_at, suppressed, out_of_service, message) VALUES ('old/T/hi', 'unack', 1, 0, 0, 1, 1, 0, 0, 'old')").run()
    expect(store.needsAll()).toBe(true)
    store.save([rec('a/T/hi')], [])
    expect(store.load().map((s) => s.key)).toEqual(['a/T/hi'])
    expect(store.needsAll()).toBe(false)
    old.close()
    db.close()
  })
})
