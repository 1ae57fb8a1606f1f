import { describe, expect, it } from 'vitest'
import { contract, events, type Contract, type Events } from '../../shared/contract'
import { createRpcClient } from '../../shared/rpc/client'
import { createRpcServer } from '../../shared/rpc/server'
import { createMemoryPair } from '../../shared/rpc/transport'
import { loginAdmin, loginAs, testIdentity } from '../../../test/helpers/login'
import { createCore } from '../create-core'
import type { AuditEntryInput, AuditRecord, AuditTrail } from '../ports/audit'
import { silentLogger, type Logger } from '../ports/logger'
import { MemoryAuditTrail } from './memory-audit-trail'
import { RefusalAudit, type Refusal } from './refusal-audit'

const clockAt = (t = 1_000_000) => ({ t, now() { return this.t } })

/** A RefusalAudit whose deferred writes run only when the test says (`run()`). */
function setup(o: { windowMs?: number; maxPerWindow?: number; audit?: AuditTrail; log?: Logger } = {}) {
  const clock = clockAt()
  const audit = (o.audit ?? new MemoryAuditTrail(clock)) as MemoryAuditTrail
  const later: (() => void)[] = []
  const r = new RefusalAudit({ audit, clock, log: o.log ?? silentLogger, defer: (fn) => void later.push(fn), windowMs: o.windowMs ?? 60_000, maxPerWindow: o.maxPerWindow ?? 200 })
  const run = async () => {
    for (const fn of later.splice(0)) fn()
    await new Promise((res) => setTimeout(res, 0))
  }
  return { r, audit, clock, run }
}
const refusal = (more: Partial<Refusal> = {}): Refusal => ({ action: 'rpc.refused', user: null, from: 'ws 192.0.2.9', target: 'opcua.write', code: 'auth.required', message: 'opcua.write needs a login', ...more })
const rows = (a: MemoryAuditTrail) => a.list.map((e) => [e.action, e.user, e.from, e.target, e.result, e.detail])

describe('RefusalAudit', () => {
  it('writes the first refusal of a key after the caller returns, folds the repeats, and writes their count when the window ends', async () => {
    const { r, audit, clock, run } = setup()
    r.record(refusal())
    expect(audit.list).toHaveLength(0) // nothing written in the caller's turn
    await run()
    expect(rows(audit)).toEqual([['rpc.refused', null, 'ws 192.0.2.9', 'opcua.write', 'auth.required', 'opcua.write needs a login']])
    for (let i = 0; i < 999; i++) r.record(refusal())
    await run()
    expect(audit.list).toHaveLength(1)
    clock.t += 30_000
    r.sweep()
    expect(audit.list).toHaveLength(1) // the window is not over
    clock.t += 30_000
    r.sweep()
    await run()
    expect(audit.list).toHaveLength(2)
    expect(audit.list[1]).toMatchObject({ action: 'rpc.refused', from: 'ws 192.0.2.9', target: 'opcua.write', result: 'auth.required', newValue: { count: 1000 }, detail: expect.stringMatching(/^999 more of the same in 60 s since .*\(count 1000 in all\)$/) })
    // a new window: the next one is written again
    r.record(refusal())
    await run()
    expect(audit.list).toHaveLength(3)
    expect(r.stats()).toEqual({ seen: 1001, written: 3, folded: 999, failed: 0 })
  })

  it('keys by user (else address), action, target and code', async () => {
    const { r, audit, run } = setup()
    r.record(refusal())
    r.record(refusal({ from: 'ws 192.0.2.10' }))
    r.record(refusal({ target: 'mqtt.publish' }))
    r.record(refusal({ code: 'rpc.rate_limited' }))
    r.record(refusal({ user: 'otto', from: 'ws 192.0.2.9', code: 'auth.forbidden' }))
    r.record(refusal({ user: 'otto', from: 'ws 192.0.2.77', code: 'auth.forbidden' })) // the same user elsewhere: one key
    r.record(refusal({ action: 'auth.bad_session', target: 'session secret', code: 'auth.bad_session' }))
    await run()
    expect(audit.list.map((e) => [e.user, e.from, e.target, e.result])).toEqual([
      [null, 'ws 192.0.2.9', 'opcua.write', 'auth.required'],
      [null, 'ws 192.0.2.10', 'opcua.write', 'auth.required'],
      [null, 'ws 192.0.2.9', 'mqtt.publish', 'auth.required'],
      [null, 'ws 192.0.2.9', 'opcua.write', 'rpc.rate_limited'],
      ['otto', 'ws 192.0.2.9', 'opcua.write', 'auth.forbidden'],
      [null, 'ws 192.0.2.9', 'session secret', 'auth.bad_session'],
    ])
  })

  it('a flood from many sources: at most maxPerWindow entries, the rest in one overflow entry with the count', async () => {
    const { r, audit, clock, run } = setup({ maxPerWindow: 10 })
    for (let i = 0; i < 5000; i++) r.record(refusal({ from: `ws 10.0.${i >> 8}.${i & 255}` }))
    await run()
    expect(audit.list).toHaveLength(10)
    clock.t += 60_000
    r.sweep()
    await run()
    expect(audit.list).toHaveLength(11)
    expect(audit.list[10]).toMatchObject({ action: 'audit.refusals_folded', result: 'audit.flood', newValue: { count: 4990 } })
    expect(r.stats()).toMatchObject({ seen: 5000, written: 11, folded: 4990 })
  })

  it('never throws and never waits: a trail that fails or hangs only counts and logs', async () => {
    const errors: string[] = []
    const log: Logger = { ...silentLogger, error: (_o: unknown, m?: string) => void errors.push(m ?? ''), child: () => log }
    const failing = new MemoryAuditTrail()
    failing.failing = true
    const a = setup({ audit: failing, log })
    expect(() => a.r.record(refusal())).not.toThrow()
    await a.run()
    expect(a.r.stats()).toMatchObject({ seen: 1, written: 0, failed: 1 })
    expect(errors).toEqual(['refusal not audited'])
    // a trail that never answers: record still returns at once, and later ones queue behind it in order
    const hanging: AuditTrail = { append: () => new Promise<AuditRecord>(() => {}) }
    const b = setup({ audit: hanging })
    for (let i = 0; i < 3; i++) b.r.record(refusal({ from: `ws 192.0.2.${i}` }))
    await b.run()
    expect(b.r.stats()).toMatchObject({ seen: 3, written: 0 })
  })

  it('flush writes the open counts (at stop)', async () => {
    const { r, audit } = setup()
    const order: string[] = []
    const spy: AuditTrail = { append: (e: AuditEntryInput) => (order.push(`${e.result} ${e.detail}`), audit.append(e)) }
    const s = new RefusalAudit({ audit: spy, clock: clockAt(), log: silentLogger, defer: () => {} })
    s.record(refusal())
    s.record(refusal())
    await s.flush()
    expect(order).toEqual(['auth.required opcua.write needs a login', expect.stringMatching(/^auth.required 1 more of the same/)])
    expect(r.stats().seen).toBe(0)
  })
})

describe('refusals before a handler, through the core and the RPC server', () => {
  it('auth.required, auth.forbidden and a forged session secret reach the audit trail, folded per minute; reads are not audited', async () => {
    const clock = clockAt(Date.now())
    const audit = new MemoryAuditTrail(clock)
    const identity = testIdentity()
    const core = createCore({ plant: { connections: [] }, collectors: [], audit, identity, clock, kiosk: true, info: { version: '1', host: 'test', demo: false }, diagnostics: () => ({ rpc: { sessions: 0, inFlight: 0, maxInFlightPerSession: 16, rejected: {}, rateLimited: { byUser: 0, byAddress: 0 }, busy: 0 } }) })
    const rpc = createRpcServer({ contract, events, handlers: core.handlers, auth: core.auth, validateResults: true })
    const client = (remote: string) => {
      const [a, b] = createMemoryPair()
      rpc.connect(b, { remote })
      return createRpcClient<Contract, Events>(a, { timeoutMs: 5000 })
    }
    const admin = client('memory')
    await loginAdmin(admin)
    const viewer = client('ws 192.0.2.21')
    await loginAs(viewer, 'viewer', { admin, user: 'vera' })
    const anon = client('ws 192.0.2.20')
    const settle = () => new Promise((r) => setTimeout(r, 5))
    const before = audit.list.length
    for (let i = 0; i < 20; i++) await expect(anon.call('opcua.write', { connection: 'x', nodeId: 'ns=1;s=A', value: 1 })).rejects.toMatchObject({ code: 'auth.required' })
    for (let i = 0; i < 5; i++) await expect(viewer.call('model.create', { parent: null, name: 'X', kind: 'site' })).rejects.toMatchObject({ code: 'auth.forbidden' })
    await expect(anon.call('assets.tree', {})).resolves.toBeDefined() // the kiosk reads: nothing to audit
    // a forged cookie at the WebSocket upgrade: the host resolves it through the identity
    expect(() => core.identity!.resolve('forged-secret-value', 'ws 192.0.2.20')).toThrow(/unknown session/)
    await settle()
    const fresh = () => audit.list.slice(before).map((e) => [e.action, e.user, e.from, e.target, e.result])
    expect(fresh()).toEqual([
      ['rpc.refused', null, 'ws 192.0.2.20', 'opcua.write', 'auth.required'],
      ['rpc.refused', 'vera', 'ws 192.0.2.21', 'model.create', 'auth.forbidden'],
      ['auth.bad_session', null, 'ws 192.0.2.20', 'session secret', 'auth.bad_session'],
    ])
    clock.t += 61_000
    core.refusals.sweep()
    await settle()
    expect(audit.list.slice(before + 3).map((e) => [e.target, e.result, (e.newValue as { count: number }).count])).toEqual([
      ['opcua.write', 'auth.required', 20],
      ['model.create', 'auth.forbidden', 5],
    ])
    expect((await viewer.call('system.diagnostics', {})).refusals).toEqual({ seen: 26, written: 5, folded: 23, failed: 0 })
    expect(await admin.call('audit.verify', {})).toMatchObject({ ok: true })
  })
})
