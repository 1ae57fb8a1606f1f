import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AppDbHandle } from '../../src/adapters/app-db/app-db-files'
import { openAuditTrail, type SqliteAuditTrail } from '../../src/adapters/app-db/audit-trail'
import { createCore } from '../../src/core/create-core'
import type { Logger } from '../../src/core/ports/logger'
import { contract, events, type Contract, type Events } from '../../src/shared/contract'
import { createRpcClient, type RpcClient } from '../../src/shared/rpc/client'
import { createRpcServer } from '../../src/shared/rpc/server'
import { createMemoryPair } from '../../src/shared/rpc/transport'
import { startHarness, tempDir, until, type Harness } from '../helpers/opcua-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'
import mqtt from 'mqtt'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MemorySampleStore } from '../../src/adapters/memory-store/memory-sample-store'
import { PlantConfig } from '../../src/core/config/schema'
import { silentLogger } from '../../src/core/ports/logger'
import { startMosquitto } from '../helpers/mosquitto'
import { until as untilAsync } from '../helpers/mqtt-harness'
import { loginAdmin, loginAs, TEST_PASSWORD, testIdentity } from '../helpers/login'

const tmp = tempDir('plantdeck-audit-')
let n = 0
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
afterAll(() => tmp.remove())

/** A logger that keeps its error lines (the trail logs what it could not write). */
function recordingLogger(lines: string[]): Logger {
  const l: Logger = { debug() {}, info() {}, warn() {}, error: (o, m) => void lines.push(`${m ?? ''} ${JSON.stringify(o)}`), child: () => l }
  return l
}

function trailIn(dir: string, o: { busyTimeoutMs?: number; logger?: Logger } = {}): SqliteAuditTrail {
  const t = openAuditTrail({ path: join(dir, 'audit.db'), ...o })
  cleanups.push(() => t.close())
  return t
}

/** The core over a real app.db and audit.db in `dir`, behind the real RPC server, as an engineer from `ws 192.0.2.7`. */
async function modelApi(dir: string, trail: SqliteAuditTrail): Promise<RpcClient<Contract, Events>> {
  const appDb = new AppDbHandle(dir)
  cleanups.push(() => appDb.close())
  // an earlier start (its own trail) set up the administrator and ada: this trail begins with ada's login
  const identity = testIdentity()
  const before = createCore({ plant: { connections: [] }, collectors: [], identity, info: { version: '1', host: 'test', demo: false } })
  const rpc0 = createRpcServer({ contract, events, handlers: before.handlers, auth: before.auth })
  const [la, lb] = createMemoryPair()
  rpc0.connect(lb)
  const local = createRpcClient<Contract, Events>(la, { timeoutMs: 10_000 })
  await loginAdmin(local)
  await local.call('users.create', { name: 'ada', password: TEST_PASSWORD, role: 'admin' })
  const core = createCore({ plant: { connections: [] }, collectors: [], assets: appDb.store, assetFiles: appDb.files, audit: trail, identity, info: { version: '1', host: 'test', demo: false } })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
  const [a, b] = createMemoryPair()
  rpc.connect(b, { remote: 'ws 192.0.2.7' })
  const api = createRpcClient<Contract, Events>(a, { timeoutMs: 10_000 })
  await api.call('auth.login', { user: 'ada', password: TEST_PASSWORD })
  await core.start()
  cleanups.push(() => core.stop())
  return api
}

const freshDir = () => {
  const d = join(tmp.dir, `case-${++n}`)
  mkdirSync(d, { recursive: true })
  return d
}

describe('the audit trail in audit.db (real SQLite file)', () => {
  it('appends durably, answers search and CSV, and keeps its chain across a reopen', async () => {
    const dir = freshDir()
    const trail = trailIn(dir)
    expect(trail.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(trail.db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    const api = await modelApi(dir, trail)
    const line = await api.call('model.create', { parent: null, name: 'Line 1', kind: 'line' })
    await api.call('model.update', { id: line.id, description: 'filling' })
    await expect(api.call('model.move', { id: line.id, parent: line.id })).rejects.toMatchObject({ code: 'model.cycle' })
    const all = await api.call('audit.search', {})
    expect(all.items.map((r) => [r.id, r.action, r.result])).toEqual([
      [7, 'model.move', 'model.cycle'],
      [6, 'model.move', 'pending'],
      [5, 'model.update', 'ok'],
      [4, 'model.update', 'pending'],
      [3, 'model.create', 'ok'],
      [2, 'model.create', 'pending'],
      [1, 'auth.login', 'ok'],
    ])
    expect(all.items[3]).toMatchObject({ user: 'ada', from: 'ws 192.0.2.7', target: line.id, newValue: { description: 'filling' }, oldValue: { description: '' } })
    expect((await api.call('audit.search', { failed: true })).items.map((r) => r.id)).toEqual([7])
    expect((await api.call('audit.search', { action: 'model.up', limit: 1 })).next).toBe(5)
    const csv = await api.call('audit.csv', { user: 'ada' })
    expect(csv).toMatchObject({ rows: 7, truncated: false })
    expect(csv.text).toContain('"{""description"":""filling""}"')
    expect(await api.call('audit.verify', {})).toMatchObject({ ok: true, records: 7, head: { id: 7 }, anchor: { id: 7 } })
    // reopened: the chain goes on from the file's last hash
    trail.close()
    const again = trailIn(dir)
    const r = await again.append({ action: 'auth.login', user: 'ada', from: 'ws 192.0.2.7', result: 'ok' })
    expect(r.id).toBe(8)
    expect(r.prevHash).toBe(all.items[0]!.hash)
    expect([...again.records()]).toHaveLength(8)
  })

  it('refuses UPDATE and DELETE (triggers), and an INSERT out of order, from any connection', async () => {
    const dir = freshDir()
    const trail = trailIn(dir)
    for (let i = 0; i < 3; i++) await trail.append({ action: 'raw.write', user: 'erin', from: 'ipc', target: `ua ns=1;s=X${i}`, newValue: i, result: 'ok' })
    const raw = new Database(join(dir, 'audit.db'))
    cleanups.push(() => raw.close())
    expect(() => raw.prepare("UPDATE audit SET result = 'x' WHERE id = 2").run()).toThrow(/append-only: rows are never changed/)
    expect(() => raw.prepare('DELETE FROM audit WHERE id = 3').run()).toThrow(/append-only: rows are never deleted/)
    expect(() => raw.prepare("INSERT INTO audit (id, at, action, \"from\", result, prev_hash, hash) VALUES (9, 0, 'x', '', 'ok', '', '')").run()).toThrow(/takes the next id/)
    expect(trail.count()).toBe(3)
  })

  it('audit.verify finds a row edited and a row deleted behind the app\'s back (triggers dropped first), and a cut tail', async () => {
    const dir = freshDir()
    const trail = trailIn(dir)
    const api = await modelApi(dir, trail)
    for (const name of ['A', 'B', 'C', 'D']) await api.call('model.create', { parent: null, name, kind: 'line' })
    expect(await api.call('audit.verify', {})).toMatchObject({ ok: true, records: 9 })
    const raw = new Database(join(dir, 'audit.db'))
    cleanups.push(() => raw.close())
    raw.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER audit_in_order')
    // edited: who did it
    raw.prepare("UPDATE audit SET user = 'someone-else' WHERE id = 3").run()
    expect(await api.call('audit.verify', {})).toMatchObject({ ok: false, broken: { id: 3, reason: 'hash_mismatch' } })
    raw.prepare("UPDATE audit SET user = 'ada' WHERE id = 3").run()
    expect((await api.call('audit.verify', {})).ok).toBe(true)
    // deleted: a row in the middle
    raw.prepare('DELETE FROM audit WHERE id = 5').run()
    expect(await api.call('audit.verify', {})).toMatchObject({ ok: false, broken: { id: 5, reason: 'missing' } })
    // cut: the last rows (the anchor file still names #9)
    raw.prepare('DELETE FROM audit WHERE id >= 5').run()
    expect(await api.call('audit.verify', {})).toMatchObject({ ok: false, records: 4, broken: { id: 5, reason: 'truncated' }, anchor: { id: 9 } })
    // the next start puts the triggers back and says so
    const warned: string[] = []
    const reopened = openAuditTrail({ path: join(dir, 'audit.db'), logger: { ...recordingLogger([]), warn: (o, m) => void warned.push(`${m} ${JSON.stringify(o)}`) } })
    cleanups.push(() => reopened.close())
    expect(warned.join('\n')).toMatch(/triggers were missing.*audit_no_update.*audit_no_delete.*audit_in_order/)
    expect(() => raw.prepare('DELETE FROM audit WHERE id = 1').run()).toThrow(/append-only/)
  })

  it('keeps every entry across a restore of app.db (the trail is its own file), and audits the restore', async () => {
    const dir = freshDir()
    const trail = trailIn(dir)
    const api = await modelApi(dir, trail)
    await api.call('model.create', { parent: null, name: 'Before', kind: 'line' })
    const backup = await api.call('model.backup', {})
    await api.call('model.create', { parent: null, name: 'After', kind: 'line' })
    const name = backup.file.split('/').pop()!
    await api.call('model.restore', { name })
    const top = await api.call('model.children', { parent: null })
    expect(top.items.map((i) => i.name)).toEqual(['Before']) // the model went back
    const all = await api.call('audit.search', {})
    // the trail did not: both creates, and the restore with its outcome
    expect(all.items.map((r) => [r.action, r.result, r.target])).toEqual([
      ['model.restore', 'ok', name],
      ['model.restore', 'pending', name],
      ['model.create', 'ok', '(top) / After'],
      ['model.create', 'pending', '(top) / After'],
      ['model.backup', 'ok', 'app.db'],
      ['model.backup', 'pending', 'app.db'],
      ['model.create', 'ok', '(top) / Before'],
      ['model.create', 'pending', '(top) / Before'],
      ['auth.login', 'ok', 'ada'],
    ])
    expect(await api.call('audit.verify', {})).toMatchObject({ ok: true, records: 9 })
  })
})

describe('failing closed against a real OPC UA server', () => {
  let server: TestServer
  let h: Harness
  let trail: SqliteAuditTrail
  const errors: string[] = []
  const dir = join(tmp.dir, 'opcua')
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true })
    trail = openAuditTrail({ path: join(dir, 'audit.db'), busyTimeoutMs: 100, logger: recordingLogger(errors) })
    server = await startTestServer({ pkiDir: join(dir, 'server') })
    h = await startHarness(
      { id: 'ua', kind: 'opcua', name: 'Test', endpoint: server.url, securityMode: 'None', securityPolicy: 'None', signals: [{ id: 'ua/double', name: 'Double', nodeId: 'ns=1;s=Tests.Double' }] },
      join(dir, 'client'),
      { audit: trail },
    )
    await until(() => h.states.at(-1)?.health === 'connected', 'connected')
  })
  afterAll(async () => {
    await h?.stop()
    await server?.stop()
    trail?.close()
  })
  const nodeValue = () => server.vars.get('Double')!.readValue().value.value as number
  const write = (value: number) => h.api.call('opcua.write', { connection: 'ua', nodeId: 'ns=1;s=Tests.Double', value })

  it('audits a raw write with the old (live) value, the new value and the outcome', async () => {
    expect(await write(12.5)).toMatchObject({ ok: true })
    await until(() => h.core.live.get('ua/double')?.value === 12.5, 'the live value follows')
    expect(await write(13.5)).toMatchObject({ ok: true })
    expect(nodeValue()).toBe(13.5)
    const [outcome, entry] = trail.query({ action: 'raw.write' }, { limit: 2 }).items
    expect(entry).toMatchObject({ action: 'raw.write', user: 'admin', target: 'ua ns=1;s=Tests.Double', oldValue: 12.5, newValue: 13.5, result: 'pending' })
    expect(outcome).toMatchObject({ action: 'raw.write', result: 'ok', detail: `of #${entry!.id}` })
  })

  it('refuses the write when audit.db is full (max_page_count): nothing reaches the server', async () => {
    expect(await write(1)).toMatchObject({ ok: true })
    const before = trail.count()
    // the file may not grow: fill its last page with the smallest entries there are, until one does not fit
    trail.db.pragma(`max_page_count = ${trail.db.pragma('page_count', { simple: true }) as number}`)
    let refused: unknown
    for (let i = 0; i < 500 && !refused; i++) await trail.append({ action: 'x', user: null, from: '', result: '' }).catch((e) => (refused = e))
    expect(refused).toMatchObject({ code: 'audit.write_failed', details: { sqlite: 'SQLITE_FULL' } })
    const kept = trail.count()
    expect(kept).toBeGreaterThanOrEqual(before)
    await expect(write(99)).rejects.toMatchObject({ code: 'audit.write_failed' })
    expect(nodeValue()).toBe(1) // not sent
    expect(trail.count()).toBe(kept) // and nothing half-written
    expect(errors.join('\n')).toMatch(/audit entry not written.*SQLITE_FULL/)
    // room again: it writes, and the chain is whole
    trail.db.pragma('max_page_count = 1073741823')
    expect(await write(2)).toMatchObject({ ok: true })
    expect(nodeValue()).toBe(2)
    expect(await h.api.call('audit.verify', {})).toMatchObject({ ok: true })
  })

  it('refuses the write while another process holds audit.db\'s write lock', async () => {
    const other = new Database(join(dir, 'audit.db'))
    try {
      other.exec('BEGIN EXCLUSIVE')
      await expect(write(77)).rejects.toMatchObject({ code: 'audit.write_failed' })
      expect(nodeValue()).toBe(2)
      other.exec('ROLLBACK')
    } finally {
      other.close()
    }
    expect(await write(3)).toMatchObject({ ok: true })
    expect(nodeValue()).toBe(3)
  })
})

describe('failing closed against a real mosquitto', () => {
  it('audits a raw publish, and refuses one when audit.db is full: the broker never sees it', async () => {
    const dir = freshDir()
    const broker = await startMosquitto()
    cleanups.push(() => broker.stop())
    const trail = trailIn(dir)
    const plant = PlantConfig.parse({ connections: [{ id: 'm', kind: 'mqtt', name: 'Broker', url: broker.url, protocol: '5', clientId: 'plantdeck-audit', subscriptions: [] }] })
    const col = new MqttCollector({ config: plant.connections[0] as never, logger: silentLogger })
    const core = createCore({ plant, collectors: [col], store: new MemorySampleStore(), audit: trail, identity: testIdentity(), info: { version: '1', host: 'test', demo: false } })
    const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
    const [a, b] = createMemoryPair()
    rpc.connect(b)
    const api = createRpcClient<Contract, Events>(a, { timeoutMs: 10_000 })
    await loginAs(api, 'engineer', { user: 'erin' })
    await core.start()
    cleanups.push(() => core.stop())
    await untilAsync(async () => (await api.call('connections.list', {}))[0]?.health === 'connected')
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 })
    cleanups.push(() => sub.endAsync())
    const got: string[] = []
    sub.on('message', (_t, body) => got.push(body.toString()))
    await sub.subscribeAsync('cmd/#', { qos: 1 })
    const publish = (payload: string) => api.call('mqtt.publish', { connection: 'm', topic: 'cmd/pump1', payload })
    expect(await publish('first')).toMatchObject({ ok: true })
    expect(trail.query({ action: 'raw.publish' }, { limit: 10 }).items.map((r) => [r.result, r.target])).toEqual([
      ['ok', 'm cmd/pump1'],
      ['pending', 'm cmd/pump1'],
    ])
    trail.db.pragma(`max_page_count = ${trail.db.pragma('page_count', { simple: true }) as number}`)
    for (let i = 0; i < 500; i++) if (await trail.append({ action: 'x', user: null, from: '', result: '' }).then(() => false, () => true)) break
    await expect(publish('refused')).rejects.toMatchObject({ code: 'audit.write_failed' })
    trail.db.pragma('max_page_count = 1073741823')
    expect(await publish('after')).toMatchObject({ ok: true })
    // one client publishes in order: had 'refused' gone out, it would arrive before 'after'
    await until(() => got.includes('after'), 'the message after')
    expect(got).toEqual(['first', 'after'])
  })
})
