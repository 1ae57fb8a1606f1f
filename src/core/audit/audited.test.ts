import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openAppDb } from '../../adapters/app-db/sqlite-asset-store'
import { contract, events, type Contract, type Events } from '../../shared/contract'
import { createRpcClient, type RpcClient } from '../../shared/rpc/client'
import { createRpcServer } from '../../shared/rpc/server'
import { createMemoryPair } from '../../shared/rpc/transport'
import { createCore } from '../create-core'
import { testPrincipal } from '../testing/call-context'
import { MODEL_TEST_PLANT } from '../testing/model-api'
import { MemoryAuditTrail } from './memory-audit-trail'
import { recordHash } from './chain'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function start(): Promise<{ api: RpcClient<Contract, Events>; trail: MemoryAuditTrail }> {
  const dir = mkdtempSync(join(tmpdir(), 'plantdeck-audited-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const assets = openAppDb({ path: join(dir, 'app.db') })
  cleanups.push(() => assets.close())
  let t = 1_000
  const trail = new MemoryAuditTrail({ now: () => (t += 1000) })
  const core = createCore({ plant: MODEL_TEST_PLANT, collectors: [], assets, audit: trail, info: { version: '1', host: 'test', demo: false } })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true })
  const [a, b] = createMemoryPair()
  rpc.connect(b, { remote: 'ws 192.0.2.7', principal: { ...testPrincipal('engineer', 'erin'), from: 'ws 192.0.2.7' } })
  const api = createRpcClient<Contract, Events>(a, { timeoutMs: 5000 })
  await core.start()
  cleanups.push(() => core.stop())
  return { api, trail }
}

describe('audited methods (the core wraps what changes something)', () => {
  it('appends an entry before the action and its outcome after, with who, from, target, new and old value', async () => {
    const { api, trail } = await start()
    const a = await api.call('model.create', { parent: null, name: 'Line 9', kind: 'line' })
    expect(trail.list).toHaveLength(2)
    expect(trail.list[0]).toMatchObject({ id: 1, action: 'model.create', user: 'erin', from: 'ws 192.0.2.7', target: '(top) / Line 9', result: 'pending', newValue: { name: 'Line 9', kind: 'line', parent: null } })
    expect(trail.list[1]).toMatchObject({ id: 2, action: 'model.create', user: 'erin', result: 'ok', detail: 'of #1' })
    await api.call('model.update', { id: a.id, description: 'bottling' })
    expect(trail.list[2]).toMatchObject({ action: 'model.update', target: a.id, newValue: { description: 'bottling' }, oldValue: { description: '' } })
    // reads are not audited; a delete without confirm changes nothing and is not either
    await api.call('model.get', { id: a.id })
    await api.call('model.delete', { id: a.id })
    expect(trail.list).toHaveLength(4)
  })

  it('records a refused action with its error code', async () => {
    const { api, trail } = await start()
    await expect(api.call('model.update', { id: 'nope', name: 'x' })).rejects.toMatchObject({ code: 'model.unknown' })
    expect(trail.list.map((r) => r.result)).toEqual(['pending', 'model.unknown'])
    expect(trail.list[1]!.detail).toMatch(/^of #1: /)
  })

  it('fails closed: when the entry cannot be written the action is not carried out', async () => {
    const { api, trail } = await start()
    trail.failing = true
    await expect(api.call('model.create', { parent: null, name: 'Ghost', kind: 'line' })).rejects.toMatchObject({ code: 'audit.write_failed' })
    trail.failing = false
    const top = await api.call('model.children', { parent: null })
    expect(top.items.map((i) => i.name)).not.toContain('Ghost')
    expect(trail.list).toHaveLength(0)
  })

  it('answers audit.search (filters, newest first, paged), audit.csv and audit.verify', async () => {
    const { api, trail } = await start()
    for (const name of ['A', 'B', 'C']) await api.call('model.create', { parent: null, name, kind: 'line' })
    await expect(api.call('model.update', { id: 'nope', name: 'x' })).rejects.toMatchObject({ code: 'model.unknown' })
    await trail.append({ action: 'auth.login_failed', user: null, from: 'ws 198.51.100.1', target: 'mallory', result: 'auth.bad_credentials' })
    const all = await api.call('audit.search', {})
    expect(all.items.map((r) => r.id)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1])
    const page = await api.call('audit.search', { limit: 4 })
    expect(page.items.map((r) => r.id)).toEqual([9, 8, 7, 6])
    expect((await api.call('audit.search', { limit: 4, before: page.next! })).items.map((r) => r.id)).toEqual([5, 4, 3, 2])
    expect((await api.call('audit.search', { action: 'model.', result: 'ok' })).items).toHaveLength(3)
    expect((await api.call('audit.search', { failed: true })).items.map((r) => r.result)).toEqual(['auth.bad_credentials', 'model.unknown'])
    expect((await api.call('audit.search', { target: 'LINE' })).items).toHaveLength(0)
    expect((await api.call('audit.search', { target: '/ b' })).items.map((r) => r.id)).toEqual([4, 3])
    expect((await api.call('audit.search', { user: 'erin', from: 4000, to: 5000 })).items.map((r) => r.id)).toEqual([4, 3])
    const csv = await api.call('audit.csv', { action: 'model.create' })
    expect(csv.rows).toBe(6)
    expect(csv.truncated).toBe(false)
    const lines = csv.text.trim().split('\n')
    expect(lines[0]).toBe('id,at,action,user,from,target,oldValue,newValue,result,detail,prevHash,hash')
    expect(lines[1]).toContain(trail.list[5]!.hash)
    expect(await api.call('audit.verify', {})).toMatchObject({ ok: true, records: 9, broken: null, head: { id: 9 } })
    // behind the app's back: an edit, then a deletion
    trail.list[2] = { ...trail.list[2]!, target: '(top) / Z' }
    expect((await api.call('audit.verify', {})).broken).toMatchObject({ id: 3, reason: 'hash_mismatch' })
    trail.list.splice(2, 1)
    expect((await api.call('audit.verify', {})).broken).toMatchObject({ id: 3, reason: 'missing' })
    trail.list.splice(2)
    expect((await api.call('audit.verify', {})).broken).toMatchObject({ id: 3, reason: 'truncated' })
    expect(recordHash(trail.list[0]!)).toBe(trail.list[0]!.hash)
  })
})
