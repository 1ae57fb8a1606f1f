import { describe, expect, it } from 'vitest'
import { nodeIdentityCrypto, TEST_SCRYPT } from '../../adapters/identity/node-crypto'
import { silentLogger } from '../ports/logger'
import { Identity, type IdentityOptions } from './identity'
import { MemoryAuditTrail } from '../audit/memory-audit-trail'
import { MemoryUserStore } from './memory-users'

const PW = 'correct horse battery'

function make(options: IdentityOptions = {}) {
  let now = 1_000_000
  const clock = { now: () => now }
  const users = new MemoryUserStore()
  const audit = new MemoryAuditTrail({ now: () => clock.now() })
  const identity = new Identity({ users, crypto: nodeIdentityCrypto(TEST_SCRYPT), audit, clock, log: silentLogger, options })
  return { identity, users, audit, advance: (ms: number) => (now += ms), actions: () => audit.list.map((e) => `${e.action}:${e.result}`) }
}

describe('Identity', () => {
  it('first start: setup from this machine creates an admin and logs in; from elsewhere or twice it is closed', async () => {
    const { identity, users, actions } = make()
    expect(identity.setupRequired()).toBe(true)
    await expect(identity.setup('admin', PW, 'ws 192.0.2.7', false)).rejects.toMatchObject({ code: 'auth.setup_closed' })
    await expect(identity.setup('admin', 'short', 'memory', true)).rejects.toMatchObject({ code: 'auth.weak_password' })
    const r = await identity.setup('admin', PW, 'memory', true)
    expect(r.principal).toMatchObject({ kind: 'user', user: 'admin', roles: ['admin'], sessionId: r.session.id })
    expect(users.getUser('admin')!.passwordHash).toMatch(/^scrypt\$1024\$8\$1\$/)
    expect(users.getUser('admin')!.passwordHash).not.toContain(PW)
    expect(users.getSession(r.session.id)!.secretHash).toBe(nodeIdentityCrypto().digest(r.secret)) // the secret itself is not stored
    expect(identity.setupRequired()).toBe(false)
    await expect(identity.setup('admin2', PW, 'memory', true)).rejects.toMatchObject({ code: 'auth.setup_closed' })
    expect(actions()).toEqual(['auth.setup:ok', 'auth.login:ok'])
  })

  it('refuses a wrong password and an unknown user alike, audits both, and locks after 5 (per user and per address)', async () => {
    const { identity, advance, audit } = make()
    await identity.setup('admin', PW, 'memory', true)
    await expect(identity.login('admin', 'wrong password', 'ws 192.0.2.1')).rejects.toMatchObject({ code: 'auth.bad_credentials', message: 'wrong user name or password' })
    await expect(identity.login('nobody', PW, 'ws 192.0.2.2')).rejects.toMatchObject({ code: 'auth.bad_credentials', message: 'wrong user name or password' })
    for (let i = 0; i < 4; i++) await expect(identity.login('admin', 'wrong password', `ws 192.0.2.${10 + i}`)).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    // five failures for "admin": locked even with the right password, from anywhere
    await expect(identity.login('admin', PW, 'ws 192.0.2.99')).rejects.toMatchObject({ code: 'auth.locked' })
    advance(1000)
    await expect(identity.login('admin', PW, 'ws 192.0.2.99')).resolves.toMatchObject({ principal: { user: 'admin' } })
    // one address trying many names is locked too
    for (let i = 0; i < 5; i++) await expect(identity.login(`u${i}`, PW, 'ws 198.51.100.1')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    await expect(identity.login('admin', PW, 'ws 198.51.100.1')).rejects.toMatchObject({ code: 'auth.locked' })
    await new Promise((r) => setTimeout(r, 0)) // the quiet audit entries settle
    const failed = audit.list.filter((e) => e.action === 'auth.login_failed')
    expect(failed.length).toBe(13)
    expect(failed[0]).toMatchObject({ user: null, target: 'admin', from: 'ws 192.0.2.1', result: 'auth.bad_credentials' })
    expect(identity.diagnostics()).toMatchObject({ loginFailures: 11, refusedLocked: 2 })
  })

  it('sessions end when idle and at the absolute expiry; a forged secret is refused', async () => {
    const { identity, advance } = make({ idleMs: 60_000, absoluteMs: 300_000 })
    const r = await identity.setup('admin', PW, 'memory', true)
    expect(identity.resolve(r.secret, 'ws 127.0.0.1')).toMatchObject({ user: 'admin', from: 'ws 127.0.0.1' })
    expect(() => identity.resolve('forged' + r.secret.slice(6), 'x')).toThrow(expect.objectContaining({ code: 'auth.bad_session' }))
    expect(() => identity.resolve('', 'x')).toThrow(expect.objectContaining({ code: 'auth.bad_session' }))
    // kept alive by calls every 50 s, until the absolute expiry
    for (let t = 0; t < 250_000; t += 50_000) {
      advance(50_000)
      expect(identity.check(r.principal).user).toBe('admin')
    }
    advance(50_001)
    expect(() => identity.check(r.principal)).toThrow(expect.objectContaining({ code: 'auth.expired' }))
    expect(() => identity.check(r.principal)).toThrow(expect.objectContaining({ code: 'auth.bad_session' })) // gone now
    const idle = await identity.login('admin', PW, 'memory')
    advance(60_001)
    expect(() => identity.resolve(idle.secret, 'memory')).toThrow(expect.objectContaining({ code: 'auth.expired' }))
  })

  it('a password change ends the other sessions, keeps this one; revoke ends one; a reset ends all', async () => {
    const { identity, actions } = make()
    const admin = await identity.setup('admin', PW, 'memory', true)
    await identity.createUser(admin.principal, { name: 'olga', password: 'operator pass 1', role: 'operator', scopes: ['Plant/Line 1'] })
    const a = await identity.login('olga', 'operator pass 1', 'ws 192.0.2.1')
    const b = await identity.login('olga', 'operator pass 1', 'ws 192.0.2.2')
    const c = await identity.login('olga', 'operator pass 1', 'ws 192.0.2.3')
    expect(a.principal).toMatchObject({ roles: ['operator'], scopes: ['Plant/Line 1'] })
    await expect(identity.changePassword(a.principal, 'wrong one here', 'operator pass 2')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    await expect(identity.changePassword(a.principal, 'operator pass 1', 'short')).rejects.toMatchObject({ code: 'auth.weak_password' })
    expect(await identity.changePassword(a.principal, 'operator pass 1', 'operator pass 2')).toBe(2)
    expect(identity.check(a.principal).user).toBe('olga')
    expect(() => identity.check(b.principal)).toThrow(expect.objectContaining({ code: 'auth.bad_session' }))
    expect(() => identity.resolve(c.secret, 'x')).toThrow(expect.objectContaining({ code: 'auth.bad_session' }))
    await expect(identity.login('olga', 'operator pass 1', 'memory')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    const d = await identity.login('olga', 'operator pass 2', 'memory')
    await expect(identity.revoke(admin.session.id, d.principal, false)).rejects.toMatchObject({ code: 'auth.forbidden' })
    expect(await identity.revoke(d.session.id, admin.principal, true)).toBe(true)
    expect(() => identity.check(d.principal)).toThrow(expect.objectContaining({ code: 'auth.bad_session' }))
    expect(await identity.resetPassword(admin.principal, 'olga', 'operator pass 3')).toBe(1) // a's
    expect(() => identity.check(a.principal)).toThrow(expect.objectContaining({ code: 'auth.bad_session' }))
    expect(actions()).toContain('auth.password_change:ok')
    expect(actions()).toContain('auth.session_end:ok')
    expect(actions()).toContain('user.reset_password:ok')
  })

  it('a role change applies at the next call; disabling ends the sessions; the last admin is never removed or demoted', async () => {
    const { identity } = make()
    const admin = await identity.setup('admin', PW, 'memory', true)
    await identity.createUser(admin.principal, { name: 'eve', password: 'engineer pass', role: 'engineer' })
    await expect(identity.createUser(admin.principal, { name: 'EVE', password: 'engineer pass', role: 'viewer' })).rejects.toMatchObject({ code: 'auth.user_exists' })
    await expect(identity.createUser(admin.principal, { name: 'kiosk', password: 'engineer pass', role: 'viewer' })).rejects.toMatchObject({ code: 'auth.user_exists' })
    const e = await identity.login('eve', 'engineer pass', 'memory')
    await identity.updateUser(admin.principal, 'eve', { role: 'viewer' })
    expect(identity.check(e.principal).roles).toEqual(['viewer'])
    await identity.updateUser(admin.principal, 'eve', { disabled: true })
    expect(() => identity.check(e.principal)).toThrow(expect.objectContaining({ code: 'auth.bad_session' }))
    await expect(identity.login('eve', 'engineer pass', 'memory')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    await expect(identity.updateUser(admin.principal, 'admin', { role: 'engineer' })).rejects.toMatchObject({ code: 'auth.last_admin' })
    await expect(identity.updateUser(admin.principal, 'admin', { disabled: true })).rejects.toMatchObject({ code: 'auth.last_admin' })
    await expect(identity.deleteUser(admin.principal, 'admin')).rejects.toMatchObject({ code: 'auth.last_admin' })
    await identity.createUser(admin.principal, { name: 'ada', password: 'second admin', role: 'admin' })
    await identity.updateUser(admin.principal, 'admin', { role: 'engineer' })
    expect(await identity.deleteUser(admin.principal, 'eve')).toBe(true)
    await expect(identity.updateUser(admin.principal, 'eve', { role: 'admin' })).rejects.toMatchObject({ code: 'auth.unknown_user' })
  })

  it('fails closed: a login or a user change whose audit entry cannot be written does not happen', async () => {
    const { identity, audit, users } = make()
    const admin = await identity.setup('admin', PW, 'memory', true)
    audit.failing = true
    await expect(identity.login('admin', PW, 'memory')).rejects.toMatchObject({ code: 'audit.write_failed' })
    expect(users.listSessions('admin')).toHaveLength(1) // only setup's
    await expect(identity.createUser(admin.principal, { name: 'x1', password: 'some password', role: 'viewer' })).rejects.toMatchObject({ code: 'audit.write_failed' })
    expect(users.getUser('x1')).toBeUndefined()
  })

  it('verify (the two-person rule) checks credentials without a session, throttled like a login', async () => {
    const { identity, users } = make()
    await identity.setup('admin', PW, 'memory', true)
    expect(await identity.verify('admin', PW, 'memory')).toMatchObject({ user: 'admin', roles: ['admin'] })
    expect(await identity.verify('admin', PW, 'memory')).not.toHaveProperty('sessionId')
    expect(users.listSessions()).toHaveLength(1)
    for (let i = 0; i < 5; i++) await expect(identity.verify('admin', 'nope nope nope', 'memory')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    await expect(identity.verify('admin', PW, 'memory')).rejects.toMatchObject({ code: 'auth.locked' })
  })

  it('ensureAdmin (the command line) creates the first admin only', async () => {
    const { identity } = make()
    expect(await identity.ensureAdmin('root', PW)).toBe('created')
    expect(await identity.ensureAdmin('root', 'another password')).toBe('exists')
    expect(await identity.ensureAdmin('other', PW)).toBe('users-exist')
    await expect(identity.login('root', PW, 'memory')).resolves.toMatchObject({ principal: { roles: ['admin'] } })
  })

  it('a new Identity over the same trail and users recalls the last hour: a lock stays, a later login clears the user, older failures are forgotten', async () => {
    let now = 1_000_000
    const clock = { now: () => now }
    const users = new MemoryUserStore()
    const audit = new MemoryAuditTrail({ now: () => clock.now() })
    const first = new Identity({ users, crypto: nodeIdentityCrypto(TEST_SCRYPT), audit, clock, log: silentLogger })
    const setup = await first.setup('admin', PW, 'memory', true)
    await first.createUser(setup.principal, { name: 'ops', password: PW, role: 'operator' })
    // old: 4 failures of ops two hours ago (forgotten by now); then 5 of bob from one address (locks bob and it)
    for (let i = 0; i < 4; i++) await expect(first.login('ops', 'wrong password', `ws 192.0.2.${i}`)).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    now += 2 * 3_600_000
    for (let i = 0; i < 5; i++) await expect(first.login('bob', 'wrong password', 'ws 192.0.2.50')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    // admin: 4 failures, then a login from elsewhere, which clears the user's count
    for (let i = 0; i < 4; i++) await expect(first.login('admin', 'wrong password', `ws 192.0.2.${60 + i}`)).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    await first.login('admin', PW, 'ws 192.0.2.70')
    now += 500 // within bob's 1 s lock

    const second = new Identity({ users, crypto: nodeIdentityCrypto(TEST_SCRYPT), audit, clock, log: silentLogger })
    expect(second.recallFailures(audit)).toBe(9) // bob's 5 and admin's 4; ops's are older than an hour
    expect(second.diagnostics()).toMatchObject({ recalledFailures: 9, loginFailures: 0, locks: 0 })
    await expect(second.login('bob', 'anything at all', 'ws 192.0.2.99')).rejects.toMatchObject({ code: 'auth.locked' })
    await expect(second.login('admin', PW, 'ws 192.0.2.50')).rejects.toMatchObject({ code: 'auth.locked' }) // the address
    // admin's count starts from its login: one more failure does not lock it
    await expect(second.login('admin', 'wrong password', 'ws 192.0.2.80')).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    expect((await second.login('admin', PW, 'ws 192.0.2.81')).principal.user).toBe('admin')
    // ops: 4 forgotten failures + 4 now = no lock
    for (let i = 0; i < 4; i++) await expect(second.login('ops', 'wrong password', `ws 192.0.2.${90 + i}`)).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    expect((await second.login('ops', PW, 'ws 192.0.2.95')).principal.user).toBe('ops')
  })
})
