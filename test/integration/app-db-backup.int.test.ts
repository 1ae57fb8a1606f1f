import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { checkAppDbFile, lockFile, restoreAppDb } from '../../src/adapters/app-db/backup'
import { LATEST_VERSION, migrate, migrations } from '../../src/adapters/app-db/migrations'
import { openAppDb } from '../../src/adapters/app-db/sqlite-asset-store'
import { startRuntime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import { tempDir } from '../fixtures/store/engine'
import { thrownCode } from '../../src/core/testing/error-text'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi } from '../helpers/login'

const files = tempDir('app-db-backup')
afterAll(files.cleanup)
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
const config = AppConfig.parse({ demo: { enabled: false } })
const start = (dataDir: string) => startRuntime({ config, dataDir, logger: silent, host: 'test', version: '0.0.0-test', scrypt: TEST_SCRYPT })
/** The command line, as `npm run assets:*` runs it. */
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/assets-cli.ts', ...args], { encoding: 'utf8' })
  return { status: r.status, out: r.stdout, err: r.stderr }
}
const codeOf = thrownCode

describe('backup and restore of the application database', () => {
  it('backup (model.backup and the CLI) -> change -> restore -> the change is gone, ids the same; refused while running', async () => {
    const dataDir = files.path('data')
    const first = await start(dataDir)
    const api = await openApi(first)
    const line = await api.call('model.create', { parent: null, name: 'Line 2', kind: 'line' })
    const pump = await api.call('model.create', { parent: line.id, name: 'P-201', kind: 'equipment', attributes: [{ name: 'Flow', dataType: 'number' }] })
    const b = await api.call('model.backup', {})
    expect(b.file.startsWith(join(dataDir, 'backups', 'app-'))).toBe(true)
    expect(b.bytes).toBe(statSync(b.file).size)
    // the CLI backs up while Plantdeck runs, too
    const viaCli = cli('backup', '--data-dir', dataDir, '--out', files.path('cli.db'))
    expect(viaCli.status, viaCli.err).toBe(0)
    expect(JSON.parse(viaCli.out).file).toBe(files.path('cli.db'))

    await api.call('model.update', { id: pump.id, name: 'P-201 renamed' })
    await api.call('model.create', { parent: null, name: 'Later', kind: 'site' })
    // restore while running: refused, nothing replaced
    expect(codeOf(() => restoreAppDb({ dataDir, from: b.file }))).toBe('model.in_use')
    const refused = cli('restore', '--data-dir', dataDir, '--from', b.file)
    expect(refused.status).toBe(1)
    expect(refused.err).toMatch(/^model\.in_use: /)
    expect(existsSync(join(dataDir, 'app.db.bak'))).toBe(false)
    api.close()
    await first.stop()

    const done = cli('restore', '--data-dir', dataDir, '--from', viaCli.out && JSON.parse(viaCli.out).file)
    expect(done.status, done.err).toBe(0)
    expect(JSON.parse(done.out)).toMatchObject({ from: LATEST_VERSION, to: LATEST_VERSION, previous: join(dataDir, 'app.db.bak') })

    const second = await start(dataDir)
    const again = await openApi(second) // the administrator is in the restored app.db: the backup was made after the setup
    expect((await again.call('model.get', { id: pump.id })).name).toBe('P-201')
    expect((await again.call('model.resolve', { path: 'Line 2/P-201' })).asset.id).toBe(pump.id)
    expect((await again.call('model.children', { parent: null })).items.map((a) => a.name)).toEqual(['Line 2'])
    again.close()
    await second.stop()
    // the replaced file is kept, with the change in it
    const bak = new Database(join(dataDir, 'app.db.bak'), { readonly: true })
    expect(bak.prepare('SELECT name FROM asset WHERE id = ?').pluck().get(pump.id)).toBe('P-201 renamed')
    bak.close()
  })

  it('a damaged app.db is replaced by the backup: nothing carried from it, said in the answer, the damaged file kept', () => {
    const dataDir = files.path('damaged')
    mkdirSync(dataDir, { recursive: true })
    const good = openAppDb({ path: join(dataDir, 'app.db') })
    good.create({ parent: null, name: 'Kept line', kind: 'line' }, 'test')
    const backup = files.path('damaged-backup.db')
    good.db.prepare('VACUUM INTO ?').run(backup)
    good.close()
    writeFileSync(join(dataDir, 'app.db'), 'not a database, '.repeat(200))
    const r = restoreAppDb({ dataDir, from: backup })
    expect(r.notCarried).toMatch(/app\.db\.bak could not be read \(file is not a database\): nothing carried over/)
    expect(r.journalCarried).toBeUndefined()
    expect(r.usersCarried).toBeUndefined()
    const db = new Database(join(dataDir, 'app.db'), { readonly: true })
    expect(db.prepare('SELECT name FROM asset').pluck().all()).toEqual(['Kept line'])
    db.close()
    expect(statSync(join(dataDir, 'app.db.bak')).size).toBe(3200) // the damaged file, as it was
  })

  it('a lock left by a process that is gone (a crash) does not block a restore', () => {
    const dataDir = files.path('stale')
    mkdirSync(dataDir, { recursive: true })
    const db = openAppDb({ path: join(dataDir, 'app.db') })
    db.create({ parent: null, name: 'A', kind: 'site' }, 't')
    db.db.close() // like a crash: the lock stays
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!
    writeFileSync(lockFile(join(dataDir, 'app.db')), String(gone))
    const copy = files.path('stale-copy.db')
    const src = openAppDb({ path: copy })
    src.close()
    expect(restoreAppDb({ dataDir, from: copy })).toMatchObject({ to: LATEST_VERSION })
  })

  it('refuses a file that is no app.db, is damaged or is newer, and leaves app.db as it was', () => {
    const dataDir = files.path('refuse')
    mkdirSync(dataDir, { recursive: true })
    const current = openAppDb({ path: join(dataDir, 'app.db') })
    current.create({ parent: null, name: 'Keep me', kind: 'site' }, 't')
    current.close()
    const text = files.path('notes.txt')
    writeFileSync(text, 'not a database at all, but long enough to look like a header...'.repeat(20))
    const other = files.path('other.db')
    new Database(other).exec('CREATE TABLE x (a); PRAGMA user_version = 1').close()
    const newer = files.path('newer.db')
    const n = openAppDb({ path: newer })
    n.db.pragma(`user_version = ${LATEST_VERSION + 1}`)
    n.close()
    for (const from of [text, other, newer, files.path('missing.db')]) {
      expect(codeOf(() => restoreAppDb({ dataDir, from })), from).toBe('model.bad_backup')
    }
    expect(codeOf(() => checkAppDbFile(newer))).toBe('model.bad_backup')
    expect(existsSync(join(dataDir, 'app.db.bak'))).toBe(false)
    const after = openAppDb({ path: join(dataDir, 'app.db') })
    expect(after.byPath('Keep me')).toBeDefined()
    after.close()
  })

  it('a file from an older schema version upgrades through the migrations on restore', () => {
    // version 1 (the oldest with tables), filled by plain SQL as 001 defined it, so later migrations must keep it
    const old = files.path('v1.db')
    const v1 = new Database(old)
    migrate(v1, 1)
    v1.prepare(
      "INSERT INTO asset (id, parent, name, description, kind, template, attributes, attribute_count, attribute_names, units, path) VALUES ('a-1', '', 'Old site', '', 'site', NULL, '[]', 0, '', '', 'Old site')",
    ).run()
    v1.close()
    const dataDir = files.path('older')
    mkdirSync(dataDir, { recursive: true })
    expect(restoreAppDb({ dataDir, from: old })).toMatchObject({ from: 1, to: LATEST_VERSION })
    const db = openAppDb({ path: join(dataDir, 'app.db') })
    expect(db.byPath('Old site')!.id).toBe('a-1')
    db.close()
    // and through a step this build does not have yet (until 002 exists): the restore applies it
    const probe = (d: Database.Database) => void d.exec('CREATE TABLE probe (x)')
    const dir2 = files.path('older2')
    mkdirSync(dir2, { recursive: true })
    expect(restoreAppDb({ dataDir: dir2, from: old, steps: [...migrations, probe] })).toMatchObject({ from: 1, to: migrations.length + 1 })
    const up = new Database(join(dir2, 'app.db'), { readonly: true })
    expect(up.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'probe'").pluck().get()).toBe(1)
    expect(up.prepare("SELECT name FROM asset WHERE id = 'a-1'").pluck().get()).toBe('Old site')
    up.close()
  })

  it('model.import tells the calling session its progress, ending at the total', async () => {
    const dataDir = files.path('progress')
    const rt = await start(dataDir)
    const api = await openApi(rt)
    const progress: { phase: string; done: number; total: number }[] = []
    api.on('model.importProgress', (p) => void progress.push(p))
    const rows = ['path,kind,attribute,data type', ...Array.from({ length: 300 }, (_, k) => `Big/A${k},unit,v,number`)]
    rows.splice(1, 0, 'Big,site,,')
    const r = await api.call('model.import', { text: rows.join('\n'), format: 'csv', mode: 'by-path' })
    expect(r.create).toHaveLength(301)
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.filter((p) => p.phase === 'write').at(-1)).toEqual({ phase: 'write', done: 301, total: 301 })
    expect(progress.at(-1)).toEqual({ phase: 'write', done: 301, total: 301 })
    api.close()
    await rt.stop()
  })
})
