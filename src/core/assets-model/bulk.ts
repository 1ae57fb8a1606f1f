import { type AssetAttribute, ExportDocument, type ImportMode, type ImportReport } from '../../shared/contract/asset-model'
import { AppError, isAppError } from '../../shared/model/errors'
import type { AssetState, AssetStore } from '../ports/asset-store'
import { fromCsv, keepWhatCsvCannotCarry } from './csv'
import { jsonPath, lineColumn, lineOf } from './json-lines'
import { exportTemplates, planTemplates } from './bulk-templates'
import { readDocument } from './fast-document'

/** The whole model (root null) or one subtree, parents first: what `model.import` reads back. */
export function exportModel(store: AssetStore, root: string | null): ExportDocument {
  if (root !== null && !store.get(root)) throw new AppError('model.unknown', `no asset with id "${root}"`, { id: root })
  const assets = store.subtree(root).map(({ path: _p, ...s }) => s)
  return { format: 'plantdeck.asset-model', version: 2, templates: exportTemplates(store, root, assets), assets }
}

export interface ImportOptions {
  who: string
  /** Throws model.bad_binding for a bad binding; `where`: the attributes' JSON path. */
  checkBindings: (attributes: readonly AssetAttribute[], where: string) => void
  /** Told how far the import is: at most every `PROGRESS_MS` per phase, and always at the end of each phase. */
  progress?: (p: ImportProgress) => void
  /** The clock the progress is paced by (tests). */
  now?: () => number
}

export type ImportProgress = { phase: 'check' | 'write'; done: number; total: number }
export const PROGRESS_MS = 200

/** A progress callback that passes one report per `PROGRESS_MS` and the last one (done = total). */
export function paced(o: ImportOptions, phase: ImportProgress['phase']): ((done: number, total: number) => void) | undefined {
  const tell = o.progress
  if (!tell) return undefined
  const now = o.now ?? Date.now
  let last = -Infinity
  return (done, total) => {
    const t = now()
    if (done < total && t - last < PROGRESS_MS) return
    last = t
    tell({ phase, done, total })
  }
}

type Params = { text: string; format?: 'json' | 'csv' | undefined; mode: ImportMode; dryRun?: boolean | undefined; under?: string | undefined }

/**
 * Plans an import, and applies it in one transaction unless `dryRun`. Modes: `by-id` updates assets with the
 * document's ids and creates the others; `by-path` matches by path instead (keeping the database's ids);
 * `replace` also deletes what the scope (the whole model, or the subtree under `under`) holds and the document
 * does not. Nothing is deleted in the other modes. Every refusal is `model.bad_import` with the JSON path and
 * line (CSV: the line) and the reason, and changes nothing.
 */
export function importModel(store: AssetStore, p: Params, o: ImportOptions): ImportReport {
  if (p.format === 'csv') {
    const src = fromCsv(p.text, store, () => globalThis.crypto.randomUUID())
    keepWhatCsvCannotCarry(src, store)
    const refuse = (path: readonly PropertyKey[], why: string, code: 'model.bad_import' | 'model.bad_template' = 'model.bad_import'): never => {
      const [, i, part, at] = path as [string, number?, string?, number?]
      // a binding refusal names the attribute as `$.assets[i].attributes[k] (name)`: in CSV, its row
      const named = /^\$\.assets\[\d+\]\.attributes\[(\d+)\] \((.*?)\): /.exec(why)
      const k = at ?? (named ? Number(named[1]) : undefined)
      const reason = named ? `attribute "${named[2]}": ${why.slice(named[0].length)}` : why
      const line = (part === 'attributes' && k !== undefined ? src.attributeLines[i ?? 0]?.[k] : undefined) ?? src.assetLines[i ?? 0]
      throw new AppError(code, `${line ? `line ${line}` : 'CSV'}: ${reason}`, { line, reason })
    }
    return planImport(store, src.doc, p, o, refuse)
  }
  const refuse = (path: readonly PropertyKey[], reason: string, code: 'model.bad_import' | 'model.bad_template' = 'model.bad_import'): never => {
    const line = lineOf(p.text, path as (string | number)[])
    throw new AppError(code, `${jsonPath(path)}${line ? ` (line ${line})` : ''}: ${reason}`, { path: jsonPath(path), line, reason })
  }
  let raw: unknown
  try {
    raw = JSON.parse(p.text)
  } catch (e) {
    const msg = (e as Error).message
    const at = errorOffset(p.text, msg)
    const where = at === undefined ? undefined : lineColumn(p.text, at)
    throw new AppError('model.bad_import', `not JSON${where ? ` (line ${where.line}, column ${where.column})` : ''}: ${msg}`, { line: where?.line, reason: msg })
  }
  // the fast reader takes a well-formed document; anything else gets the schema's own first issue
  const fast = readDocument(raw)
  if (fast) return planImport(store, fast, p, o, refuse)
  const parsed = ExportDocument.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    refuse(issue.path, issue.message)
  }
  return planImport(store, parsed.data!, p, o, refuse)
}

/** Plans (and unless a dry run, applies) a parsed document; `refuse` names where in the source a problem is. */
function planImport(store: AssetStore, doc: ExportDocument, p: Params, o: ImportOptions, refuse: (path: readonly PropertyKey[], reason: string, code?: 'model.bad_import' | 'model.bad_template') => never): ImportReport {
  const tpl = planTemplates(store, doc, refuse)
  const under = p.under ?? null
  if (under !== null && !store.get(under)) throw new AppError('model.unknown', `no asset with id "${under}"`, { id: under })

  // document ids -> the ids they get here (by-path keeps the database's id of an asset at the same path)
  const index = new Map<string, number>()
  doc.assets.forEach((a, i) => {
    if (index.has(a.id)) refuse(['assets', i, 'id'], `duplicate id "${a.id}" (first at $.assets[${index.get(a.id)}])`)
    index.set(a.id, i)
    try {
      o.checkBindings(a.attributes, `$.assets[${i}].attributes`)
    } catch (e) {
      if (isAppError(e)) refuse(['assets', i, 'attributes'], e.message)
      throw e
    }
  })
  const top = (i: number) => {
    const a = doc.assets[i]!
    return a.parent === null || !index.has(a.parent)
  }
  const parentOf = (i: number): string | null => (top(i) && under !== null ? under : doc.assets[i]!.parent)

  // final paths, parents first; a parent outside the document must exist here; a chain that loops is a cycle
  const paths = new Map<number, string>()
  const pathOf = (i: number, seen: Set<number>): string => {
    const known = paths.get(i)
    if (known !== undefined) return known
    if (seen.has(i)) refuse(['assets', i, 'parent'], 'the parents form a cycle')
    seen.add(i)
    const a = doc.assets[i]!
    const parent = parentOf(i)
    let base = ''
    if (parent !== null) {
      const j = index.get(parent)
      if (j !== undefined && !(top(i) && under !== null)) base = `${pathOf(j, seen)}/`
      else {
        const here = store.get(parent)
        if (!here) refuse(['assets', i, 'parent'], `parent "${parent}" is neither in the document nor in the model`)
        base = `${here!.path}/`
      }
    }
    const path = base + a.name
    paths.set(i, path)
    return path
  }
  doc.assets.forEach((_, i) => pathOf(i, new Set()))

  // what is here already, looked up at once: at the document's paths, and (by path) with its ids
  const atPath = store.idsAt([...paths.values()])
  const docIds = p.mode === 'by-path' ? new Set(store.getMany(doc.assets.map((a) => a.id)).keys()) : undefined
  const target = new Map<string, string>() // document id -> id here
  doc.assets.forEach((a, i) => {
    const byPath = docIds ? atPath.get(paths.get(i)!) : undefined
    target.set(a.id, byPath ?? (docIds?.has(a.id) ? globalThis.crypto.randomUUID() : a.id))
  })
  const idHere = (id: string) => target.get(id) ?? id

  // replace: what the scope holds and the document does not goes, children first
  const kept = new Set(target.values())
  const remove =
    p.mode === 'replace'
      ? store
          .subtree(under)
          .filter((a) => a.id !== under && !kept.has(a.id))
          .reverse()
      : []
  const removed = new Set(remove.map((a) => a.id))

  const order = doc.assets.map((_, i) => i).sort((x, y) => (paths.get(x)! < paths.get(y)! ? -1 : 1))
  const taken = new Map<string, number>()
  const report: ImportReport = {
    dryRun: p.dryRun ?? false,
    create: [],
    update: [],
    delete: remove.map((a) => ({ id: a.id, path: a.path })),
    ...(doc.version === 1 && tpl.templates.length === 0 ? {} : { templates: { create: tpl.create, update: tpl.update } }),
    change: null,
  }
  const olds = store.getMany([...target.values()])
  const put: AssetState[] = []
  const checked = paced(o, 'check')
  for (const [n, i] of order.entries()) {
    checked?.(n, order.length)
    const a = doc.assets[i]!
    const path = paths.get(i)!
    if (taken.has(path)) refuse(['assets', i, 'name'], `"${path}" is also $.assets[${taken.get(path)}]`)
    taken.set(path, i)
    const parent = parentOf(i)
    const s: AssetState = { ...a, id: idHere(a.id), parent: parent === null ? null : idHere(parent), references: a.references.map(idHere) }
    if (s.parent !== null && removed.has(s.parent)) refuse(['assets', i, 'parent'], 'its parent is deleted by this import')
    s.references.forEach((r, k) => {
      if (!kept.has(r) && (!store.get(r) || removed.has(r))) refuse(['assets', i, 'references', k], `referenced parent "${r}" is neither in the document nor in the model`)
    })
    const holder = atPath.get(path)
    if (holder !== undefined && holder !== s.id && !kept.has(holder) && !removed.has(holder)) refuse(['assets', i, 'name'], `"${path}" exists already (id ${holder})`)
    const old = olds.get(s.id)
    if (!old) report.create.push({ id: s.id, path })
    else if (!same(old, s)) report.update.push({ id: s.id, path })
    else continue
    put.push(s)
  }
  checked?.(order.length, order.length)
  if (report.dryRun || (put.length === 0 && remove.length === 0 && tpl.templates.length === 0)) return report
  try {
    const summary = `import (${p.mode}): ${report.create.length} created, ${report.update.length} updated, ${report.delete.length} deleted`
    report.change = store.apply({ templates: tpl.templates, put, remove: remove.map((a) => a.id) }, o.who, summary, 'import', paced(o, 'write')).change
  } catch (e) {
    if (isAppError(e) && e.code !== 'model.bad_import' && e.code !== 'model.bad_template') throw new AppError('model.bad_import', `refused, nothing imported: ${e.message}`, { reason: e.message, code: e.code })
    throw e
  }
  return report
}

/**
 * Where JSON.parse stopped: V8 names the position, or (for an unexpected token) quotes the 10 characters before
 * and after it, `..."<context>"...`, which are looked up in the text.
 */
function errorOffset(text: string, msg: string): number | undefined {
  const at = /position (\d+)/.exec(msg)
  if (at) return Number(at[1])
  const quoted = /, \.\.\."([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(msg)
  const k = quoted ? text.indexOf(quoted[1]!) : -1
  return k < 0 ? undefined : k + 10
}

function same(a: AssetState, b: AssetState): boolean {
  const norm = (s: AssetState) => JSON.stringify([s.parent, s.name, s.description, s.kind, s.templateId, [...s.references].sort(), s.attributes])
  return norm(a) === norm(b)
}
