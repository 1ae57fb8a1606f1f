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
import { planInstances } from './template-handlers'
import { thrown } from '../testing/error-text'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bulk-templates-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const fresh = () => openAppDb({ path: join(dir, `m${++n}.db`) })
const check = (a: Parameters<typeof checkBindings>[0], where: string) => checkBindings(a, driverBindings(), [{ id: 'plc', kind: 'opcua' }], where)
const run = (db: AssetStore, text: string, mode: ImportMode = 'by-id', extra: { dryRun?: boolean } = {}) => importModel(db, { text, mode, ...extra }, { who: 'test', checkBindings: check })
const refusal = thrown
const text = (d: unknown) => JSON.stringify(d, null, 2)

/** Two lines; a base template, a derived one and an unused one; instances made from them. */
function plant(db: AssetStore) {
  db.createTemplate({ id: 'pump', name: 'Pump', attributes: [{ name: 'Speed', dataType: 'number', binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s={asset}.Speed' } }] }, 't')
  db.createTemplate({ id: 'big', name: 'Big pump', base: 'pump', attributes: [{ name: 'Flow', dataType: 'number', unit: 'm3/h' }] }, 't')
  db.createTemplate({ id: 'valve', name: 'Valve', attributes: [] }, 't')
  const site = db.create({ parent: null, name: 'Site', kind: 'site' }, 't')
  const lines = ['L1', 'L2'].map((name) => db.create({ parent: site.id, name, kind: 'line' }, 't'))
  for (const line of lines) {
    db.apply({ put: planInstances(db, { template: 'pump', parent: line.id, names: ['P-1', 'P-2'] }, check), remove: [] }, 't', 'x', 'instantiate')
  }
  db.apply({ put: planInstances(db, { template: 'big', parent: lines[1]!.id, names: ['B-1'] }, check), remove: [] }, 't', 'x', 'instantiate')
  return { site, lines }
}

describe('bulk JSON with templates (format version 2)', () => {
  it('export -> import into an empty model -> export is identical, templates included; a subtree carries only the templates it uses and their bases', () => {
    const a = fresh()
    const { lines } = plant(a)
    const doc = exportModel(a, null)
    expect([doc.version, doc.templates!.map((t) => t.id)]).toEqual([2, ['big', 'pump', 'valve']])
    const b = fresh()
    const dry = run(b, text(doc), 'by-id', { dryRun: true })
    expect(dry.templates).toEqual({ create: ['big', 'pump', 'valve'], update: [] })
    expect(b.templates()).toEqual([])
    const done = run(b, text(doc))
    expect(exportModel(b, null)).toEqual(doc)
    expect(b.templates()).toEqual(a.templates())
    expect(run(b, text(doc))).toMatchObject({ create: [], update: [], templates: { create: [], update: [] }, change: null })
    // one undo takes the import back, templates too
    b.undo(1, 't')
    expect([b.subtree(null), b.templates()]).toEqual([[], []])
    expect(exportModel(a, lines[1]!.id).templates!.map((t) => t.id)).toEqual(['big', 'pump'])
    expect(exportModel(a, lines[0]!.id).templates!.map((t) => t.id)).toEqual(['pump'])
  })

  it('updates a changed template by id, in the same change as the assets', () => {
    const db = fresh()
    plant(db)
    const doc = exportModel(db, null)
    const edited = { ...doc, templates: doc.templates!.map((t) => (t.id === 'valve' ? { ...t, description: 'DN50' } : t)) }
    const r = run(db, text(edited))
    expect([r.templates, r.create, r.update]).toEqual([{ create: [], update: ['valve'] }, [], []])
    expect(db.template('valve')!.description).toBe('DN50')
    expect(db.changes({ limit: 1 })[0]!.templates!.before[0]!.description).toBe('')
  })

  it('still imports a version 1 document: a template id it names becomes a template of that id and name', () => {
    const db = fresh()
    const v1 = {
      format: 'plantdeck.asset-model',
      version: 1,
      assets: [
        { id: 'a', name: 'A', description: '', kind: 'unit', templateId: 'old-pump', parent: null, references: [], attributes: [] },
        { id: 'b', name: 'B', description: '', kind: 'unit', templateId: null, parent: 'a', references: [], attributes: [] },
      ],
    }
    const r = run(db, text(v1))
    expect(r.create.map((c) => c.path)).toEqual(['A', 'A/B'])
    expect(db.templates().map((t) => [t.id, t.name, t.attributes, t.instanceCount])).toEqual([['old-pump', 'old-pump', [], 1]])
    expect(db.get('a')!.templateId).toBe('old-pump')
    // a version 1 document without templates reports none
    const plain = fresh()
    expect(run(plain, text({ ...v1, assets: [v1.assets[0]!].map((x) => ({ ...x, templateId: null })) })).templates).toBeUndefined()
  })

  it.each([
    ['an asset naming a missing template', (d: ExportDocument) => ({ ...d, templates: d.templates!.filter((t) => t.id !== 'big') }), 'model.bad_template', /\$\.assets\[\d+\]\.templateId \(line \d+\): template "big" is neither in the document nor in the model/],
    ['a template with a missing base', (d: ExportDocument) => ({ ...d, templates: d.templates!.map((t) => (t.id === 'big' ? { ...t, base: 'gone' } : t)) }), 'model.bad_template', /\$\.templates\[0\]\.base \(line \d+\): template "big" derives from "gone", which does not exist/],
    ['a template cycle', (d: ExportDocument) => ({ ...d, templates: d.templates!.map((t) => (t.id === 'pump' ? { ...t, base: 'big' } : t)) }), 'model.bad_template', /derives from itself/],
    ['a duplicate template id', (d: ExportDocument) => ({ ...d, templates: [...d.templates!, d.templates![0]!] }), 'model.bad_import', /\$\.templates\[3\]\.id \(line \d+\): duplicate template id "big"/],
  ] as const)('refuses %s and changes nothing', (_what, spoil, code, message) => {
    const src = fresh()
    plant(src)
    const bad = spoil(exportModel(src, null))
    const db = fresh()
    const r = refusal(() => run(db, text(bad)))
    expect([r.code, r.message]).toEqual([code, expect.stringMatching(message)])
    expect([db.subtree(null), db.templates(), db.changes({ limit: 5 })]).toEqual([[], [], []])
  })
})
