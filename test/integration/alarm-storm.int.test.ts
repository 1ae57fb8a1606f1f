import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../src/adapters/app-db/sqlite-asset-store'
import { MemoryAlarmJournal } from '../../src/core/alarms/memory-journal'
import { calcSignalId } from '../../src/core/assets-model/live-calc'
import { createCore, type Core } from '../../src/core/create-core'
import type { AssetAttribute } from '../../src/shared/contract/asset-model'
import { contract, events, type Contract, type EventPayload, type Events } from '../../src/shared/contract'
import type { Sample } from '../../src/shared/model'
import { createRpcClient, type RpcClient } from '../../src/shared/rpc/client'
import { createRpcServer } from '../../src/shared/rpc/server'
import { createMemoryPair } from '../../src/shared/rpc/transport'
import { until } from '../helpers/mqtt-harness'
import { loginAdmin, testIdentity } from '../helpers/login'

// An alarm storm, judged by structure, not time: 5,000 alarms raised by one burst of samples reach a session (real
// RPC server and client, results validated) in a few batched alarms.changed events, and every transition is in the
// journal, appended in a few batches. The model is a real SQLite application database in a temp folder.

const ASSETS = 100
const PER_ASSET = 50
const N = ASSETS * PER_ASSET

let dir: string
let core: Core
let api: RpcClient<Contract, Events>
let db: ReturnType<typeof openAppDb>
const journal = new MemoryAlarmJournal()
const seen: EventPayload<'alarms.changed'>[] = []
const signals: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-storm-'))
  db = openAppDb({ path: join(dir, 'app.db') })
  const put = []
  for (let i = 0; i < ASSETS; i++) {
    const id = `storm-${i}`
    const attributes: AssetAttribute[] = [{ name: 'Zero', dataType: 'number', binding: { kind: 'constant', value: 0 } }]
    for (let j = 0; j < PER_ASSET; j++) {
      const name = `V${j}`
      signals.push(calcSignalId(id, name))
      attributes.push({ name, dataType: 'number', decimals: 0, limits: { hi: 50 }, binding: { kind: 'calculated', expression: 'Zero' }, alarms: [{ id: 'hi', type: 'hi', priority: j % 2 ? 'high' : 'critical', message: '{asset} {attribute} {value}' }] })
    }
    put.push({ id, parent: null, name: `Unit ${i}`, description: '', kind: 'equipment', templateId: null, references: [], attributes })
  }
  db.apply({ put, remove: [] }, 'test', 'storm model')
  core = createCore({ plant: { connections: [] }, collectors: [], assets: db, alarmJournal: journal, identity: testIdentity(), info: { version: '1', host: 'test', demo: false } })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
  core.onBroadcast((e, p) => rpc.broadcast(e, p as never))
  const [a, b] = createMemoryPair()
  rpc.connect(b)
  api = createRpcClient<Contract, Events>(a, { timeoutMs: 10_000 })
  api.on('alarms.changed', (e) => seen.push(e))
  await loginAdmin(api)
  await core.start()
  await until(() => core.alarms.engine.size === N, 20_000, 'alarms built')
}, 60_000)
afterAll(async () => {
  await core?.stop()
  db?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('an alarm storm', () => {
  it('5,000 alarms raised at once reach the session in a few events; every raise is in the journal', async () => {
    seen.length = 0
    const batchesBefore = journal.batches
    const ts = Date.now() + 1000
    const burst: Sample[] = signals.map((signal) => ({ signal, ts, value: 99, quality: 'good' }))
    core.live.ingest(burst)
    await until(() => new Set(seen.flatMap((e) => e.items.filter((x) => x.state === 'unack').map((x) => x.key))).size === N, 20_000, 'every alarm at the session')
    expect(seen.length).toBeLessThanOrEqual(10)
    expect(Math.max(...seen.map((e) => e.items.length))).toBeLessThanOrEqual(1000)
    expect(seen.at(-1)!.counts.unack).toEqual({ critical: N / 2, high: N / 2, medium: 0, low: 0 })
    expect(journal.batches - batchesBefore).toBeLessThanOrEqual(3)
    const raises = (await api.call('alarms.journal', { limit: 1000 })).items
    expect(raises).toHaveLength(1000)
    let all = 0
    let before: number | undefined
    for (;;) {
      const page = await api.call('alarms.journal', { limit: 1000, ...(before !== undefined ? { before } : {}) })
      all += page.items.filter((e) => e.event === 'raise').length
      if (page.next === null) break
      before = page.next
    }
    expect(all).toBe(N)
    const list = await api.call('alarms.list', { limit: 10 })
    expect(list.total).toBe(N)
    expect(list.items[0]!.priority).toBe('critical')
  })

  it('acknowledging 1,000 in one call is one journal batch and their events are batched too', async () => {
    seen.length = 0
    const keys = (await api.call('alarms.list', { limit: 1000 })).items.map((a) => a.key)
    const batchesBefore = journal.batches
    const r = await api.call('alarms.ack', { keys })
    expect(r.done).toHaveLength(1000)
    expect(journal.batches - batchesBefore).toBe(1)
    await until(() => seen.flatMap((e) => e.items).filter((x) => x.state === 'ack').length >= 1000, 10_000, 'acks at the session')
    expect(seen.length).toBeLessThanOrEqual(3)
  })
})
