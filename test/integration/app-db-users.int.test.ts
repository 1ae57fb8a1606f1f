import { afterAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../src/adapters/app-db/sqlite-asset-store'
import { SqliteUserStore } from '../../src/adapters/app-db/users'
import { SqliteWorkspaceStore } from '../../src/adapters/app-db/workspaces'
import { DEFAULT_SCRYPT, nodeIdentityCrypto, TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import type { UserRecord } from '../../src/core/ports/users'
import { tempDir } from '../fixtures/store/engine'

const files = tempDir('app-db-users')
afterAll(files.cleanup)

const user = (name: string, o: Partial<UserRecord> = {}): UserRecord => ({ name, role: 'operator', scopes: ['Plant/Line 1'], disabled: false, passwordHash: 'scrypt$x', createdAt: 1, updatedAt: 1, passwordChangedAt: 1, ...o })

describe('users in app.db (SqliteUserStore)', () => {
  it('keeps users and sessions across a reopen; names without case; a user deleted takes its sessions', () => {
    const path = files.path('users.db')
    let db = openAppDb({ path })
    let s = new SqliteUserStore(() => db.db)
    s.createUser(user('Olga'))
    expect(() => s.createUser(user('olga'))).toThrow(expect.objectContaining({ code: 'auth.user_exists' }))
    s.createUser(user('eve', { role: 'engineer', scopes: null }))
    s.createSession({ id: 's1', user: 'Olga', secretHash: 'h1', from: 'ws 127.0.0.1', createdAt: 10, lastSeenAt: 10, expiresAt: 100 })
    s.createSession({ id: 's2', user: 'Olga', secretHash: 'h2', from: 'ipc', createdAt: 20, lastSeenAt: 20, expiresAt: 100 })
    s.createSession({ id: 's3', user: 'eve', secretHash: 'h3', from: 'ipc', createdAt: 30, lastSeenAt: 30, expiresAt: 100 })
    db.close()
    db = openAppDb({ path })
    s = new SqliteUserStore(() => db.db)
    expect(s.getUser('OLGA')).toMatchObject({ name: 'Olga', role: 'operator', scopes: ['Plant/Line 1'], disabled: false })
    expect(s.getUser('eve')!.scopes).toBeNull()
    expect(s.countUsers()).toBe(2)
    expect(s.sessionBySecretHash('h2')).toMatchObject({ id: 's2', from: 'ipc' })
    expect(s.listSessions('olga').map((x) => x.id)).toEqual(['s2', 's1'])
    s.updateUser('olga', { role: 'viewer', disabled: true, updatedAt: 5 })
    expect(s.getUser('Olga')).toMatchObject({ role: 'viewer', disabled: true, updatedAt: 5, passwordHash: 'scrypt$x' })
    expect(s.deleteSessionsOf('OLGA', 's1')).toEqual(['s2'])
    s.touchSession('s1', 50)
    expect(s.getSession('s1')!.lastSeenAt).toBe(50)
    expect(s.pruneSessions(60, 40)).toBe(1) // s3 idle since 30
    s.deleteUser('olga')
    expect(s.getSession('s1')).toBeUndefined()
    expect(s.listUsers().map((u) => u.name)).toEqual(['eve'])
    expect(() => db.db.prepare("UPDATE users SET role = 'root' WHERE name = 'eve'").run()).toThrow(/CHECK/)
    db.close()
  })
})

describe('node identity crypto (scrypt)', () => {
  it('hashes with a per-hash salt and its parameters, verifies in constant time, never throws on junk', async () => {
    const c = nodeIdentityCrypto(TEST_SCRYPT)
    const a = await c.hashPassword('pässword one')
    const b = await c.hashPassword('pässword one')
    expect(a).not.toBe(b)
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(await c.verifyPassword('pässword one', a)).toBe(true)
    expect(await c.verifyPassword('pa\u0308ssword one', a)).toBe(true) // NFC: the same text typed another way
    expect(await c.verifyPassword('password one', a)).toBe(false)
    expect(await c.verifyPassword('x', 'scrypt$3$8$1$AAAA$AAAA')).toBe(false)
    expect(await c.verifyPassword('x', 'plain')).toBe(false)
    expect(await c.verifyPassword('x', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false) // a cost nobody asked for is not run
    expect(c.needsRehash(a)).toBe(false)
    expect(nodeIdentityCrypto(DEFAULT_SCRYPT).needsRehash(a)).toBe(true)
    expect(c.newSecret()).toMatch(/^[\w-]{43}$/)
    expect(c.digest('s')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('the default cost (N=2^15, r=8) runs within its maxmem', async () => {
    const c = nodeIdentityCrypto()
    const h = await c.hashPassword('a long enough password')
    expect(h.startsWith('scrypt$32768$8$1$')).toBe(true)
    expect(await c.verifyPassword('a long enough password', h)).toBe(true)
  })

  it("keeps each user's workspace across a reopen (names without case), replaced whole, gone with its user", () => {
    const path = files.path('workspaces.db')
    let db = openAppDb({ path })
    const users = new SqliteUserStore(() => db.db)
    users.createUser(user('Olga'))
    users.createUser(user('eve'))
    let ws = new SqliteWorkspaceStore(() => db.db)
    ws.put('olga', { json: '{"a":1}', savedAt: 10 })
    ws.put('OLGA', { json: '{"a":2}', savedAt: 11 })
    ws.put('eve', { json: '{"e":1}', savedAt: 12 })
    db.close()
    db = openAppDb({ path })
    ws = new SqliteWorkspaceStore(() => db.db)
    expect(ws.get('Olga')).toEqual({ json: '{"a":2}', savedAt: 11 })
    expect(ws.get('nobody')).toBeUndefined()
    // a workspace for a name that is no user is refused by the database itself
    expect(() => ws.put('ghost', { json: '{}', savedAt: 1 })).toThrow(/FOREIGN KEY/)
    new SqliteUserStore(() => db.db).deleteUser('olga')
    expect(ws.get('olga')).toBeUndefined()
    expect(ws.get('eve')).toEqual({ json: '{"e":1}', savedAt: 12 })
    db.close()
  })
})
