import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { AppDbHandle } from '../../src/adapters/app-db/app-db-files'
import { startRuntime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import { tempDir } from '../fixtures/store/engine'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { connectApi, openApi, TEST_PASSWORD } from '../helpers/login'
import { restoreAppDb } from '../../src/adapters/app-db/backup'

const files = tempDir('app-db-restore-online')
afterAll(files.cleanup)
/** The stable code a promise rejects with. */
const thrownCode = (f: () => Promise<unknown>) => f().then(() => 'resolved', (e: { code?: string }) => e.code ?? String(e))
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }

describe('restoring the application database while Plantdeck runs', () => {
  it('swaps the file under the same store: the backup comes back, the replaced file is kept, bad names and files change nothing', async () => {
    const dataDir = files.path('data')
    mkdirSync(dataDir, { recursive: true })
    const h = new AppDbHandle(dataDir)
    const store = h.store
    const line = store.create({ parent: null, name: 'Line 1', kind: 'line' }, 't')
    const b = await h.files.backup()
    const later = store.create({ parent: null, name: 'Later', kind: 'site' }, 't')
    store.update(line.id, { name: 'Line 1 renamed' }, 't')
    expect(h.files.list().map((x) => x.name)).toEqual([basename(b.file)])

    // refused before anything is closed: a path outside the backups, a missing name, a file that is not an app.db
    expect(await thrownCode(() => h.files.restore('../app.db'))).toBe('model.bad_backup')
    expect(await thrownCode(() => h.files.restore('nope.db'))).toBe('model.bad_backup')
    writeFileSync(join(dataDir, 'backups', 'junk.db'), 'not sqlite')
    expect(await thrownCode(() => h.files.restore('junk.db'))).toBe('model.bad_backup')
    expect(store.get(later.id)?.name).toBe('Later') // still the running model

    const r = await h.files.restore(basename(b.file))
    expect(r).toMatchObject({ restored: basename(b.file), previous: join(dataDir, 'app.db.bak') })
    // the same store object now reads the backup: ids kept, the later change gone
    expect(store.get(line.id)?.name).toBe('Line 1')
    expect(store.get(later.id)).toBeUndefined()
    expect(store.children(null, { limit: 10 }).items.map((a) => a.name)).toEqual(['Line 1'])
    // and it writes: the restored file is open for changes
    store.create({ parent: line.id, name: 'P-1', kind: 'pump' }, 't')
    expect(store.byPath('Line 1/P-1')).toBeDefined()
    h.close()
    const bak = new Database(join(dataDir, 'app.db.bak'), { readonly: true })
    expect(bak.prepare('SELECT name FROM asset WHERE id = ?').pluck().get(later.id)).toBe('Later')
    bak.close()
  })

  it('through the API: model.backups lists, model.restore tells every window (model.changed, op restore)', async () => {
    const dataDir = files.path('api')
    const rt = await startRuntime({ config: AppConfig.parse({ demo: { enabled: false } }), dataDir, logger: silent, host: 'test', version: '0.0.0-test', scrypt: TEST_SCRYPT })
    // the administrator restores; another window (a second login) is told as well
    const api = await openApi(rt)
    const other = await openApi(rt)
    const seen: unknown[] = []
    const seenElsewhere: unknown[] = []
    api.on('model.changed', (p) => void seen.push(p))
    other.on('model.changed', (p) => void seenElsewhere.push(p))
    try {
      await api.call('model.create', { parent: null, name: 'Kept', kind: 'site' })
      await api.call('model.backup', {})
      await api.call('model.create', { parent: null, name: 'Gone', kind: 'site' })
      const list = await api.call('model.backups', {})
      expect(list.items).toHaveLength(1)
      await other.call('auth.status', {}) // a round trip: what was pushed to it before is in
      seen.length = 0
      seenElsewhere.length = 0
      await api.call('model.restore', { name: list.items[0]!.name })
      expect(seen).toEqual([expect.objectContaining({ op: 'restore', all: true })])
      expect((await other.call('model.children', { parent: null })).items.map((a) => a.name)).toEqual(['Kept'])
      expect(seenElsewhere).toEqual([expect.objectContaining({ op: 'restore', all: true })])
      expect((await api.call('model.children', { parent: null })).items.map((a) => a.name)).toEqual(['Kept'])
      expect(existsSync(join(dataDir, 'app.db.bak'))).toBe(true)
    } finally {
      api.close()
      other.close()
      await rt.stop()
    }
  })

  it('who may log in is not taken back in time: users, passwords and sessions since the backup stay; a fresh data dir gets the backup\'s users', async () => {
    const dataDir = files.path('users')
    const cfg = AppConfig.parse({ demo: { enabled: false } })
    const rt = await startRuntime({ config: cfg, dataDir, logger: silent, host: 'test', version: '0.0.0-test', scrypt: TEST_SCRYPT })
    const api = await openApi(rt)
    let backupFile = ''
    try {
      await api.call('users.create', { name: 'ops', password: TEST_PASSWORD, role: 'operator' })
      const b = await api.call('model.backup', {})
      backupFile = b.file
      // after the backup: ops leaves, a new operator joins, the administrator changes the password
      await api.call('users.delete', { name: 'ops' })
      await api.call('users.create', { name: 'later', password: TEST_PASSWORD, role: 'operator' })
      await api.call('auth.changePassword', { oldPassword: TEST_PASSWORD, newPassword: 'a changed admin password' })
      await api.call('model.restore', { name: basename(b.file) })
      // the restoring session goes on (its session row was carried over), and the users are today's
      expect((await api.call('users.list', {})).map((u) => u.name).sort()).toEqual(['admin', 'later'])
      const probe = connectApi(rt.rpc, { remote: '192.0.2.7' })
      expect(await thrownCode(() => probe.call('auth.login', { user: 'ops', password: TEST_PASSWORD }))).toBe('auth.bad_credentials')
      expect(await thrownCode(() => probe.call('auth.login', { user: 'admin', password: TEST_PASSWORD }))).toBe('auth.bad_credentials')
      expect((await probe.call('auth.login', { user: 'admin', password: 'a changed admin password' })).principal.user).toBe('admin')
      expect((await probe.call('auth.login', { user: 'later', password: TEST_PASSWORD })).principal.user).toBe('later')
      probe.close()
    } finally {
      api.close()
      await rt.stop()
    }
    // a workstation rebuilt from the backup: its app.db was made at a first start, nobody set up yet
    const fresh = files.path('rebuilt')
    const empty = await startRuntime({ config: cfg, dataDir: fresh, logger: silent, host: 'test', version: '0.0.0-test', scrypt: TEST_SCRYPT })
    await empty.stop()
    const r = restoreAppDb({ dataDir: fresh, from: backupFile })
    expect(r.usersCarried).toBeUndefined()
    const db = new Database(join(fresh, 'app.db'), { readonly: true })
    expect(db.prepare('SELECT name FROM users ORDER BY name').pluck().all()).toEqual(['admin', 'ops'])
    db.close()
  })
})
