import { mkdirSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import type Database from 'better-sqlite3'
import { carryOverJournal, createAlarmJournal } from '../../src/adapters/app-db/alarm-journal'
import { backupAppDb, restoreAppDb } from '../../src/adapters/app-db/backup'
import { openAppDb, type SqliteAssetStore } from '../../src/adapters/app-db/sqlite-asset-store'
import type { JournalFilter, JournalRecord } from '../../src/core/alarms/ports'
import type { JournalEntry } from '../../src/shared/contract/alarms'
import { thrownCode } from '../../src/core/testing/error-text'
import { tempDir } from '../fixtures/store/engine'
import { openAlarmJournal } from '../../src/app/runtime'
import { silentLogger } from '../../src/core/ports/logger'

const files = tempDir('alarm-journal')
afterAll(files.cleanup)

const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const
const CYCLE = [
  ['raise', 'unack'],
  ['ack', 'ack'],
  ['clear', 'normal'],
] as const
const T0 = 1_780_000_000_000

/** Entry i of the big journal: 50 alarms on 50 pumps in 5 areas, a raise/ack/clear cycle, 1 s apart. */
function record(i: number): JournalRecord {
  const p = i % 50
  const [event, state] = CYCLE[i % 3]!
  return {
    at: T0 + i * 1000,
    key: `pump-${p}/Temp/hi`,
    assetId: `pump-${p}`,
    path: `Plant/Area${p % 5}/Pump-${p}`,
    attribute: 'Temp',
    defId: 'hi',
    priority: PRIORITIES[i % 4]!,
    event,
    state,
    value: i % 7 === 0 ? null : i % 2 ? 80 + (i % 10) : 'over',
    message: `Pump ${p} temperature high ${i % 11 === 0 ? 'bearing' : 'casing'}`,
    who: event === 'ack' ? `operator ${i % 4}` : 'system',
    ...(event === 'ack' && i % 5 === 0 ? { note: `checked ${i}` } : {}),
    occurrence: Math.floor(i / 150) + 1,
  }
}

/** Every page of a query, newest first; checks each page's shape on the way. */
function walk(j: ReturnType<typeof createAlarmJournal>, filter: JournalFilter, limit: number): JournalEntry[] {
  const out: JournalEntry[] = []
  let before: number | undefined
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(1000)
    const page = j.query(filter, { before, limit })
    expect(page.items.length).toBeLessThanOrEqual(limit)
    if (page.next !== null) {
      expect(page.items.length).toBe(limit)
      expect(page.next).toBe(page.items[page.items.length - 1]!.id)
    }
    out.push(...page.items)
    if (page.next === null) return out
    before = page.next
  }
}

describe('alarm journal in the application database (real SQLite files)', () => {
  const path = files.path('big/app.db')
  let store: SqliteAssetStore
  let journal: ReturnType<typeof createAlarmJournal>
  const all: JournalRecord[] = []

  it('appends 100,000 entries in batches of 1,000, in order, one transaction per batch', () => {
    mkdirSync(files.path('big'), { recursive: true })
    store = openAppDb({ path })
    journal = createAlarmJournal(() => store.db)
    for (let b = 0; b < 100; b++) {
      const batch = Array.from({ length: 1000 }, (_, k) => record(b * 1000 + k))
      journal.append(batch)
      all.push(...batch)
    }
    expect(journal.count()).toBe(100_000)
    const ids = store.db.prepare('SELECT id FROM alarm_journal ORDER BY id').pluck().all() as number[]
    expect(ids[0]).toBe(1)
    expect(ids[ids.length - 1]).toBe(100_000)
    // entry n is record n-1: append order is id order
    const first = journal.query({}, { before: 2, limit: 1 }).items[0]!
    const { id, ...rest } = first
    expect(id).toBe(1)
    expect(rest).toEqual(record(0))
    expect(journal.query({}, { before: 101, limit: 1 }).items[0]).toEqual({ id: 100, ...record(99) })
  })

  it('pages the whole journal newest first without gaps or repeats', () => {
    const got = walk(journal, {}, 1000)
    expect(got.length).toBe(100_000)
    for (let k = 1; k < got.length; k++) if (got[k]!.id !== got[k - 1]!.id - 1) expect.fail(`gap at ${k}`)
    expect(got[0]).toEqual({ id: 100_000, ...record(99_999) })
    // a short last page
    const tail = journal.query({}, { before: 3, limit: 5 })
    expect(tail).toEqual({ items: [{ id: 2, ...record(1) }, { id: 1, ...record(0) }], next: null })
  })

  const ids = (pred: (r: JournalRecord) => boolean) =>
    all
      .map((r, k) => [r, k + 1] as const)
      .filter(([r]) => pred(r))
      .map(([, id]) => id)
      .reverse()
  const words = (r: JournalRecord) => `${r.message} ${r.path}`.toLowerCase().split(/[^\p{L}\p{N}_]+/u)
  /** The text filter's rule: every word typed is the start of a word of the message or path. */
  const matches = (text: string) => (r: JournalRecord) => text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean).every((q) => words(r).some((w) => w.startsWith(q)))

  const cases: [string, JournalFilter, (r: JournalRecord) => boolean][] = [
    ['time range (inclusive)', { from: T0 + 5_000_000, to: T0 + 5_100_000 }, (r) => r.at >= T0 + 5_000_000 && r.at <= T0 + 5_100_000],
    ['an area and everything under it', { pathPrefix: 'Plant/Area1' }, (r) => r.path.startsWith('Plant/Area1/')],
    ['one pump, not its namesakes (Pump-1 is not Pump-11)', { pathPrefix: 'Plant/Area1/Pump-1' }, (r) => r.path === 'Plant/Area1/Pump-1'],
    ['a prefix that is no whole segment matches nothing', { pathPrefix: 'Plant/Area' }, () => false],
    ['priorities', { priority: ['critical', 'low'] }, (r) => r.priority === 'critical' || r.priority === 'low'],
    ['states', { state: ['ack'] }, (r) => r.state === 'ack'],
    ['user', { who: 'operator 2' }, (r) => r.who === 'operator 2'],
    ['text: a word of the message, as a prefix', { text: 'bear' }, matches('bear')],
    ['text: words of message and path together (pump-3: words "pump" and "3", so also Pump-30...)', { text: 'bearing pump-3' }, matches('bearing pump-3')],
    ['text: two words of the path', { text: 'area4 bearing' }, (r) => r.path.startsWith('Plant/Area4/') && r.message.endsWith('bearing')],
    [
      'everything at once',
      { from: T0 + 1_000_000, to: T0 + 60_000_000, pathPrefix: 'Plant/Area2', priority: ['high', 'medium'], state: ['unack', 'ack'], text: 'casing' },
      (r) =>
        r.at >= T0 + 1_000_000 &&
        r.at <= T0 + 60_000_000 &&
        r.path.startsWith('Plant/Area2/') &&
        (r.priority === 'high' || r.priority === 'medium') &&
        (r.state === 'unack' || r.state === 'ack') &&
        r.message.endsWith('casing'),
    ],
    ['text of no word matches nothing', { text: '!!' }, () => false],
  ]
  for (const [name, filter, pred] of cases) {
    it(`filters: ${name}`, () => {
      const want = ids(pred)
      if (name.includes('nothing')) expect(want).toEqual([])
      else expect(want.length).toBeGreaterThan(10)
      expect(walk(journal, filter, 777).map((e) => e.id)).toEqual(want)
    })
  }

  it('prunes by age only (and the text index with it), answering how many', () => {
    const cut = T0 + 30_000 * 1000 // entries 0..29,999 are older
    expect(journal.prune(cut)).toBe(30_000)
    expect(journal.count()).toBe(70_000)
    expect(journal.prune(cut)).toBe(0)
    expect(walk(journal, { text: 'bearing' }, 1000).map((e) => e.id)).toEqual(ids((r) => r.at >= cut && r.message.endsWith('bearing')))
    expect(store.db.prepare("INSERT INTO alarm_journal_fts (alarm_journal_fts, rank) VALUES ('integrity-check', 0)").run()).toBeDefined()
    expect(journal.query({ to: cut }, { limit: 10 }).items.map((e) => e.id)).toEqual([30_001])
  })

  it('keeps its entries across a restart (close and open the file again)', () => {
    store.close()
    store = openAppDb({ path })
    // the journal asks for the database on every call: it follows the reopened handle
    expect(journal.count()).toBe(70_000)
    expect(journal.query({ who: 'operator 1' }, { limit: 2 }).items.map((e) => e.id)).toEqual(ids((r) => r.who === 'operator 1').slice(0, 2))
    journal.append([record(100_000)])
    expect(journal.query({}, { limit: 1 }).items[0]).toEqual({ id: 100_001, ...record(100_000) })
    store.close()
  })

  it('writes a batch as one transaction: a row the database refuses takes the whole batch back', () => {
    store = openAppDb({ path })
    const before = journal.count()
    store.db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON alarm_journal WHEN new.message = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    expect(() => journal.append([record(5), record(6), { ...record(7), message: 'boom' }])).toThrow(/refused/)
    expect(journal.count()).toBe(before)
    expect(journal.query({ text: 'casing' }, { limit: 1 }).items[0]!.id).toBe(100_001)
    store.close()
  })

  it('refuses a bad record with alarms.bad_entry, writing none of its batch', () => {
    store = openAppDb({ path })
    const before = journal.count()
    const bad = { ...record(1), priority: 'urgent' } as unknown as JournalRecord
    expect(thrownCode(() => journal.append([record(2), bad]))).toBe('alarms.bad_entry')
    expect(thrownCode(() => journal.append([{ ...record(3), at: Number.NaN }]))).toBe('alarms.bad_entry')
    expect(journal.count()).toBe(before)
    store.close()
  })
})

/** Raises and clears at seconds after S, for the nuisance table. */
const S = 1_790_000_000_000
function ev(key: string, event: 'raise' | 'clear' | 'ack', sec: number, occurrence: number, path = `Site/${key}`): JournalRecord {
  return {
    at: S + Math.round(sec * 1000),
    key,
    assetId: key,
    path,
    attribute: 'Level',
    defId: 'hi',
    priority: 'high',
    event,
    state: event === 'raise' ? 'unack' : event === 'ack' ? 'ack' : 'normal',
    message: `${key} level high`,
    who: 'system',
    occurrence,
  }
}

describe('nuisance report (hand-computed)', () => {
  it('counts activations, chattering (3+ within 60 s, inclusive) and fleeting (cleared within 1 s, inclusive), most frequent first', () => {
    const s = openAppDb({ path: files.path('nuisance.db') })
    const j = createAlarmJournal(() => s.db)
    j.append([
      // C raised twice before `since` (not counted) and once after
      ev('C', 'raise', -500, 1),
      ev('C', 'raise', -490, 2),
      ev('C', 'clear', -489.5, 2),
      ev('D', 'raise', -0.5, 1),
      ev('D', 'clear', 0.2, 1), // its raise is before since: not an activation, not fleeting
    ])
    j.append([
      // A: raises at 0, 10, 50 (one window: 3 chattering), 200 (alone), 300, 320, 360 (360 - 300 = 60 s: chattering)
      ev('A', 'raise', 0, 1),
      ev('A', 'clear', 0.5, 1), // fleeting
      ev('A', 'raise', 10, 2),
      ev('A', 'ack', 10.2, 2),
      ev('A', 'clear', 11, 2), // exactly 1 s: fleeting
      ev('A', 'raise', 50, 3),
      ev('A', 'clear', 51.001, 3), // 1.001 s: not
      ev('B', 'raise', 0, 1),
      ev('B', 'clear', 0.999, 1), // fleeting
      ev('B', 'raise', 61, 2),
      ev('E', 'clear', 61.5, 2), // another key's clear of the same occurrence number: not B's
      ev('B', 'raise', 122, 3), // 61 s apart each: no chattering
      ev('A', 'raise', 200, 4),
      ev('A', 'clear', 230, 4),
      ev('A', 'raise', 300, 5),
      ev('A', 'clear', 300.2, 5), // fleeting
      ev('A', 'raise', 320, 6),
      ev('A', 'raise', 360, 7, 'Site/A renamed'), // the newest raise names the path
      ev('A', 'clear', 365, 7),
      ev('C', 'raise', 400, 3),
    ])
    const table = j.nuisance(S, 10)
    expect(table).toEqual([
      { key: 'A', path: 'Site/A renamed', attribute: 'Level', defId: 'hi', activations: 7, chattering: 6, fleeting: 3 },
      { key: 'B', path: 'Site/B', attribute: 'Level', defId: 'hi', activations: 3, chattering: 0, fleeting: 1 },
      { key: 'C', path: 'Site/C', attribute: 'Level', defId: 'hi', activations: 1, chattering: 0, fleeting: 0 },
    ])
    expect(j.nuisance(S, 2).map((r) => r.key)).toEqual(['A', 'B'])
    // from 250 s on: A's 300, 320, 360 only
    expect(j.nuisance(S + 250_000, 10)).toEqual([
      { key: 'A', path: 'Site/A renamed', attribute: 'Level', defId: 'hi', activations: 3, chattering: 3, fleeting: 1 },
      { key: 'C', path: 'Site/C', attribute: 'Level', defId: 'hi', activations: 1, chattering: 0, fleeting: 0 },
    ])
    // since long before: C's raises at -500 and -490 (10 s apart, but only two) and 400; -490 cleared after 0.5 s
    expect(j.nuisance(S - 1_000_000, 10).find((r) => r.key === 'C')).toMatchObject({ activations: 3, chattering: 0, fleeting: 1 })
    expect(j.nuisance(S - 1_000_000, 10).find((r) => r.key === 'D')).toMatchObject({ activations: 1, fleeting: 1 })
    s.close()
  })
})

describe('the journal follows the application database through a restore', () => {
  it('works on the restored file after a swap: statements prepared again on the new handle', async () => {
    const dataDir = files.path('restore')
    mkdirSync(dataDir, { recursive: true })
    let current: SqliteAssetStore = openAppDb({ path: `${dataDir}/app.db` })
    const j = createAlarmJournal((): Database.Database => current.db)
    j.append([ev('A', 'raise', 0, 1), ev('A', 'clear', 1, 1)])
    const backup = await backupAppDb(current.db, `${dataDir}/backups/one.db`)
    j.append([ev('A', 'raise', 10, 2)])
    expect(j.count()).toBe(3)
    // what a restore while running does: close, put the backup in place, reopen; the journal object stays
    current.close()
    // the restore carries the transitions since the backup across from the file it replaced, with their ids
    expect(restoreAppDb({ dataDir, from: backup.file }).journalCarried).toBe(1)
    current = openAppDb({ path: `${dataDir}/app.db` })
    expect(j.count()).toBe(3)
    expect(carryOverJournal(current.db, `${dataDir}/app.db.bak`)).toBe(0) // nothing twice
    j.append([ev('B', 'raise', 20, 1)])
    expect(j.query({}, { limit: 10 }).items.map((e) => [e.id, e.key, e.event, e.at - S])).toEqual([
      [4, 'B', 'raise', 20_000],
      [3, 'A', 'raise', 10_000],
      [2, 'A', 'clear', 1000],
      [1, 'A', 'raise', 0],
    ])
    expect(j.query({ text: 'B' }, { limit: 10 }).items.map((e) => e.id)).toEqual([4])
    expect(j.query({ text: 'A' }, { limit: 10 }).items.map((e) => e.id)).toEqual([3, 2, 1])
    current.close()
  })

  it('a backup of another file: the newer entries of the replaced file are appended with new ids', async () => {
    const dataDir = files.path('restore-other')
    mkdirSync(dataDir, { recursive: true })
    const other = openAppDb({ path: files.path('other.db') })
    createAlarmJournal(() => other.db).append([ev('X', 'raise', 5, 1)])
    const backup = await backupAppDb(other.db, `${dataDir}/backups/other.db`)
    other.close()
    let current = openAppDb({ path: `${dataDir}/app.db` })
    const j = createAlarmJournal(() => current.db)
    j.append([ev('A', 'raise', 1, 1), ev('A', 'clear', 2, 1), ev('A', 'raise', 30, 2)])
    current.close()
    expect(restoreAppDb({ dataDir, from: backup.file }).journalCarried).toBe(1) // only what is newer than X's raise at 5 s
    current = openAppDb({ path: `${dataDir}/app.db` })
    expect(j.query({}, { limit: 10 }).items.map((e) => [e.id, e.key, e.at - S])).toEqual([
      [2, 'A', 30_000],
      [1, 'X', 5000],
    ])
    current.close()
  })
})

describe('openAlarmJournal (the app composition\'s factory)', () => {
  it('prunes by the configured retention at open and on demand, and keeps what is younger', () => {
    const s = openAppDb({ path: files.path('factory.db') })
    const day = 86_400_000
    createAlarmJournal(() => s.db).append([ev('A', 'raise', -40 * 86_400, 1), ev('A', 'clear', -29 * 86_400, 1), ev('B', 'raise', -1, 1)])
    let now = S
    const h = openAlarmJournal(() => s.db, { retentionDays: 30, logger: silentLogger, now: () => now })
    expect(h.journal.count()).toBe(2) // the 40-day-old raise went at open
    now = S + 2 * day
    expect(h.prune()).toBe(1) // the clear is now 31 days old
    expect(h.journal.query({}, { limit: 5 }).items.map((e) => e.key)).toEqual(['B'])
    h.stop()
    s.close()
  })
})
