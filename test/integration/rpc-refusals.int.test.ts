import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/core/ports/audit'
import { startHeadless, type Headless } from '../helpers/headless'
import { ADMIN_USER, loginCookie, openLoggedIn, TEST_PASSWORD } from '../helpers/login'
import { until } from '../helpers/mqtt-harness'
import { openClient } from '../helpers/ws-client'

/**
 * The real headless server (simulated plant on loopback, kiosk on) with low token buckets, and clients from several
 * loopback addresses (127.0.0.x: Linux routes the whole /8 to lo, and the server sees each as its own address):
 * rate limits per user and per address answer `rpc.rate_limited`, are counted in system.diagnostics, and leave the
 * others served; refusals made before any handler (auth.required, auth.forbidden, rpc.rate_limited, a forged
 * session cookie) are in the audit trail, folded to one entry per source, method and code a minute.
 */
const PER_USER = 15
const PER_ADDRESS = 40
let server: Headless
let admin: Awaited<ReturnType<typeof openLoggedIn>>
const wsUrl = () => server.url.replace(/^http/, 'ws') + 'api'
/** A WebSocket API client from `address` (a loopback address), with `cookie` (a login) or none (the kiosk). */
const from = (address: string, cookie?: string) => openClient(wsUrl(), cookie ? { Cookie: cookie } : {}, { localAddress: address })
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? 'thrown')
const closers: (() => void)[] = []

/** The audit trail as the administrator reads it (audit.search), oldest first. The administrator's calls count against its own bucket: few of them. */
const trail = async () => ((await admin.client.call('audit.search', { limit: 1000 })).items as AuditRecord[]).reverse()
/** Waits for an entry in the server's audit.db, read from the file (so the waiting spends no calls of a bucket). */
async function written(where: string, what: string) {
  const db = new Database(join(server.dataDir, 'audit.db'), { readonly: true, fileMustExist: true })
  try {
    await until(() => (db.prepare(`SELECT count(*) AS n FROM audit WHERE ${where}`).get() as { n: number }).n > 0, 10_000, what)
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  server = await startHeadless({ auth: { rateLimit: { perUser: { burst: PER_USER, perSecond: 0.01 }, perAddress: { burst: PER_ADDRESS, perSecond: 0.01 } } } })
  admin = await openLoggedIn(server.url)
  closers.push(() => admin.ws.close())
  await admin.client.call('users.create', { name: 'flood', password: TEST_PASSWORD, role: 'operator' })
  await admin.client.call('users.create', { name: 'calm', password: TEST_PASSWORD, role: 'operator' })
}, 90_000)

afterAll(async () => {
  closers.forEach((c) => c())
  await server?.stop()
})

describe('rate limits on the headless server (token buckets from the auth: section)', () => {
  it('per user: one user over its bucket is refused on every socket and address; another user and the kiosk are still served', async () => {
    const cookie = await loginCookie(server.url, 'flood')
    const a = await from('127.0.0.3', cookie)
    const b = await from('127.0.0.4', cookie)
    const calm = await from('127.0.0.5', await loginCookie(server.url, 'calm'))
    closers.push(() => a.ws.close(), () => b.ws.close(), () => calm.ws.close())
    // one at a time (not the in-flight bound): an operator method that changes nothing here
    const codes: string[] = []
    for (let i = 0; i < PER_USER + 10; i++) codes.push(await codeOf(a.client.call('commands.cancel', { token: `t${i}` })))
    expect(codes.filter((c) => c === 'ok')).toHaveLength(PER_USER)
    expect(codes.slice(PER_USER)).toEqual(Array(10).fill('rpc.rate_limited'))
    const refused = await a.client.call('commands.cancel', { token: 'x' }).catch((e: { details?: unknown; message: string }) => e)
    expect(refused).toMatchObject({ code: 'rpc.rate_limited', details: { bucket: 'user' } })
    // the same user from another address: the same bucket
    expect(await codeOf(b.client.call('connections.list', {}))).toBe('rpc.rate_limited')
    // everyone else is served
    expect(await calm.client.call('commands.cancel', { token: 'y' })).toEqual({ cancelled: false })
    expect((await calm.client.call('connections.list', {})).length).toBeGreaterThan(0)
    const kiosk = await from('127.0.0.6')
    closers.push(() => kiosk.ws.close())
    expect((await kiosk.client.call('connections.list', {})).length).toBeGreaterThan(0)
  }, 30_000)

  it('per address: sockets without a login from one address share its bucket; another address is served', async () => {
    const one = await from('127.0.0.7')
    const two = await from('127.0.0.7')
    const other = await from('127.0.0.8')
    closers.push(() => one.ws.close(), () => two.ws.close(), () => other.ws.close())
    const codes: string[] = []
    for (let i = 0; i < PER_ADDRESS; i++) codes.push(await codeOf((i % 2 ? two : one).client.call('system.ping', { nonce: String(i) })))
    expect(codes).toEqual(Array(PER_ADDRESS).fill('ok'))
    expect(await one.client.call('system.ping', { nonce: 'over' }).catch((e: unknown) => e)).toMatchObject({ code: 'rpc.rate_limited', details: { bucket: 'address' } })
    expect(await codeOf(two.client.call('assets.tree', {}))).toBe('rpc.rate_limited')
    // an operator method without a login from the flooded address: refused by the bucket before the login check
    expect(await codeOf(two.client.call('opcua.write', { connection: 'demo-opcua', nodeId: 'ns=1;s=Line1.Pump101.SpeedSetpoint', value: 1 }))).toBe('rpc.rate_limited')
    expect(await other.client.call('system.ping', { nonce: 'served' })).toMatchObject({ nonce: 'served' })
  })

  it('counted in system.diagnostics, by bucket; the audit trail has one entry per source, method and code', async () => {
    const d = await admin.client.call('system.diagnostics', {})
    // per user: 10 + 1 + 1 (flood's two sockets); per address: 1 + 1 + 1 (127.0.0.7)
    expect(d.rpc.rateLimited).toEqual({ byUser: 12, byAddress: 3 })
    expect(d.rpc.rejected['rpc.rate_limited']).toBe(15)
    // the first rate-limited commands.cancel of flood is written; the other 10 are folded (their count comes when the minute ends)
    await written("action = 'rpc.refused' AND target = 'opcua.write' AND result = 'rpc.rate_limited'", 'the refusals audited')
    const refused = (await trail()).filter((e) => e.action === 'rpc.refused').map((e) => [e.user, e.from, e.target, e.result])
    expect(refused).toEqual([
      ['flood', 'ws 127.0.0.3', 'commands.cancel', 'rpc.rate_limited'],
      [null, 'ws 127.0.0.7', 'opcua.write', 'rpc.rate_limited'],
    ])
    expect(d.refusals).toMatchObject({ seen: 12, folded: 10 })
  })
})

describe('refusals before any handler are audited (headless server)', () => {
  it('a forged session cookie, a write without a login, a viewer\'s write and a wrong password: each refused with its code and in the trail; the server keeps serving', async () => {
    const port = new URL(server.url).port
    const forged = await openClient(wsUrl(), { Cookie: `plantdeck_session_${port}=forged-secret-forged-secret-forged-secret-00` }, { localAddress: '127.0.0.9' })
    closers.push(() => forged.ws.close())
    expect((await forged.client.call('auth.status', {})).principal).toBeNull() // nobody: the kiosk at most
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(forged.client.call('opcua.write', { connection: 'demo-opcua', nodeId: 'ns=1;s=Line1.Pump101.SpeedSetpoint', value: 99 }))).toBe('auth.required')
    }
    await admin.client.call('users.create', { name: 'vic', password: TEST_PASSWORD, role: 'viewer' })
    const viewer = await from('127.0.0.10', await loginCookie(server.url, 'vic'))
    closers.push(() => viewer.ws.close())
    expect(await codeOf(viewer.client.call('model.create', { parent: null, name: 'X', kind: 'site' }))).toBe('auth.forbidden')
    expect(await codeOf(viewer.client.call('users.list', {}))).toBe('auth.forbidden')
    await expect(loginCookie(server.url, ADMIN_USER, 'not the password')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    // nothing was written: the setpoint is the simulated plant's
    expect((await admin.client.call('opcua.attributes', { connection: 'demo-opcua', nodeId: 'ns=1;s=Line1.Pump101.SpeedSetpoint' })).value).toBe(70)
    await written("action = 'rpc.refused' AND user = 'vic' AND target = 'users.list'", 'the viewer\'s refusals audited')
    const all = await trail()
    expect(all.filter((e) => e.action === 'auth.bad_session').map((e) => [e.from, e.target, e.result])).toEqual([['ws 127.0.0.9', 'session secret', 'auth.bad_session']])
    const refused = all.filter((e) => e.action === 'rpc.refused' && e.from !== 'ws 127.0.0.3' && e.from !== 'ws 127.0.0.7')
    expect(refused.map((e) => [e.user, e.from, e.target, e.result])).toEqual([
      [null, 'ws 127.0.0.9', 'opcua.write', 'auth.required'], // once, not five times
      ['vic', 'ws 127.0.0.10', 'model.create', 'auth.forbidden'],
      ['vic', 'ws 127.0.0.10', 'users.list', 'auth.forbidden'],
    ])
    expect(all.filter((e) => e.action === 'auth.login_failed').at(-1)).toMatchObject({ user: null, target: ADMIN_USER, result: 'auth.bad_credentials', from: expect.stringMatching(/^http /) })
    expect(await admin.client.call('audit.verify', {})).toMatchObject({ ok: true })
    expect(await admin.client.call('system.ping', { nonce: 'alive' })).toMatchObject({ nonce: 'alive' })
  })
})
