import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { LATEST_VERSION, migrate, migrations } from '../../src/adapters/app-db/migrations'
import { openAppDb } from '../../src/adapters/app-db/sqlite-asset-store'
import { tempDir } from '../fixtures/store/engine'

const files = tempDir('app-db-migrations')
afterAll(files.cleanup)

/** What a file at each earlier version holds; each later migration must keep it. */
const versions: Record<number, (db: Database.Database) => void> = {
  0: () => {},
  // version 1: a template id was a plain string on the asset
  1: (db) => {
    db.prepare(
      `INSERT INTO asset (id, parent, name, description, kind, template, attributes, attribute_count, attribute_names, units, path)
       VALUES ('p1', '', 'P-1', '', 'equipment', 'centrifugal-pump', '[]', 0, '', '', 'P-1')`,
    ).run()
  },
  // version 2: the FTS5 index was kept by triggers; these rows were indexed by them
  2: (db) => {
    db.prepare(
      `INSERT INTO asset (id, parent, name, description, kind, template, attributes, attribute_count, attribute_names, units, path)
       VALUES ('s1', '', 'Old site', '', 'site', NULL, '[]', 0, '', '', 'Old site'), ('u1', 's1', 'Boiler', '', 'unit', NULL, '[{"name":"Steam","dataType":"number","unit":"bar"}]', 1, 'Steam', 'bar', 'Old site/Boiler')`,
    ).run()
  },
  // version 3: the writer keeps the FTS5 index; no alarm journal yet
  3: () => {},
  // version 4: the alarm journal; no alarm states, no users yet
  4: () => {},
  // version 5: alarm states kept across restarts; no users yet (a file from before logins)
  5: (db) => {
    db.prepare(
      `INSERT INTO alarm_state (key, state, active, acked, latched_clear, occurrence, raised_at, changed_at, shelved_until, shelve_reason, suppressed, out_of_service, value, message)
       VALUES ('p1/Level/hi', 'acked', 1, 1, 0, 3, 1000, 2000, NULL, NULL, 0, 0, '91.5', 'P-1 level high: 91.5 %')`,
    ).run()
  },
  // version 6: users and login sessions; no workspaces yet
  6: (db) => {
    db.prepare(`INSERT INTO users (name, role, scopes, disabled, password_hash, created_at, updated_at, password_changed_at) VALUES ('olga', 'operator', NULL, 0, 'scrypt$x', 1, 1, 1)`).run()
  },
}

describe('application database migrations (one per file, user_version)', () => {
  it('has a fixture for every earlier version', () => {
    expect(Object.keys(versions).map(Number)).toEqual([...Array(LATEST_VERSION).keys()])
  })

  for (const [from, fill] of Object.entries(versions)) {
    it(`upgrades a version ${from} file to the latest, and the model works on it`, () => {
      const path = files.path(`v${from}.db`)
      const old = new Database(path)
      migrate(old, Number(from))
      fill(old)
      old.close()
      const db = openAppDb({ path })
      expect(db.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION)
      const a = db.create({ parent: null, name: 'A', kind: 'area', attributes: [{ name: 'Temp', dataType: 'number', unit: 'degC' }] }, 't')
      expect(db.search('temp', 5).map((s) => s.id)).toEqual([a.id])
      // the alarm journal is there on every upgraded file
      expect(db.db.prepare('SELECT COUNT(*) FROM alarm_journal').pluck().get()).toBe(0)
      // a version 5 file's alarm states survive the migrations after it
      expect(db.db.prepare('SELECT COUNT(*) FROM alarm_state').pluck().get()).toBe(Number(from) === 5 ? 1 : 0)
      // and the users and login sessions (migration 006)
      expect(db.db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(Number(from) === 6 ? 1 : 0)
      expect(db.db.prepare('SELECT COUNT(*) FROM login_sessions').pluck().get()).toBe(0)
      // and the users' workspaces (migration 007), keyed to their user
      expect(db.db.prepare('SELECT COUNT(*) FROM workspace').pluck().get()).toBe(0)
      if (Number(from) === 6) {
        db.db.prepare(`INSERT INTO workspace (user, data, saved_at) VALUES ('OLGA', '{}', 2)`).run()
        db.db.prepare(`DELETE FROM users WHERE name = 'olga'`).run()
        expect(db.db.prepare('SELECT COUNT(*) FROM workspace').pluck().get()).toBe(0)
      }
      if (Number(from) === 1) {
        // the plain template id became a template of that id and name; the asset keeps it
        expect(db.templates().map((t) => [t.id, t.name, t.instanceCount])).toEqual([['centrifugal-pump', 'centrifugal-pump', 1]])
        expect(db.get('p1')!.templateId).toBe('centrifugal-pump')
        expect(db.changes({ limit: 5 }).map((c) => c.op)).toEqual(['create'])
      }
      if (Number(from) === 2) {
        // what the triggers indexed is found, renamed and deleted by the writer with the index kept exact
        const consistent = () => void db.db.prepare("INSERT INTO asset_fts (asset_fts, rank) VALUES ('integrity-check', 1)").run()
        expect(db.search('steam', 5).map((s) => s.id)).toEqual(['u1'])
        db.update('s1', { name: 'New site' }, 't')
        expect(db.search('new site boiler', 5).map((s) => s.path)).toEqual(['New site/Boiler'])
        expect(db.search('old', 5)).toEqual([])
        consistent()
        db.delete('s1', 't')
        expect(db.search('steam', 5)).toEqual([])
        consistent()
      }
      db.close()
    })
  }

  it('001 creates the asset, reference, FTS5 and change tables with their indexes and triggers', () => {
    const db = new Database(files.path('schema1.db'))
    migrate(db, 1)
    const names = db.prepare("SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND NOT (type = 'table' AND name LIKE 'asset_fts_%') ORDER BY 1").pluck().all()
    expect(names).toEqual([
      'index asset_path',
      'index asset_ref_asset',
      'index asset_sibling',
      'table asset',
      'table asset_fts',
      'table asset_ref',
      'table change',
      'trigger asset_fts_delete',
      'trigger asset_fts_insert',
      'trigger asset_fts_update',
    ])
    db.close()
  })

  it('002 adds the template table and its indexes, and the change log\'s template columns', () => {
    const db = new Database(files.path('schema2.db'))
    migrate(db, 2)
    const names = db.prepare("SELECT type || ' ' || name FROM sqlite_master WHERE name LIKE '%template%' AND name NOT LIKE 'sqlite_%' ORDER BY 1").pluck().all()
    expect(names).toEqual(['index asset_template', 'index template_base', 'table template'])
    const cols = db.prepare("SELECT name FROM pragma_table_info('change') WHERE name LIKE 'templates_%' ORDER BY 1").pluck().all()
    expect(cols).toEqual(['templates_after', 'templates_before'])
    db.close()
  })

  it('003 drops the FTS5 triggers (the writer keeps the index)', () => {
    const db = new Database(files.path('schema3.db'))
    migrate(db, 3)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all()).toEqual([])
    db.close()
  })

  it('004 adds the alarm journal, its indexes and its text index; applied again (after another branch\'s step) it changes nothing', () => {
    const db = new Database(files.path('schema4.db'))
    migrate(db, 4)
    const names = () => db.prepare("SELECT type || ' ' || name FROM sqlite_master WHERE name LIKE 'alarm_journal%' AND NOT (type = 'table' AND name LIKE 'alarm_journal_fts_%') ORDER BY 1").pluck().all()
    expect(names()).toEqual([
      'index alarm_journal_at',
      'index alarm_journal_event_at',
      'index alarm_journal_occurrence',
      'index alarm_journal_path',
      'index alarm_journal_priority',
      'index alarm_journal_state',
      'index alarm_journal_who',
      'table alarm_journal',
      'table alarm_journal_fts',
    ])
    db.prepare("INSERT INTO alarm_journal (at, key, asset_id, path, attribute, def_id, priority, event, state, message, who, occurrence) VALUES (1, 'k', 'a', 'A', 'T', 'hi', 'low', 'raise', 'unack', 'm', 'system', 1)").run()
    migrations[3]!(db)
    expect(names()).toHaveLength(9)
    expect(db.prepare('SELECT COUNT(*) FROM alarm_journal').pluck().get()).toBe(1)
    db.close()
  })

  it('005 adds the alarm state table (one row per key); applied again it keeps the rows', () => {
    const db = new Database(files.path('schema5.db'))
    migrate(db, 5)
    const cols = db.prepare("SELECT name FROM pragma_table_info('alarm_state') ORDER BY cid").pluck().all()
    expect(cols).toEqual(['key', 'state', 'active', 'acked', 'latched_clear', 'occurrence', 'raised_at', 'changed_at', 'shelved_until', 'shelve_reason', 'suppressed', 'out_of_service', 'value', 'message'])
    db.prepare("INSERT INTO alarm_state (key, state, active, acked, latched_clear, occurrence, changed_at, suppressed, out_of_service, message) VALUES ('a/T/hi', 'ack', 1, 1, 0, 3, 5, 0, 0, 'm')").run()
    expect(() => db.prepare("INSERT INTO alarm_state (key, state, active, acked, latched_clear, occurrence, changed_at, suppressed, out_of_service, message) VALUES ('a/T/hi', 'ack', 1, 1, 0, 3, 5, 0, 0, 'm')").run()).toThrow(/UNIQUE|PRIMARY KEY/)
    migrations[4]!(db)
    expect(db.prepare('SELECT COUNT(*) FROM alarm_state').pluck().get()).toBe(1)
    db.close()
  })

  it('refuses a file from a newer build, leaving it as it is', () => {
    const path = files.path('newer.db')
    const db = new Database(path)
    db.pragma(`user_version = ${LATEST_VERSION + 1}`)
    db.close()
    expect(() => openAppDb({ path })).toThrow(/newer than this build/)
    const again = new Database(path)
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 1)
    again.close()
  })
})
