import { afterAll, describe, expect, it } from 'vitest'
import { loginAdmin, loginAs, testIdentity } from '../../../test/helpers/login'
import { contract, events, type Contract, type Events, type Workspace } from '../../shared/contract'
import { MAX_WORKSPACE_BYTES } from '../../shared/contract/workspace'
import { createRpcClient, type RpcClient } from '../../shared/rpc/client'
import { createRpcServer } from '../../shared/rpc/server'
import { createMemoryPair } from '../../shared/rpc/transport'
import { createCore, type Core } from '../create-core'
import { MemoryWorkspaceStore } from './workspace-service'

const cores: Core[] = []
afterAll(async () => {
  for (const c of cores) await c.stop()
})

function start(store = new MemoryWorkspaceStore()) {
  const core = createCore({ plant: { connections: [] }, collectors: [], identity: testIdentity(), kiosk: true, workspaces: store, info: { version: '1', host: 'test', demo: false } })
  cores.push(core)
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, auth: core.auth })
  const client = (): RpcClient<Contract, Events> => {
    const [a, b] = createMemoryPair()
    rpc.connect(b, { remote: 'memory' })
    return createRpcClient<Contract, Events>(a, { timeoutMs: 5000 })
  }
  return { client, store }
}

const pen = (signal: string) => ({ signal, label: signal, unit: 'm³/h', color: '0', pinned: true })
const sampleWorkspace = (o: Partial<Workspace> = {}): Workspace => ({
  version: 1,
  theme: 'light',
  tabs: [
    { kind: 'overview', id: 'overview' },
    { kind: 'asset', id: 'asset:p1', asset: 'p1', title: 'Pump 1', trend: { pens: [{ ...pen('a/speed'), main: true, pinned: false }], range: { kind: 'live', spanMs: 600_000 }, liveSpanMs: 600_000, axes: {} } },
    { kind: 'trend', id: 'trend:1', title: 'Flows', trend: { pens: [pen('a/flow'), pen('b/flow')], range: { kind: 'live', spanMs: 3_600_000 }, liveSpanMs: 3_600_000, axes: {} } },
  ],
  active: 'trend:1',
  selectedAsset: 'p1',
  timeZone: 'Europe/Berlin',
  views: [],
  ...o,
})
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code: string }) => e.code)

describe('workspace.get / workspace.save', () => {
  it('keeps one workspace per user (names without case), whole, and answers it back as saved', async () => {
    const { client } = start()
    const admin = client()
    await loginAdmin(admin)
    const olga = client()
    await loginAs(olga, 'viewer', { admin, user: 'Olga' })
    expect(await olga.call('workspace.get', {})).toEqual({ workspace: null, savedAt: null, perBrowser: false })
    const saved = await olga.call('workspace.save', { workspace: sampleWorkspace() })
    expect(saved.bytes).toBeGreaterThan(200)
    // another session of the same user (another browser) finds it; the name's case does not matter
    const again = client()
    await again.call('auth.login', { user: 'OLGA', password: 'plantdeck test password' })
    const got = await again.call('workspace.get', {})
    expect(got.workspace).toEqual(sampleWorkspace())
    expect(got.savedAt).toBe(saved.savedAt)
    // the administrator's own is apart
    expect((await admin.call('workspace.get', {})).workspace).toBeNull()
    await admin.call('workspace.save', { workspace: sampleWorkspace({ theme: 'dark', tabs: [{ kind: 'overview', id: 'overview' }], active: 'overview' }) })
    expect((await again.call('workspace.get', {})).workspace?.theme).toBe('light')
    expect((await admin.call('workspace.get', {})).workspace?.theme).toBe('dark')
  })

  it('the kiosk has none on the server and its saves are refused workspace.kiosk', async () => {
    const { client } = start()
    await loginAdmin(client())
    const kiosk = client()
    expect(await kiosk.call('workspace.get', {})).toEqual({ workspace: null, savedAt: null, perBrowser: true })
    expect(await codeOf(kiosk.call('workspace.save', { workspace: sampleWorkspace() }))).toBe('workspace.kiosk')
  })

  it('refuses bad shapes (rpc.bad_params) and one over the size bound (workspace.too_large), keeping the last good one', async () => {
    const { client } = start()
    const admin = client()
    await loginAdmin(admin)
    await admin.call('workspace.save', { workspace: sampleWorkspace() })
    expect(await codeOf(admin.call('workspace.save', { workspace: { ...sampleWorkspace(), theme: 'purple' } as never }))).toBe('rpc.bad_params')
    expect(await codeOf(admin.call('workspace.save', { workspace: { ...sampleWorkspace(), tabs: [{ kind: 'asset', id: 'x' }] } as never }))).toBe('rpc.bad_params')
    expect(await codeOf(admin.call('workspace.save', { workspace: { ...sampleWorkspace(), version: 2 } as never }))).toBe('rpc.bad_params')
    // 50 saved views of 16 long-labelled pens each pass every per-field bound but not the whole's
    const bigPen = (i: number) => ({ signal: `s/${'x'.repeat(400)}${i}`, label: 'y'.repeat(290) })
    const views = Array.from({ length: 50 }, (_, v) => ({ name: `view ${v}`, view: { pens: Array.from({ length: 16 }, (_, i) => bigPen(i)), range: { kind: 'live' as const, spanMs: 600_000 }, axes: {} } }))
    expect(JSON.stringify(views).length).toBeGreaterThan(MAX_WORKSPACE_BYTES)
    expect(JSON.stringify(views).length).toBeLessThan(1024 * 1024 - 10_000) // under the RPC message limit: the core's own bound refuses it
    expect(await codeOf(admin.call('workspace.save', { workspace: sampleWorkspace({ views }) }))).toBe('workspace.too_large')
    expect((await admin.call('workspace.get', {})).workspace).toEqual(sampleWorkspace())
  })

  it('a stored workspace that no longer reads is answered as none with workspace.invalid, never a failed call', async () => {
    const { client, store } = start()
    const admin = client()
    await loginAdmin(admin)
    store.put('admin', { json: '{"version":1,"theme":"dark"', savedAt: 5 })
    const r = await admin.call('workspace.get', {})
    expect(r.workspace).toBeNull()
    expect(r.problem?.code).toBe('workspace.invalid')
    expect(r.problem?.message).toMatch(/not JSON/)
    store.put('admin', { json: JSON.stringify({ ...sampleWorkspace(), tabs: 'many' }), savedAt: 6 })
    const r2 = await admin.call('workspace.get', {})
    expect(r2).toMatchObject({ workspace: null, savedAt: 6, problem: { code: 'workspace.invalid' } })
    expect(r2.problem?.message).toMatch(/tabs/)
    // a good save replaces it
    await admin.call('workspace.save', { workspace: sampleWorkspace() })
    expect((await admin.call('workspace.get', {})).problem).toBeUndefined()
  })
})
