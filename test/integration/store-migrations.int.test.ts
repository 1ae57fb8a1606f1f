import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import { LATEST_VERSION, migrate } from '../../src/adapters/sqlite/migrations'
import { encodeBlock } from '../../src/adapters/sqlite/codec/block-codec'
import { ColumnsBuilder } from '../../src/adapters/store-engine/columns'
import { HOUR, MINUTE, aggregate, coarsen } from '../../src/adapters/store-engine/rollup'
import { NOW, openEngine, tempDir } from '../fixtures/store/engine'
import { up as rollupsUp } from '../../src/adapters/sqlite/migrations/002-rollups'

const files = tempDir('store-migrations')
afterAll(files.cleanup)
const T0 = NOW - 3 * HOUR

/** What a file at each earlier version holds: `fill` writes data the way that version's code did. */
const versions: Record<number, (db: Database.Database) => void> = {
  0: () => {},
  1: (db) => {
    db.prepare("INSERT INTO signal (id, key, name, data_type, connection) VALUES (1, 'm/a', 'a', 'number', 'test')").run()
    const b = new ColumnsBuilder()
    for (let k = 0; k < 2 * 3600; k += 5) b.push(T0 + k * 1000, k % 17, 0)
    const c = b.view()
    db.prepare('INSERT INTO block (signal, t0, t1, n, data) VALUES (1, ?, ?, ?, ?)').run(c.ts[0], c.ts[c.n - 1], c.n, encodeBlock(c))
    db.prepare("UPDATE signal SET max_ts = ?, compacted_seq = 1 WHERE key = 'm/a'").run(c.ts[c.n - 1])
    db.prepare("UPDATE meta SET value = 1 WHERE key IN ('last_seq', 'compacted_seq')").run()
  },
  // version 2's files hold version 1's data with the rollups its migration backfilled
  2: (db) => {
    versions[1]!(db)
    db.exec('DROP TABLE rollup_1m; DROP TABLE rollup_1h')
    rollupsUp(db)
  },
  // version 3's files also had a single sync watermark, which version 4 turns into the cursor named `default`
  3: (db) => {
    versions[2]!(db)
    db.prepare("UPDATE meta SET value = 1 WHERE key = 'sync_seq'").run()
  },
}

describe('migrations', () => {
  it('has a fixture for every earlier version', () => {
    expect(Object.keys(versions).map(Number)).toEqual([...Array(LATEST_VERSION).keys()])
  })

  for (const [from, fill] of Object.entries(versions)) {
    it(`upgrades a version ${from} file to the latest, keeping its data`, () => {
      const path = files.path(`v${from}.db`)
      const old = new Database(path)
      migrate(old, Number(from))
      expect(old.pragma('user_version', { simple: true })).toBe(Number(from))
      fill(old)
      old.close()

      const t = openEngine(path)
      expect(t.engine.s.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION)
      if (Number(from) >= 1) {
        const raw = t.engine.queryRaw('m/a', 0, NOW, 1e6)
        expect(raw.t.length).toBe(1440)
        // Rollups did not exist in version 1: they are backfilled from the blocks.
        const b = new ColumnsBuilder()
        raw.t.forEach((ts, i) => b.push(ts, Number(raw.v[i]), 0))
        const minutes = aggregate(b.view(), MINUTE)
        expect(t.engine.s.rollups['1m'].read(1, 0, NOW)).toEqual(minutes)
        expect(t.engine.s.rollups['1h'].read(1, 0, NOW)).toEqual(coarsen(minutes, HOUR))
        // version 3 keeps asset paths: an old signal has none until the core names it
        expect(t.engine.listSignals()[0]?.assetPath).toBeUndefined()
        t.engine.registerSignals([{ id: 'm/a', name: 'a', dataType: 'number', connection: 'test', assetPath: 'Plant/A' }])
        expect(t.engine.listSignals()[0]?.assetPath).toBe('Plant/A')
        t.append([{ signal: 'm/a', ts: NOW - 1000, value: 1, quality: 'good' }])
        t.engine.maintain()
        expect(t.engine.count('m/a', 0, NOW)).toBe(1441)
        // version 4: the old watermark is the default cursor (only the version 3 fixture set one)
        expect(t.engine.cursors()).toEqual(Number(from) === 3 ? [{ name: 'default', seq: 1 }] : [])
        t.engine.setCursor('vm', 1)
        expect(t.engine.cursors()).toContainEqual({ name: 'vm', seq: 1 })
      } else {
        expect(t.engine.listSignals()).toEqual([])
      }
      t.engine.close()
    })
  }

  it('refuses a file from a newer version instead of guessing', async () => {
    const path = files.path('future.db')
    const db = new Database(path)
    db.pragma(`user_version = ${LATEST_VERSION + 1}`)
    db.close()
    expect(() => openEngine(path)).toThrow(/newer than this build/)
    await expect(openSqliteSampleStore({ path })).rejects.toThrow(/newer than this build/)
  })
})
