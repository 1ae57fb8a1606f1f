import { afterAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../src/adapters/app-db/sqlite-asset-store'
import { COMPRESS_FROM } from '../../src/adapters/app-db/change-log'
import type { AssetAttribute } from '../../src/shared/contract/asset-model'
import { tempDir } from '../fixtures/store/engine'
import { thrownCode } from '../../src/core/testing/error-text'

const files = tempDir('app-db')
afterAll(files.cleanup)
let n = 0
const fresh = () => openAppDb({ path: files.path(`m${++n}.db`) })
const codeOf = thrownCode
const flow: AssetAttribute = { name: 'Flow', dataType: 'number', unit: 'm3/h', range: { min: 0, max: 200 }, decimals: 1, limits: { hi: 180, hihi: 195 }, expectedIntervalMs: 1000 }

describe('application database: the asset model in SQLite (real files)', () => {
  it('keeps ids, paths, attributes and references across a restart', () => {
    const path = files.path('restart.db')
    let db = openAppDb({ path })
    const site = db.create({ parent: null, name: 'Site', kind: 'site' }, 'test')
    const line = db.create({ parent: site.id, name: 'Line 2', kind: 'line' }, 'test')
    const pumps = db.create({ parent: site.id, name: 'All pumps', kind: 'view' }, 'test')
    const pump = db.create({ parent: line.id, name: 'Pump P-201', kind: 'equipment', attributes: [flow], references: [pumps.id] }, 'test')
    expect(pump.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(pump.path).toBe('Site/Line 2/Pump P-201')
    db.close()
    db = openAppDb({ path })
    expect(db.get(pump.id)).toEqual({ ...pump, references: [pumps.id] })
    expect(db.byPath('Site/Line 2/Pump P-201')?.id).toBe(pump.id)
    // it shows under its second parent too, marked as a reference; its path stays the primary one
    const underPumps = db.children(pumps.id, { limit: 10 }).items
    expect(underPumps.map((c) => [c.name, c.reference, c.path])).toEqual([['Pump P-201', true, 'Site/Line 2/Pump P-201']])
    db.close()
  })

  it('pages children by name, with a cursor, and says which have children', () => {
    const db = fresh()
    const root = db.create({ parent: null, name: 'Root', kind: 'site' }, 't')
    for (let i = 0; i < 25; i++) db.create({ parent: root.id, name: `U${String(i).padStart(2, '0')}`, kind: 'unit' }, 't')
    const first = db.get(db.children(root.id, { limit: 1 }).items[0]!.id)!
    db.create({ parent: first.id, name: 'Inner', kind: 'equipment' }, 't')
    const seen: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < 10; page++) {
      const r = db.children(root.id, { limit: 10, ...(cursor ? { cursor } : {}) })
      seen.push(...r.items.map((c) => c.name))
      if (!r.next) break
      cursor = r.next
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `U${String(i).padStart(2, '0')}`))
    expect(db.children(root.id, { limit: 3 }).items.map((c) => c.hasChildren)).toEqual([true, false, false])
    expect(db.children(null, { limit: 10 }).items.map((c) => c.name)).toEqual(['Root'])
    expect(codeOf(() => db.children('nope', { limit: 1 }))).toBe('model.unknown')
    expect(codeOf(() => db.children(root.id, { limit: 1, cursor: 'garbage' }))).toBe('rpc.bad_params')
    db.close()
  })

  it('refuses a sibling name twice, unknown ids, and moves into its own subtree; a move carries the subtree', () => {
    const db = fresh()
    const a = db.create({ parent: null, name: 'A', kind: 'area' }, 't')
    const b = db.create({ parent: a.id, name: 'B', kind: 'line' }, 't')
    const c = db.create({ parent: b.id, name: 'C', kind: 'unit' }, 't')
    const other = db.create({ parent: null, name: 'Other', kind: 'area' }, 't')
    expect(codeOf(() => db.create({ parent: a.id, name: 'B', kind: 'line' }, 't'))).toBe('model.name_taken')
    expect(codeOf(() => db.update(other.id, { name: 'A' }, 't'))).toBe('model.name_taken')
    expect(codeOf(() => db.create({ parent: 'nope', name: 'X', kind: 'x' }, 't'))).toBe('model.unknown')
    expect(codeOf(() => db.move('nope', null, 't'))).toBe('model.unknown')
    expect(codeOf(() => db.move(a.id, c.id, 't'))).toBe('model.cycle')
    expect(codeOf(() => db.move(a.id, a.id, 't'))).toBe('model.cycle')
    expect(codeOf(() => db.update(a.id, { references: [c.id] }, 't'))).toBe('model.cycle')
    db.move(b.id, other.id, 't')
    expect(db.get(c.id)!.path).toBe('Other/B/C')
    db.update(other.id, { name: 'Renamed' }, 't')
    expect(db.get(c.id)!.path).toBe('Renamed/B/C')
    expect(db.search('Renamed', 10).map((s) => s.name).sort()).toEqual(['B', 'C', 'Renamed'])
    expect(db.children(a.id, { limit: 10 }).items).toEqual([])
    db.close()
  })

  it('deletes a subtree and unlinks references to it, in one logged change', () => {
    const db = fresh()
    const a = db.create({ parent: null, name: 'A', kind: 'area' }, 't')
    const b = db.create({ parent: a.id, name: 'B', kind: 'line' }, 't')
    const view = db.create({ parent: null, name: 'View', kind: 'view' }, 't')
    const x = db.create({ parent: view.id, name: 'X', kind: 'unit', references: [b.id] }, 't')
    expect(db.referrers([a.id, b.id]).map((r) => r.id)).toEqual([x.id])
    db.delete(a.id, 't')
    expect(db.get(a.id)).toBeUndefined()
    expect(db.get(b.id)).toBeUndefined()
    expect(db.get(x.id)!.references).toEqual([])
    expect(db.search('B', 10)).toEqual([])
    const [last] = db.changes({ limit: 1 })
    expect(last).toMatchObject({ op: 'delete', who: 't', undone: false })
    expect(last!.before.map((s) => s.name)).toEqual(['A', 'B', 'X'])
    db.close()
  })

  it('looks many ids and paths up at once, answering those that exist', () => {
    const db = fresh()
    const a = db.create({ parent: null, name: 'A', kind: 'area', attributes: [flow] }, 't')
    const b = db.create({ parent: a.id, name: 'B "quoted" \\ b', kind: 'line' }, 't')
    const many = db.getMany([b.id, 'nope', a.id, a.id])
    expect([...many.keys()].sort()).toEqual([a.id, b.id].sort())
    expect(many.get(a.id)).toEqual(db.get(a.id))
    expect(db.idsAt(['A', 'A/B "quoted" \\ b', 'A/C', ''])).toEqual(new Map([['A', a.id], [b.path, b.id]]))
    expect(db.getMany([]).size).toBe(0)
    db.close()
  })

  it('searches name, path, attribute names, units and template, by word prefix', () => {
    const db = fresh()
    const line = db.create({ parent: null, name: 'Line 2', kind: 'line' }, 't')
    db.createTemplate({ id: 'centrifugal-pump', name: 'Centrifugal pump', attributes: [] }, 't')
    db.create({ parent: line.id, name: 'Pump P-201', kind: 'equipment', templateId: 'centrifugal-pump', attributes: [flow] }, 't')
    db.create({ parent: line.id, name: 'Tank T-1', kind: 'equipment', attributes: [{ name: 'Level', dataType: 'number', unit: 'mm' }] }, 't')
    const names = (q: string) => db.search(q, 10).map((s) => s.name).sort()
    expect(names('pump')).toEqual(['Pump P-201'])
    expect(names('P-201')).toEqual(['Pump P-201'])
    expect(names('line 2')).toEqual(['Line 2', 'Pump P-201', 'Tank T-1'])
    expect(names('flow')).toEqual(['Pump P-201'])
    expect(names('mm')).toEqual(['Tank T-1'])
    expect(names('centrifugal')).toEqual(['Pump P-201'])
    expect(names('"); DROP TABLE asset; --')).toEqual([])
    expect(names('***')).toEqual([])
    db.close()
  })

  it('keeps the FTS5 index equal to the assets through every kind of write (the writer keeps it, no triggers)', () => {
    const db = fresh()
    // FTS5 compares its index with the asset table's columns; it throws on any difference
    const consistent = () => void db.db.prepare("INSERT INTO asset_fts (asset_fts, rank) VALUES ('integrity-check', 1)").run()
    const names = (q: string) => db.search(q, 20).map((s) => s.name).sort()
    db.createTemplate({ id: 'centrifugal-pump', name: 'Centrifugal pump', attributes: [] }, 't')
    const a = db.create({ parent: null, name: 'Area', kind: 'area' }, 't')
    const l = db.create({ parent: a.id, name: 'Line', kind: 'line' }, 't')
    const p = db.create({ parent: l.id, name: 'Pump', kind: 'equipment', attributes: [flow] }, 't')
    const view = db.create({ parent: null, name: 'View', kind: 'view' }, 't')
    consistent()
    db.update(a.id, { name: 'Zone' }, 't') // the subtree's paths are rewritten
    db.update(p.id, { templateId: 'centrifugal-pump', attributes: [{ name: 'Speed', dataType: 'number', unit: 'rpm' }] }, 't')
    db.update(p.id, { description: 'not indexed', references: [view.id] }, 't')
    consistent()
    expect(names('zone')).toEqual(['Line', 'Pump', 'Zone'])
    expect(names('area')).toEqual([])
    expect([names('speed'), names('rpm'), names('centrifugal'), names('flow')]).toEqual([['Pump'], ['Pump'], ['Pump'], []])
    db.move(l.id, view.id, 't')
    consistent()
    expect(names('view')).toEqual(['Line', 'Pump', 'View'])
    // a plan in one batch: new assets under new parents, an update that moves a subtree, a removal
    const put = [
      { id: 'n1', parent: null, name: 'New', description: '', kind: 'area', templateId: null, references: [], attributes: [flow] },
      { id: 'n2', parent: 'n1', name: 'Child', description: '', kind: 'line', templateId: 'centrifugal-pump', references: [view.id], attributes: [] },
      { ...db.get(l.id)!, parent: 'n2' },
    ].map(({ path: _p, ...s }: { path?: string } & Parameters<typeof db.apply>[0]['put'][number]) => s)
    db.apply({ put, remove: [a.id] }, 't', 'plan')
    consistent()
    expect(db.get(p.id)!.path).toBe('New/Child/Line/Pump')
    expect(db.changes({ limit: 1 })[0]!.after.map((x) => x.path)).toEqual(['New', 'New/Child', 'New/Child/Line'])
    expect(names('new')).toEqual(['Child', 'Line', 'New', 'Pump'])
    expect(names('zone')).toEqual([])
    // a plan refused half way (two siblings of one name) leaves assets and index as they were
    const twin = { id: 't2', parent: 'n1', name: 'Child', description: '', kind: 'line', templateId: null, references: [], attributes: [] }
    expect(codeOf(() => db.apply({ put: [{ ...twin, id: 't1', name: 'Fresh' }, twin], remove: [] }, 't', 'plan'))).toBe('model.name_taken')
    expect(db.get('t1')).toBeUndefined()
    expect(names('fresh')).toEqual([])
    consistent()
    db.undo(3, 't')
    consistent()
    expect(names('zone')).toEqual(['Line', 'Pump', 'Zone'])
    db.delete(view.id, 't')
    consistent()
    // and the check can fail: a row changed behind the writer's back
    db.db.prepare("UPDATE asset SET name = 'Sneaky' WHERE id = ?").run(p.id)
    expect(consistent).toThrow(/checksum mismatch/)
    db.close()
  })

  it('stores a large change compressed and whole: listed with its counts, undone to the state before', () => {
    const db = fresh()
    const site = db.create({ parent: null, name: 'Site', kind: 'site' }, 't')
    const state = (k: number, unit: string) => ({ id: `u${k}`, parent: site.id, name: `U${k}`, description: '', kind: 'unit', templateId: null, references: [], attributes: [{ ...flow, unit }] })
    const first = Array.from({ length: 400 }, (_, k) => state(k, 'm3/h'))
    db.apply({ put: first, remove: [] }, 't', 'first')
    db.apply({ put: first.map((a) => ({ ...a, attributes: [{ ...flow, unit: 'l/s' }] })), remove: [] }, 't', 'second')
    const rows = db.db.prepare('SELECT typeof(before) AS b, typeof(after) AS a, length(after) AS n FROM change ORDER BY id').all() as { b: string; a: string; n: number }[]
    expect(rows.map((r) => [r.b, r.a])).toEqual([['text', 'text'], ['text', 'blob'], ['blob', 'blob']]) // the create of Site is small
    const [second, firstEntry] = db.changes({ limit: 2 })
    expect([firstEntry!.beforeCount, firstEntry!.afterCount, firstEntry!.after[399 % 100]!.path]).toEqual([0, 400, 'Site/U99'])
    expect(rows[2]!.n).toBeLessThan(COMPRESS_FROM / 4)
    expect([second!.beforeCount, second!.afterCount, second!.before.length]).toEqual([400, 400, 100])
    expect(second!.before[7]).toEqual({ ...first[7], path: 'Site/U7' })
    expect(second!.after[7]!.attributes[0]!.unit).toBe('l/s')
    db.undo(1, 't')
    expect(db.get('u399')!.attributes[0]!.unit).toBe('m3/h')
    db.undo(1, 't')
    expect(db.get('u0')).toBeUndefined()
    expect(db.children(site.id, { limit: 5 }).items).toEqual([])
    db.close()
  })

  it('undoes the last changes from the log, newest first, and logs the undo', () => {
    const db = fresh()
    const a = db.create({ parent: null, name: 'A', kind: 'area' }, 'alice')
    const b = db.create({ parent: a.id, name: 'B', kind: 'line', attributes: [flow] }, 'alice')
    const other = db.create({ parent: null, name: 'Other', kind: 'area' }, 'alice')
    db.update(b.id, { description: 'edited', attributes: [] }, 'bob')
    db.move(b.id, other.id, 'bob')
    db.delete(a.id, 'bob')
    expect(db.undo(1, 'carol').undone.length).toBe(1) // the delete
    expect(db.get(a.id)!.path).toBe('A')
    expect(db.undo(2, 'carol').undone.length).toBe(2) // the move, then the update
    expect(db.get(b.id)).toEqual(b)
    const log = db.changes({ limit: 10 })
    expect(log.map((c) => [c.op, c.who, c.undone])).toEqual([
      ['undo', 'carol', false],
      ['undo', 'carol', false],
      ['delete', 'bob', true],
      ['move', 'bob', true],
      ['update', 'bob', true],
      ['create', 'alice', false],
      ['create', 'alice', false],
      ['create', 'alice', false],
    ])
    db.undo(1, 'carol') // the creation of Other
    expect(db.get(other.id)).toBeUndefined()
    expect(db.undo(10, 'carol').undone.length).toBe(2)
    expect(db.children(null, { limit: 10 }).items).toEqual([])
    expect(db.undo(1, 'carol')).toEqual({ undone: [], change: null })
    db.close()
  })
})
