import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import type { AssetAttribute, ExportDocument } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model/errors'
import type { AssetStore } from '../ports/asset-store'

/**
 * The asset model as CSV, for spreadsheets: one row per attribute (an asset without attributes: one row with
 * empty attribute columns); the asset's columns repeat on each of its rows. An empty cell is an absent field
 * (so an empty unit or an empty string constant does not survive a CSV round trip; JSON keeps them). Lists
 * (enumeration, binding fields, references) are `key=value;key=value`, with `\;` `\=` `\\` for those characters.
 */
export const CSV_COLUMNS = [
  'path', 'asset id', 'parent id', 'kind', 'description', 'template', 'references',
  'attribute', 'data type', 'unit', 'range min', 'range max', 'decimals', 'enumeration',
  'hihi', 'hi', 'lo', 'lolo', 'expected interval ms', 'writable', 'binding kind', 'binding',
] as const
type Column = (typeof CSV_COLUMNS)[number]
type Row = Record<Column, string>

const esc = (s: string) => s.replace(/[\\;=]/g, (c) => `\\${c}`)
const num = (n: number | undefined) => (n === undefined ? '' : String(n))

/**
 * The document (from `exportModel`) as CSV text, header first; `rows`: the rows after the header. Paths are
 * whole (from the top): `outside` gives the path of a subtree's parent, which the document does not hold.
 */
export function toCsv(doc: ExportDocument, outside: (id: string) => string | undefined = () => undefined): { text: string; rows: number } {
  const paths = new Map<string, string>()
  const rows: string[][] = [[...CSV_COLUMNS]]
  for (const a of doc.assets) {
    const parentPath = a.parent === null ? undefined : (paths.get(a.parent) ?? outside(a.parent))
    const path = parentPath === undefined ? a.name : `${parentPath}/${a.name}`
    paths.set(a.id, path)
    const asset = [path, a.id, a.parent ?? '', a.kind, a.description, a.templateId ?? '', a.references.map(esc).join(';')]
    const attrs: (AssetAttribute | undefined)[] = a.attributes.length > 0 ? a.attributes : [undefined]
    for (const t of attrs) rows.push([...asset, ...(t ? attributeCells(t) : CSV_COLUMNS.slice(asset.length).map(() => ''))])
  }
  return { text: stringify(rows, { record_delimiter: '\n' }), rows: rows.length - 1 }
}

function attributeCells(t: AssetAttribute): string[] {
  const { kind, ...fields } = t.binding ?? { kind: '' }
  return [
    t.name, t.dataType, t.unit ?? '', num(t.range?.min), num(t.range?.max), num(t.decimals),
    t.enumeration ? Object.entries(t.enumeration).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(';') : '',
    num(t.limits?.hihi), num(t.limits?.hi), num(t.limits?.lo), num(t.limits?.lolo), num(t.expectedIntervalMs),
    t.writable === undefined ? '' : String(t.writable), kind,
    Object.entries(fields).map(([k, v]) => `${esc(k)}=${esc(String(v))}`).join(';'),
  ]
}

/** Where each part of a document read from CSV came from, so a refusal names the line. */
/** The attribute fields a CSV row carries; the others (alarm definitions, commands) have no columns. */
const CSV_FIELDS: ReadonlySet<string> = new Set(['name', 'dataType', 'unit', 'range', 'decimals', 'enumeration', 'limits', 'expectedIntervalMs', 'writable', 'binding'])

/**
 * What a CSV cannot carry is kept: each attribute read from CSV takes the fields without a column (its alarm
 * definitions, its commands) from the attribute of the same name on the asset it replaces (by id, else by path),
 * so a spreadsheet round trip never drops them silently.
 */
export function keepWhatCsvCannotCarry(src: CsvSource, store: AssetStore): void {
  src.doc.assets.forEach((a, i) => {
    const old = store.get(a.id) ?? store.byPath(src.assetPaths[i] ?? '')
    if (!old) return
    a.attributes = a.attributes.map((t) => {
      const was = old.attributes.find((x) => x.name === t.name)
      if (!was) return t
      const kept = Object.fromEntries(Object.entries(was).filter(([k]) => !CSV_FIELDS.has(k)))
      return Object.keys(kept).length > 0 ? ({ ...kept, ...t } as AssetAttribute) : t
    })
  })
}

export interface CsvSource {
  doc: ExportDocument
  /** Per asset, its path as the file names it. */
  assetPaths: string[]
  /** Per asset, the line of its first row; per attribute, its row's line. */
  assetLines: number[]
  attributeLines: number[][]
}

/**
 * Reads CSV into a document `importModel` plans like JSON. Parents are found by path: the row whose path is
 * this path's parent, else (a subtree's top) the `parent id` cell, else an asset at that path in `store`.
 * Unknown columns, bad values, rows that repeat an attribute and assets whose rows disagree are refused with
 * `model.bad_import`, the line and the reason.
 */
export function fromCsv(text: string, store: AssetStore, newId: () => string): CsvSource {
  const bad = (line: number, reason: string): never => {
    throw new AppError('model.bad_import', `line ${line}: ${reason}`, { line, reason })
  }
  let records: { record: string[]; raw: string; info: { lines: number } }[]
  try {
    records = parse(text, { bom: true, raw: true, info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 0
    return bad(line, `not CSV: ${(e as Error).message}`)
  }
  const first = records[0]
  if (!first) return bad(1, 'empty: a header row is needed')
  const header = first.record.map((h) => h.trim())
  header.forEach((h, k) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) bad(lineOf(first), `unknown column "${h}" (column ${k + 1}; known: ${CSV_COLUMNS.join(', ')})`)
    if (header.indexOf(h) !== k) bad(lineOf(first), `column "${h}" appears twice`)
  })
  if (!header.includes('path')) bad(lineOf(first), 'no "path" column')

  const doc: ExportDocument = { format: 'plantdeck.asset-model', version: 1, assets: [] }
  const out: CsvSource = { doc, assetPaths: [], assetLines: [], attributeLines: [] }
  const byPath = new Map<string, { i: number; key: string; attrs: Set<string>; empty: boolean }>()
  const parents: (string | undefined)[] = []
  const parentIds: string[] = []
  for (const rec of records.slice(1)) {
    const line = lineOf(rec)
    if (rec.record.length !== header.length) bad(line, `${rec.record.length} cells, the header has ${header.length}`)
    const row = Object.fromEntries(CSV_COLUMNS.map((c) => [c, ''])) as Row
    header.forEach((h, k) => (row[h as Column] = rec.record[k]!))
    const path = row.path
    const cut = path.lastIndexOf('/')
    const name = path.slice(cut + 1)
    if (name === '' || path.split('/').some((s) => s === '' || s.trim() !== s)) bad(line, `path "${path}": names must be non-empty, without leading or trailing spaces`)
    const key = JSON.stringify([row['asset id'], row['parent id'], row.kind, row.description, row.template, row.references])
    let at = byPath.get(path)
    if (!at) {
      at = { i: doc.assets.length, key, attrs: new Set(), empty: false }
      byPath.set(path, at)
      doc.assets.push({
        id: row['asset id'] || newId(), name, description: row.description, kind: row.kind, templateId: row.template || null,
        parent: null, references: list(row.references, line, 'references', bad).map(([k]) => k), attributes: [],
      })
      parents.push(cut < 0 ? undefined : path.slice(0, cut))
      parentIds.push(row['parent id'])
      out.assetPaths.push(path)
      out.assetLines.push(line)
      out.attributeLines.push([])
    } else if (at.key !== key) bad(line, `"${path}": asset id, parent id, kind, description, template or references differ from line ${out.assetLines[at.i]}`)
    const attr = row.attribute
    if (attr === '') {
      if (at.empty || at.attrs.size > 0) bad(line, `"${path}": a row without attribute, and the asset has other rows (line ${out.assetLines[at.i]})`)
      at.empty = true
      continue
    }
    if (at.empty) bad(line, `"${path}": an attribute row after a row without attribute (line ${out.assetLines[at.i]})`)
    if (at.attrs.has(attr)) bad(line, `duplicate row: "${path}" attribute "${attr}" appears twice`)
    at.attrs.add(attr)
    doc.assets[at.i]!.attributes.push(attribute(row, line, bad))
    out.attributeLines[at.i]!.push(line)
  }
  doc.assets.forEach((a, i) => {
    const pp = parents[i]
    if (pp === undefined) return
    const inFile = byPath.get(pp)
    a.parent = inFile ? doc.assets[inFile.i]!.id : parentIds[i] || store.byPath(pp)?.id || bad(out.assetLines[i]!, `parent path "${pp}" is neither in the file nor in the model`)
  })
  return out
}

/** The first line of a record (one with quoted line breaks spans several). */
function lineOf(rec: { raw: string; info: { lines: number } }): number {
  // `info.lines` is the record's last line; `raw` also holds the blank lines skipped before it
  const breaks = rec.raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '').split('\n').length - 1
  return rec.info.lines - breaks
}

type Bad = (line: number, reason: string) => never

/** `k=v;k=v` (or, for references, `a;b`) with backslash escapes, as pairs. */
function list(cell: string, line: number, column: string, bad: Bad): [string, string | undefined][] {
  if (cell === '') return []
  const out: [string, string | undefined][] = []
  let part = ['']
  for (let k = 0; k < cell.length; k++) {
    const c = cell[k]!
    if (c === '\\') {
      const next = cell[++k]
      if (next === undefined) bad(line, `${column}: a "\\" at the end`)
      part[part.length - 1] += next
    } else if (c === ';') {
      out.push([part[0]!, part[1]])
      part = ['']
    } else if (c === '=' && part.length === 1) part.push('')
    else part[part.length - 1] += c
  }
  out.push([part[0]!, part[1]])
  return out
}

function attribute(row: Row, line: number, bad: Bad): AssetAttribute {
  const number = (c: Column, int = false): number | undefined => {
    const v = row[c].trim()
    if (v === '') return undefined
    const n = Number(v)
    if (!Number.isFinite(n) || (int && !Number.isInteger(n))) bad(line, `${c}: "${row[c]}" is not ${int ? 'a whole number' : 'a number'}`)
    return n
  }
  const pairs = (c: Column) => {
    const l = list(row[c], line, c, bad)
    l.forEach(([k, v]) => (k === '' || v === undefined) && bad(line, `${c}: "${row[c]}" is not key=value;key=value`))
    return l as [string, string][]
  }
  const type = row['data type']
  if (type !== 'number' && type !== 'boolean' && type !== 'string') bad(line, `data type: "${type}" is none of number, boolean, string`)
  const t: AssetAttribute = { name: row.attribute, dataType: type as AssetAttribute['dataType'] }
  if (row.unit !== '') t.unit = row.unit
  const min = number('range min')
  const max = number('range max')
  if ((min === undefined) !== (max === undefined)) bad(line, 'range min and range max: both or neither')
  if (min !== undefined && max !== undefined) t.range = { min, max }
  const decimals = number('decimals', true)
  if (decimals !== undefined) t.decimals = decimals
  if (row.enumeration !== '') t.enumeration = Object.fromEntries(pairs('enumeration'))
  const limits = Object.fromEntries((['hihi', 'hi', 'lo', 'lolo'] as const).flatMap((k) => (number(k) === undefined ? [] : [[k, number(k)!]])))
  if (Object.keys(limits).length > 0) t.limits = limits
  const interval = number('expected interval ms', true)
  if (interval !== undefined) t.expectedIntervalMs = interval
  if (row.writable !== '') {
    if (row.writable !== 'true' && row.writable !== 'false') bad(line, `writable: "${row.writable}" is neither true nor false`)
    t.writable = row.writable === 'true'
  }
  const kind = row['binding kind']
  if (kind === '' && row.binding !== '') bad(line, 'binding: fields without a binding kind')
  if (kind !== '') {
    const fields: Record<string, unknown> = Object.fromEntries(pairs('binding'))
    // a constant's value has the attribute's type (every protocol binding field is text)
    if (kind === 'constant' && typeof fields.value === 'string' && type !== 'string') {
      const v = fields.value
      fields.value = type === 'number' ? (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : bad(line, `binding: constant "${v}" is not a number`)) : v === 'true' ? true : v === 'false' ? false : bad(line, `binding: constant "${v}" is neither true nor false`)
    }
    t.binding = { kind, ...fields }
  }
  return t
}
