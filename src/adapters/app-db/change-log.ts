import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { Database, Statement } from 'better-sqlite3'
import type { Asset, ChangeEntry, Template } from '../../shared/contract/asset-model'
import type { TemplateRows } from './template-rows'
import { type AssetWriter, stateOf } from './writer'

interface ChangeRow {
  id: number
  at: number
  who: string
  op: ChangeEntry['op']
  summary: string
  before: string | Buffer
  after: string | Buffer
  undone: number
  templates_before: string
  templates_after: string
}

/** `after` may come serialized already, one JSON text per asset (see `assetJson`). */
type NewChange = Omit<ChangeEntry, 'id' | 'undone' | 'beforeCount' | 'afterCount' | 'after'> & { after: Asset[] | string[] }

/** Assets per side that a listed change carries (the log row keeps them all). */
export const LISTED_ASSETS = 100

/**
 * The change log: one row per change (who, when, what, every touched asset before and after), written by the
 * caller inside the change's own transaction, so the log and the model never disagree. Undo reverts entries
 * newest first by putting their `before` states back; it is itself logged (op `undo`) and is not undone again.
 */
export class ChangeLog {
  private readonly insert: Statement
  private readonly page: Statement<[number, number], ChangeRow>
  private readonly undoable: Statement<[number], ChangeRow>
  private readonly mark: Statement<[number]>

  constructor(
    db: Database,
    private readonly w: AssetWriter,
    private readonly t: TemplateRows,
  ) {
    this.insert = db.prepare('INSERT INTO change (at, who, op, summary, before, after, templates_before, templates_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    this.page = db.prepare('SELECT * FROM change WHERE id < ? ORDER BY id DESC LIMIT ?')
    this.undoable = db.prepare("SELECT * FROM change WHERE undone = 0 AND op != 'undo' ORDER BY id DESC LIMIT ?")
    this.mark = db.prepare('UPDATE change SET undone = 1 WHERE id = ?')
  }

  record(c: NewChange): number {
    const t = c.templates ?? { before: [], after: [] }
    return Number(this.insert.run(c.at, c.who, c.op, c.summary, stored(JSON.stringify(c.before)), stored(assetsJson(c.after)), JSON.stringify(t.before), JSON.stringify(t.after)).lastInsertRowid)
  }

  list(before: number | undefined, limit: number): ChangeEntry[] {
    return this.page.all(before ?? Number.MAX_SAFE_INTEGER, limit).map((r) => {
      const e = toEntry(r)
      return { ...e, before: e.before.slice(0, LISTED_ASSETS), after: e.after.slice(0, LISTED_ASSETS) }
    })
  }

  /** Runs inside the caller's transaction. */
  undo(count: number, who: string, at: number): { undone: number[]; change: number | null } {
    const entries = this.undoable.all(count).map(toEntry)
    if (entries.length === 0) return { undone: [], change: null }
    const touched = [...new Set(entries.flatMap((e) => [...e.before, ...e.after].map((a) => a.id)))]
    const tpls = [...new Set(entries.flatMap((e) => [...(e.templates?.before ?? []), ...(e.templates?.after ?? [])].map((t) => t.id)))]
    const before = touched.flatMap((id) => this.w.get(id) ?? [])
    const tBefore = tpls.flatMap((id) => this.t.get(id) ?? [])
    for (const e of entries) {
      this.revert(e)
      this.mark.run(e.id)
    }
    const after = touched.flatMap((id) => this.w.get(id) ?? [])
    const templates = { before: tBefore, after: tpls.flatMap((id) => this.t.get(id) ?? []) }
    const ids = entries.map((e) => e.id)
    const change = this.record({ at, who, op: 'undo', summary: `undo ${ids.map((i) => `#${i}`).join(', ')}`, before, after, templates })
    return { undone: ids, change }
  }

  /**
   * Puts back what `e` changed: its templates' earlier states first (assets may name them), then assets it created
   * go (children first) and the others regain their state (parents first), then templates it created go (refused,
   * model.template_in_use, while a later change's assets still use one).
   */
  private revert(e: ChangeEntry): void {
    const tHad = new Set((e.templates?.before ?? []).map((t) => t.id))
    for (const t of e.templates?.before ?? []) this.t.write(t)
    const had = new Set(e.before.map((a) => a.id))
    const created = e.after.filter((a) => !had.has(a.id)).sort(byPath).reverse()
    for (const a of created) if (this.w.row(a.id)) this.w.remove(a.id)
    const restore = [...e.before].sort(byPath)
    for (const a of restore) this.w.put(stateOf(a))
    for (const a of restore) this.w.setRefs(a.id, a.references)
    for (const t of e.templates?.after ?? []) if (!tHad.has(t.id) && this.t.get(t.id)) this.t.remove(t.id)
  }
}

/**
 * A side of a change as stored: its JSON text, or beyond `COMPRESS_FROM` characters (an import, a large delete)
 * that text deflated (raw deflate, level 1), a BLOB; 10 MB of an import's assets become a few hundred kB, which
 * the transaction then writes and syncs instead. Read back by `loaded`; rows written before are text.
 */
export const COMPRESS_FROM = 64 * 1024
const stored = (json: string): string | Buffer => (json.length < COMPRESS_FROM ? json : deflateRawSync(json, { level: 1 }))
const loaded = (v: string | Buffer): string => (typeof v === 'string' ? v : inflateRawSync(v).toString('utf8'))

const assetsJson = (as: Asset[] | string[]) => (typeof as[0] === 'string' ? `[${as.join(',')}]` : JSON.stringify(as))

const byPath = (a: Asset, b: Asset) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)

function toEntry(r: ChangeRow): ChangeEntry {
  const before = JSON.parse(loaded(r.before)) as Asset[]
  const after = JSON.parse(loaded(r.after)) as Asset[]
  const templates = { before: JSON.parse(r.templates_before) as Template[], after: JSON.parse(r.templates_after) as Template[] }
  const entry: ChangeEntry = { id: r.id, at: r.at, who: r.who, op: r.op, summary: r.summary, before, after, beforeCount: before.length, afterCount: after.length, undone: r.undone === 1 }
  return templates.before.length + templates.after.length > 0 ? { ...entry, templates } : entry
}
