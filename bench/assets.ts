// Benchmark of the asset model (application database): import of a 50,000-attribute model, search, and
// listing 1,000 children, each next to a raw better-sqlite3 baseline measured in the same run (the same rows
// and FTS5 index written plainly, a plain FTS5 query, a plain indexed SELECT). Medians; the last line is JSON.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openAppDb } from '../src/adapters/app-db/sqlite-asset-store'
import { ftsQuery, toColumns } from '../src/adapters/app-db/rows'
import { importModel } from '../src/core/assets-model/bulk'
import type { AssetAttribute, ExportDocument } from '../src/shared/contract/asset-model'

const AREAS = 5
const PER_AREA = 1_000 // children listed at once
const ATTRS = 10 // 5 x 1,000 x 10 = 50,000 attributes
const RUNS = 5
const QUERIES = 200

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bench-assets-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
let files = 0
const file = () => join(dir, `db${++files}.db`)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const time = (f: () => void) => {
  const t0 = performance.now()
  f()
  return performance.now() - t0
}
const round = (x: number, d = 3) => Number(x.toFixed(d))

function model(): ExportDocument {
  const units = ['m3/h', 'bar', 'degC', 'kW', 'rpm', 'A', 'V', '%', 'mm', 'Hz']
  const assets: ExportDocument['assets'] = [{ id: 'site', name: 'Site', description: '', kind: 'site', templateId: null, parent: null, references: [], attributes: [] }]
  for (let a = 0; a < AREAS; a++) {
    const area = `area-${a}`
    assets.push({ id: area, name: `Area ${a}`, description: '', kind: 'area', templateId: null, parent: 'site', references: [], attributes: [] })
    for (let e = 0; e < PER_AREA; e++) {
      const name = `Pump P-${a}${String(e).padStart(4, '0')}`
      const attributes: AssetAttribute[] = Array.from({ length: ATTRS }, (_, k) => ({
        name: `Value${k}`,
        dataType: 'number',
        unit: units[k]!,
        range: { min: 0, max: 100 },
        decimals: 1,
        limits: { hi: 90, lo: 10 },
        expectedIntervalMs: 1000,
        binding: { kind: 'constant', value: k },
      }))
      assets.push({ id: `eq-${a}-${e}`, name, description: `equipment ${e} of area ${a}`, kind: 'equipment', templateId: 'centrifugal-pump', parent: area, references: [], attributes })
    }
  }
  return { format: 'plantdeck.asset-model', version: 1, assets }
}

/** The baseline: the same columns and an FTS5 index over the same text, inserted plainly in one transaction. */
function rawImport(doc: ExportDocument): { db: Database.Database; ms: number } {
  const db = new Database(file())
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(`CREATE TABLE asset (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, parent TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
      kind TEXT NOT NULL, template TEXT, attributes TEXT NOT NULL, attribute_count INTEGER NOT NULL, attribute_names TEXT NOT NULL, units TEXT NOT NULL, path TEXT NOT NULL);
    CREATE UNIQUE INDEX asset_sibling ON asset (parent, name);
    CREATE VIRTUAL TABLE asset_fts USING fts5(name, path, attribute_names, units, template);`)
  const ins = db.prepare(`INSERT INTO asset (id, parent, name, description, kind, template, attributes, attribute_count, attribute_names, units, path)
    VALUES (@id, @parent, @name, @description, @kind, @template, @attributes, @attribute_count, @attribute_names, @units, @path)`)
  const fts = db.prepare('INSERT INTO asset_fts (rowid, name, path, attribute_names, units, template) VALUES (?, ?, ?, ?, ?, ?)')
  const paths = new Map<string, string>()
  const ms = time(() =>
    db.transaction(() => {
      for (const a of doc.assets) {
        const path = a.parent ? `${paths.get(a.parent)}/${a.name}` : a.name
        paths.set(a.id, path)
        const c = toColumns({ ...a }, path)
        const rid = ins.run(c).lastInsertRowid
        fts.run(rid, c.name, c.path, c.attribute_names, c.units, c.template)
      }
    })(),
  )
  return { db, ms }
}

const doc = model()
const text = JSON.stringify(doc)
const opts = { who: 'bench', checkBindings: () => {} }
const importMs: number[] = []
const dryMs: number[] = []
const rawImportMs: number[] = []
let store = openAppDb({ path: file() })
let raw: Database.Database | undefined
for (let r = 0; r < RUNS; r++) {
  raw?.close()
  const base = rawImport(doc)
  raw = base.db
  rawImportMs.push(base.ms)
  store.close()
  store = openAppDb({ path: file() })
  const s = store
  // the part of an import before any write: parse, validate, plan (shown apart: the raw insert has no such part)
  dryMs.push(time(() => importModel(s, { text, mode: 'by-id', dryRun: true }, opts)))
  // the model's import: parse, validate, plan, write assets, references, FTS5 and the change log, one transaction
  importMs.push(time(() => importModel(s, { text, mode: 'by-id' }, opts)))
}
const attributes = store.subtree(null).reduce((n, a) => n + a.attributes.length, 0)
console.log(`model: ${doc.assets.length.toLocaleString('en-US')} assets, ${attributes.toLocaleString('en-US')} attributes, ${(text.length / 1e6).toFixed(1)} MB of JSON`)

const words = Array.from({ length: QUERIES }, (_, q) => `P-${q % AREAS}${String((q * 37) % PER_AREA).padStart(4, '0')}`)
const searchMs: number[] = []
const rawSearchMs: number[] = []
const rawSearch = raw!.prepare('SELECT a.id, a.name, a.path FROM asset_fts f JOIN asset a ON a.rid = f.rowid WHERE asset_fts MATCH ? ORDER BY f.rank LIMIT 50')
for (const w of words) {
  const q = ftsQuery(w) // the same MATCH expression the model builds from what a person typed
  rawSearchMs.push(time(() => rawSearch.all(q)))
  searchMs.push(time(() => store.search(w, 50)))
}
if (store.search(words[0]!, 50).length !== 1) throw new Error(`search for ${words[0]} should find one asset`)

const childrenMs: number[] = []
const rawChildrenMs: number[] = []
const rawChildren = raw!.prepare('SELECT id, parent, name, description, kind, template, attribute_count, path FROM asset WHERE parent = ? ORDER BY name LIMIT ?')
for (let r = 0; r < 50; r++) {
  const area = `area-${r % AREAS}`
  rawChildrenMs.push(time(() => rawChildren.all(area, PER_AREA)))
  childrenMs.push(time(() => store.children(area, { limit: PER_AREA })))
}
if (store.children('area-0', { limit: PER_AREA }).items.length !== PER_AREA) throw new Error('children: wrong count')

const out = {
  import_ms: median(importMs),
  import_raw_ms: median(rawImportMs),
  search_ms: median(searchMs),
  search_raw_ms: median(rawSearchMs),
  children_ms: median(childrenMs),
  children_raw_ms: median(rawChildrenMs),
}
console.log(`import (median of ${RUNS}): model ${out.import_ms.toFixed(0)} ms (of which parse, validate and plan: ${median(dryMs).toFixed(0)} ms), raw insert with FTS5 ${out.import_raw_ms.toFixed(0)} ms`)
console.log(`search (median of ${QUERIES}): model ${out.search_ms.toFixed(3)} ms, raw FTS5 query ${out.search_raw_ms.toFixed(3)} ms`)
console.log(`children, 1,000 at once (median of 50): model ${out.children_ms.toFixed(3)} ms, raw indexed SELECT ${out.children_raw_ms.toFixed(3)} ms`)
store.close()
raw!.close()
console.log(
  JSON.stringify({
    bench: 'assets',
    import_ms: round(out.import_ms, 1),
    import_ratio_vs_raw: round(out.import_ms / out.import_raw_ms, 2),
    search_ms: round(out.search_ms),
    search_ratio_vs_raw: round(out.search_ms / out.search_raw_ms, 2),
    children_ms: round(out.children_ms),
    children_ratio_vs_raw: round(out.children_ms / out.children_raw_ms, 2),
  }),
)
