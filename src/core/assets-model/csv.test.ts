import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../adapters/app-db/sqlite-asset-store'
import type { ImportMode } from '../../shared/contract/asset-model'
import { driverBindings } from '../drivers'
import type { AssetStore } from '../ports/asset-store'
import { checkBindings } from './bindings'
import { type ImportProgress, exportModel, importModel } from './bulk'
import { CSV_COLUMNS, toCsv } from './csv'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-csv-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const fresh = () => openAppDb({ path: join(dir, `m${++n}.db`) })
const conns = [
  { id: 'plc', kind: 'opcua' },
  { id: 'broker', kind: 'mqtt' },
]
const opts = { who: 'test', checkBindings: (a: Parameters<typeof checkBindings>[0], where: string) => checkBindings(a, driverBindings(), conns, where) }
const csv = (db: AssetStore, text: string, mode: ImportMode, extra: { dryRun?: boolean; under?: string } = {}) => importModel(db, { text, format: 'csv', mode, ...extra }, opts)
const csvOf = (db: AssetStore, root: string) => toCsv(exportModel(db, root), (id) => db.get(id)?.path).text
const json = (db: AssetStore, text: string, mode: ImportMode) => importModel(db, { text, mode }, opts)
const refusal = (f: () => unknown): { code: string; message: string; line?: number } => {
  try {
    f()
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message, line: (e as { details?: { line?: number } }).details?.line }
  }
  return { code: 'no error', message: '' }
}

/** Every attribute field, text that needs quoting and escaping, an asset without attributes, a reference. */
function plant(db: AssetStore) {
  // an asset's template must exist (app.db migration 2)
  if (!db.template('pump')) db.createTemplate({ id: 'pump', name: 'Pump', description: '', attributes: [] }, 't')
  const site = db.create({ parent: null, name: 'Site', kind: 'site', description: 'main site, "north"\nsecond line' }, 't')
  const view = db.create({ parent: null, name: 'All pumps', kind: 'view' }, 't')
  const line = db.create({ parent: site.id, name: 'Line 1', kind: 'line' }, 't')
  db.create({ parent: line.id, name: 'Empty bay', kind: 'unit' }, 't')
  db.create(
    {
      parent: line.id,
      name: 'P-1',
      kind: 'equipment',
      templateId: 'pump',
      references: [view.id],
      attributes: [
        { name: 'Flow', dataType: 'number', unit: 'm3/h', range: { min: 0, max: 120.5 }, decimals: 1, limits: { hihi: 110, hi: 100, lo: 5, lolo: -2.5 }, expectedIntervalMs: 1000, binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=Line1.P-1.Flow' } },
        { name: 'State', dataType: 'number', enumeration: { '0': 'Stopped', '1': 'Running; ok', '2': 'a=b' }, writable: true, binding: { kind: 'mqtt', connection: 'broker', topic: 'plant/line1/p1/state', path: 'data\\value' } },
        { name: 'Rated', dataType: 'number', unit: 'kW', binding: { kind: 'constant', value: 7.5 } },
        { name: 'Enabled', dataType: 'boolean', writable: false, binding: { kind: 'constant', value: true } },
        { name: 'Maker', dataType: 'string', binding: { kind: 'constant', value: 'ACME, Inc.' } },
      ],
    },
    't',
  )
}

describe('bulk CSV: export and import of the asset model', () => {
  it('export -> import -> export is identical, for JSON and for CSV, and both give the same model', () => {
    const a = fresh()
    plant(a)
    const doc = exportModel(a, null)
    const text = toCsv(doc)
    expect(text.rows).toBe(9) // 5 attribute rows, and one row each for 4 assets without attributes
    expect(text.text.split('\n')[0]).toBe(CSV_COLUMNS.join(','))

    const viaCsv = fresh()
    const dry = csv(viaCsv, text.text, 'by-id', { dryRun: true })
    expect([dry.create.length, dry.update.length, dry.delete.length, dry.change]).toEqual([5, 0, 0, null])
    expect(viaCsv.subtree(null)).toEqual([])
    expect(csv(viaCsv, text.text, 'by-id').change).not.toBeNull()
    expect(toCsv(exportModel(viaCsv, null)).text).toBe(text.text)
    expect(exportModel(viaCsv, null).assets).toEqual(doc.assets) // CSV carries template ids, not templates: the same assets, read back from CSV

    const viaJson = fresh()
    json(viaJson, JSON.stringify(doc), 'by-id')
    expect(exportModel(viaJson, null)).toEqual(doc)
    expect(toCsv(exportModel(viaJson, null)).text).toBe(text.text)
    // again: nothing to do
    expect(csv(viaCsv, text.text, 'by-id')).toMatchObject({ create: [], update: [], delete: [], change: null })
  })

  it('merge modes as JSON: a subtree by path under another parent, and replace deleting what the file lacks', () => {
    const db = fresh()
    plant(db)
    const line = db.byPath('Site/Line 1')!
    const sub = csvOf(db, line.id)
    const copy = db.create({ parent: null, name: 'Copy', kind: 'site' }, 't')
    const r = csv(db, sub, 'by-path', { under: copy.id })
    expect(sub.split('\n')[1]).toMatch(/^Site\/Line 1,/) // whole paths, from the top
    expect(r.create.map((c) => c.path)).toEqual(['Copy/Line 1', 'Copy/Line 1/Empty bay', 'Copy/Line 1/P-1'])
    expect(db.byPath('Copy/Line 1/P-1')!.attributes).toEqual(db.byPath('Site/Line 1/P-1')!.attributes)
    // replace (by id) under the copy with its own export lacking the empty bay: only that goes
    const fewer = csvOf(db, db.byPath('Copy/Line 1')!.id)
      .split('\n')
      .filter((l) => !l.startsWith('Copy/Line 1/Empty bay,'))
      .join('\n')
    const rep = csv(db, fewer, 'replace', { under: copy.id, dryRun: true })
    expect(rep.delete.map((d) => d.path)).toEqual(['Copy/Line 1/Empty bay'])
  })

  it('a spreadsheet row without ids lands under the asset at its parent path', () => {
    const db = fresh()
    plant(db)
    const text = `path,kind,attribute,data type,unit\nSite/Line 1/P-2,equipment,Flow,number,m3/h\nSite/Line 1/P-2,equipment,Speed,number,rpm\n`
    const r = csv(db, text, 'by-path')
    expect(r.create.map((c) => c.path)).toEqual(['Site/Line 1/P-2'])
    expect(db.byPath('Site/Line 1/P-2')!.attributes.map((t) => t.unit)).toEqual(['m3/h', 'rpm'])
  })

  it('keeps what a CSV cannot carry: an attribute re-imported from a spreadsheet keeps its alarm definitions', () => {
    const db = fresh()
    plant(db)
    const p1 = db.byPath('Site/Line 1/P-1')!
    const alarms = [{ id: 'hi', type: 'hi' as const, priority: 'high' as const, message: 'Flow high: {value}' }]
    db.update(p1.id, { attributes: p1.attributes.map((t) => (t.name === 'Flow' ? { ...t, alarms } : t)) }, 't')
    // the spreadsheet changes Flow's unit; it has no alarm columns
    const text = csvOf(db, db.byPath('Site')!.id).replace('m3/h', 'l/min')
    expect(text).not.toContain('Flow high')
    csv(db, text, 'by-id')
    const flow = db.byPath('Site/Line 1/P-1')!.attributes.find((t) => t.name === 'Flow')!
    expect(flow.unit).toBe('l/min')
    expect(flow.alarms).toEqual(alarms)
    // by path too (a spreadsheet without ids), and an attribute the CSV adds has none
    const rows = `path,kind,attribute,data type,unit\nSite/Line 1/P-1,equipment,Flow,number,bar\nSite/Line 1/P-1,equipment,Added,number,\n`
    csv(db, rows, 'by-path')
    const after = db.byPath('Site/Line 1/P-1')!.attributes
    expect(after.find((t) => t.name === 'Flow')).toMatchObject({ unit: 'bar', alarms })
    expect(after.find((t) => t.name === 'Added')?.alarms).toBeUndefined()
  })

  it('refuses bad files with the line and the reason, and imports nothing', () => {
    const db = fresh()
    plant(db)
    const good = toCsv(exportModel(db, null)).text
    const before = exportModel(db, null)
    const lines = good.split('\n')
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix)) // 0-based; its line number is at + 1
    const flow = at('Site/Line 1/P-1,') // the Flow row
    const cases: [string, number, RegExp][] = [
      [['path,colour', 'Site,red'].join('\n'), 1, /unknown column "colour"/],
      [lines.map((l, k) => (k === flow ? l.replace(',0,120.5,', ',zero,120.5,') : l)).join('\n'), flow + 1, /range min: "zero" is not a number/],
      [[...lines.slice(0, flow + 1), lines[flow]!, ...lines.slice(flow + 1)].join('\n'), flow + 2, /duplicate row: "Site\/Line 1\/P-1" attribute "Flow"/],
      [lines.map((l, k) => (k === flow ? l.replace(',Flow,number,', ',Flow,float,') : l)).join('\n'), flow + 1, /data type: "float"/],
      [lines.map((l, k) => (k === flow ? l.replace(',equipment,', ',machine,') : l)).join('\n'), flow + 2, /differ from line/], // the next row of P-1 disagrees
      [lines.map((l, k) => (k === flow ? l.replace('connection=plc', 'connection=nowhere') : l)).join('\n'), flow + 1, /no opcua connection "nowhere"/],
      [lines.map((l, k) => (k === flow + 1 ? l.replace('connection=broker', 'connection=gone') : l)).join('\n'), flow + 2, /^line \d+: attribute "State": no mqtt connection "gone"/],
      ['path,kind\nSite/Line 9/X,unit\n', 2, /parent path "Site\/Line 9" is neither in the file nor in the model/],
      ['path,kind\n"Site,unit\n', 2, /not CSV/],
    ]
    for (const [text, line, reason] of cases) {
      const r = refusal(() => csv(db, text, 'replace'))
      expect(r.code, text.slice(0, 80)).toBe('model.bad_import')
      expect(r.message).toMatch(reason)
      expect(r.line, r.message).toBe(line)
    }
    expect(exportModel(db, null)).toEqual(before)
  })
})

describe('import progress', () => {
  it('reports check and write progress, paced by the clock, ending at the total', () => {
    const src = fresh()
    const top = src.create({ parent: null, name: 'Big', kind: 'site' }, 't')
    for (let k = 0; k < 1000; k++) src.create({ parent: top.id, name: `A${k}`, kind: 'unit', attributes: [{ name: 'v', dataType: 'number' }] }, 't')
    const text = toCsv(exportModel(src, null)).text
    const events: ImportProgress[] = []
    let clock = 0
    const now = () => (clock += 50) // every call 50 ms later: a report passes every fourth call at most
    const dst = fresh()
    importModel(dst, { text, format: 'csv', mode: 'by-id' }, { ...opts, progress: (e) => events.push(e), now })
    const check = events.filter((e) => e.phase === 'check')
    const write = events.filter((e) => e.phase === 'write')
    expect(check.length).toBeGreaterThan(2)
    expect(check.length).toBeLessThan(1001 / 4 + 2) // paced: not one per asset
    expect(check.at(-1)).toEqual({ phase: 'check', done: 1001, total: 1001 })
    expect(write.length).toBeGreaterThan(1)
    expect(write.at(-1)).toEqual({ phase: 'write', done: 1001, total: 1001 })
    for (const list of [check, write]) for (let k = 1; k < list.length; k++) expect(list[k]!.done).toBeGreaterThan(list[k - 1]!.done)
    expect(events.indexOf(write[0]!)).toBeGreaterThan(events.indexOf(check.at(-1)!)) // check, then write
  })
})
