import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../adapters/app-db/sqlite-asset-store'
import type { ExportDocument, ImportMode } from '../../shared/contract/asset-model'
import { driverBindings } from '../drivers'
import type { AssetStore } from '../ports/asset-store'
import { checkBindings } from './bindings'
import { exportModel, importModel } from './bulk'
import { thrown } from '../testing/error-text'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bulk-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const fresh = () => openAppDb({ path: join(dir, `m${++n}.db`) })
const opts = { who: 'test', checkBindings: (a: Parameters<typeof checkBindings>[0], where: string) => checkBindings(a, driverBindings(), [{ id: 'plc', kind: 'opcua' }], where) }
const run = (db: AssetStore, text: string, mode: ImportMode, extra: { dryRun?: boolean; under?: string } = {}) => importModel(db, { text, mode, ...extra }, opts)
const refusal = thrown

/** A small plant: a site with two lines, pumps with bound attributes, and a view that references one pump. */
function plant(db: AssetStore) {
  db.createTemplate({ id: 'pump', name: 'Pump', description: 'the pumps\' template', attributes: [] }, 't')
  const site = db.create({ parent: null, name: 'Site', kind: 'site', description: 'main site' }, 't')
  const view = db.create({ parent: null, name: 'All pumps', kind: 'view' }, 't')
  const ids: string[] = []
  for (const l of ['Line 1', 'Line 2']) {
    const line = db.create({ parent: site.id, name: l, kind: 'line' }, 't')
    for (const p of ['P-1', 'P-2']) {
      const pump = db.create(
        {
          parent: line.id,
          name: p,
          kind: 'equipment',
          templateId: 'pump',
          attributes: [{ name: 'Flow', dataType: 'number', unit: 'm3/h', limits: { hi: 90 }, binding: { kind: 'opcua', connection: 'plc', nodeId: `ns=2;s=${l}.${p}` } }],
          references: l === 'Line 2' && p === 'P-1' ? [view.id] : [],
        },
        't',
      )
      ids.push(pump.id)
    }
  }
  return { site, view, ids }
}
const text = (d: ExportDocument) => JSON.stringify(d, null, 2)

describe('bulk JSON: export and import of the asset model', () => {
  it('export -> import into an empty model -> export gives the identical document', () => {
    const a = fresh()
    plant(a)
    const doc = exportModel(a, null)
    expect(doc.assets).toHaveLength(8)
    const b = fresh()
    const dry = run(b, text(doc), 'by-id', { dryRun: true })
    expect([dry.create.length, dry.update.length, dry.delete.length, dry.change]).toEqual([8, 0, 0, null])
    expect(b.subtree(null)).toEqual([]) // the dry run changed nothing
    const done = run(b, text(doc), 'by-id')
    expect(done.change).not.toBeNull()
    expect(exportModel(b, null)).toEqual(doc)
    // again: nothing to do
    expect(run(b, text(doc), 'by-id')).toMatchObject({ create: [], update: [], delete: [], change: null })
  })

  it('exports a subtree and imports it by path under another parent: the same shape, its own ids', () => {
    const db = fresh()
    const { site } = plant(db)
    const line2 = db.byPath('Site/Line 2')!
    const doc = exportModel(db, line2.id)
    expect(doc.assets.map((x) => x.name)).toEqual(['Line 2', 'P-1', 'P-2'])
    const copyRoot = db.create({ parent: null, name: 'Copy', kind: 'site' }, 't')
    const r = run(db, text(doc), 'by-path', { under: copyRoot.id })
    expect(r.create.map((c) => c.path)).toEqual(['Copy/Line 2', 'Copy/Line 2/P-1', 'Copy/Line 2/P-2'])
    expect(new Set(r.create.map((c) => c.id)).size).toBe(3)
    for (const c of r.create) expect(doc.assets.some((x) => x.id === c.id)).toBe(false)
    expect(db.byPath('Copy/Line 2/P-1')!.references).toEqual(db.byPath('Site/Line 2/P-1')!.references)
    // by path again over the original: an update where it differs, matched by path, keeping the ids
    const edited = { ...doc, assets: doc.assets.map((x) => (x.name === 'P-2' ? { ...x, description: 'rebuilt' } : x)) }
    const again = run(db, text(edited), 'by-path', { under: site.id })
    expect(again.update).toEqual([{ id: db.byPath('Site/Line 2/P-2')!.id, path: 'Site/Line 2/P-2' }])
    expect(again.create).toEqual([])
  })

  it('replace deletes what the scope holds and the document does not, and one undo restores it all', () => {
    const db = fresh()
    const { ids } = plant(db)
    const before = exportModel(db, null)
    const doc = { ...before, assets: before.assets.filter((x) => x.name !== 'Line 1' && !(x.name.startsWith('P-') && ids.indexOf(x.id) < 2)) }
    const dry = run(db, text(doc), 'replace', { dryRun: true })
    expect(dry.delete.map((d) => d.path)).toEqual(['Site/Line 1/P-2', 'Site/Line 1/P-1', 'Site/Line 1'])
    run(db, text(doc), 'replace')
    expect(db.byPath('Site/Line 1')).toBeUndefined()
    expect(db.undo(1, 't').undone).toHaveLength(1)
    expect(exportModel(db, null)).toEqual(before)
  })

  it('replace under a subtree: a reference from outside it to a deleted asset is removed, and undo puts it back', () => {
    const db = fresh()
    const { site, view } = plant(db)
    const pump = db.byPath('Site/Line 2/P-1')!
    const x = db.create({ parent: view.id, name: 'X', kind: 'unit', references: [pump.id] }, 't')
    const inside = exportModel(db, site.id)
    const doc = { ...inside, assets: inside.assets.filter((a) => a.id !== site.id && a.id !== pump.id) }
    const r = run(db, text(doc), 'replace', { under: site.id })
    expect(r.delete).toEqual([{ id: pump.id, path: 'Site/Line 2/P-1' }])
    expect(db.get(x.id)!.references).toEqual([])
    db.undo(1, 't')
    expect(db.get(pump.id)).toEqual(pump)
    expect(db.get(x.id)!.references).toEqual([pump.id])
  })

  it('lists a large import in the change log with the first 100 assets and full counts; undo still reverts all of it', () => {
    const db = fresh()
    const assets = Array.from({ length: 150 }, (_, i) => ({ id: `a${i}`, name: `A${i}`, description: '', kind: 'unit', templateId: null, parent: null, references: [], attributes: [] }))
    const r = run(db, JSON.stringify({ format: 'plantdeck.asset-model', version: 1, assets }), 'by-id')
    const [entry] = db.changes({ limit: 1 })
    expect([entry!.id, entry!.op, entry!.after.length, entry!.afterCount, entry!.beforeCount]).toEqual([r.change, 'import', 100, 150, 0])
    db.undo(1, 't')
    expect(db.subtree(null)).toEqual([])
  })

  it.each([
    ['bad JSON', (t: string) => t.replace('"Site"', '"Site",,'), (bad: string) => new RegExp(`not JSON \\(line ${bad.split('\n').findIndex((l) => l.includes(',,')) + 1}, column \\d+\\)`)],
    ['an unexpected token', (t: string) => t.replace('"kind": "site"', '"kind": site'), (bad: string) => new RegExp(`not JSON \\(line ${bad.split('\n').findIndex((l) => l.includes(': site')) + 1}, column 15\\)`)],
    ['a wrong format', (t: string) => t.replace('plantdeck.asset-model', 'other'), /\$\.format \(line 2\)/],
    ['a bad field', (t: string) => t.replace('"dataType": "number"', '"dataType": "float"'), (bad: string) => new RegExp(`\\$\\.assets\\[3\\]\\.attributes\\[0\\]\\.dataType \\(line ${bad.split('\n').findIndex((l) => l.includes('float')) + 1}\\)`)],
    ['a duplicate id', (t: string, d: ExportDocument) => t.replace(`"id": "${d.assets[3]!.id}"`, `"id": "${d.assets[2]!.id}"`), /\$\.assets\[3\]\.id \(line \d+\): duplicate id .* \(first at \$\.assets\[2\]\)/],
    ['a cycle', (_t: string, d: ExportDocument) => text({ ...d, assets: d.assets.map((x) => (x.name === 'Site' ? { ...x, parent: d.assets.find((y) => y.name === 'P-2')!.id } : x)) }), /\$\.assets\[\d\]\.parent \(line \d+\): the parents form a cycle/],
    ['a missing parent', (t: string, d: ExportDocument) => t.replace(`"parent": "${d.assets[2]!.id}"`, '"parent": "gone"'), /parent "gone" is neither in the document nor in the model/],
    ['a missing reference', (t: string, d: ExportDocument) => t.replace(`"references": [\n        "${d.assets[0]!.id}"\n      ]`, '"references": ["gone"]'), /\.references\[0\] \(line \d+\): referenced parent "gone"/],
    ['a bad binding', (t: string) => t.replace('"connection": "plc"', '"connection": "nope"'), /\.attributes \(line \d+\): .*no opcua connection "nope"/],
    ['two siblings with one name', (t: string) => t.replace('"name": "P-2"', '"name": "P-1"'), /"Site\/Line 1\/P-1" is also \$\.assets\[\d\]/],
  ] as const)('refuses %s with model.bad_import, the path, line and reason, and changes nothing', (_what, spoil, message) => {
    const src = fresh()
    plant(src)
    const doc = exportModel(src, null)
    const bad = spoil(text(doc), doc)
    expect(bad).not.toBe(text(doc))
    const db = fresh()
    const r = refusal(() => run(db, bad, 'by-id'))
    expect(r.code).toBe('model.bad_import')
    expect(r.message).toMatch(typeof message === 'function' ? message(bad) : message)
    expect(db.subtree(null)).toEqual([])
    expect(db.changes({ limit: 5 })).toEqual([])
  })

  it('nothing half-imports: a refusal found while writing rolls back the whole import', () => {
    const db = fresh()
    plant(db)
    const before = exportModel(db, null)
    // swap two sibling names: each check passes (both are in the document), the first write collides
    const swapped = { ...before, assets: before.assets.map((x) => (x.name === 'P-1' ? { ...x, name: 'P-2' } : x.name === 'P-2' ? { ...x, name: 'P-1' } : x)) }
    const r = refusal(() => run(db, text(swapped), 'by-id'))
    expect(r.code).toBe('model.bad_import')
    expect(r.message).toMatch(/nothing imported/)
    expect(exportModel(db, null)).toEqual(before)
    expect(db.changes({ limit: 100 })).toHaveLength(9) // the template and 8 assets
  })
})
