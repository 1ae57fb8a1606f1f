import { randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import type { Asset, AssetSummary, ChangeEntry, Template } from '../../shared/contract/asset-model'
import { AppError, isAppError } from '../../shared/model/errors'
import type { AssetInput, AssetPatch, AssetState, AssetStore, Plan, PlanOp, TemplateInput } from '../../core/ports/asset-store'
import { holdLock } from './backup'
import { migrate } from './migrations'
import { type AssetRow, type SummaryRow, SUMMARY_COLUMNS, TOP, decodeCursor, encodeCursor, ftsQuery, toSummary } from './rows'
import { ChangeLog } from './change-log'
import { AssetWriter, assetJson, keptRefs, stateOf } from './writer'
import { TemplateRows } from './template-rows'

/**
 * The asset model in the application database, `<dataDir>/app.db` (its own file, apart from the sample store).
 * better-sqlite3 on the calling thread, synchronously: every call is small (one asset, one page of children or
 * search hits, one change), so it holds the event loop for well under a millisecond. The exceptions are
 * `apply` (an import) and `subtree` (an export), bounded by the document's size; put them in a worker if
 * models grow past what an import should block for.
 */
export interface AppDbOptions {
  path: string
  now?: () => number
  newId?: () => string
}

export function openAppDb(o: AppDbOptions): SqliteAssetStore {
  const db = new Database(o.path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL') // edits are few and precious: each is on disk when the call answers
  db.pragma('foreign_keys = ON')
  migrate(db)
  const store = new SqliteAssetStore(db, o.now ?? Date.now, o.newId ?? randomUUID)
  store.release = holdLock(o.path) // a restore refuses while this process has the file open
  return store
}

export class SqliteAssetStore implements AssetStore {
  private readonly w: AssetWriter
  private readonly t: TemplateRows
  private readonly log: ChangeLog
  private readonly byPathStmt
  private readonly manyStmt
  private readonly idsAtStmt
  private readonly childrenStmt
  private readonly subtreeStmt
  private readonly allStmt
  private readonly refsToStmt
  private readonly searchStmt

  constructor(
    readonly db: Database.Database,
    private readonly now: () => number,
    private readonly newId: () => string,
  ) {
    this.w = new AssetWriter(db)
    this.t = new TemplateRows(db)
    this.log = new ChangeLog(db, this.w, this.t)
    this.byPathStmt = db.prepare<[string], AssetRow>('SELECT * FROM asset WHERE path = ?')
    // a JSON array of keys, each looked up by its index
    this.manyStmt = db.prepare<[string], AssetRow>('SELECT a.* FROM json_each(?) j JOIN asset a ON a.id = j.value')
    this.idsAtStmt = db.prepare<[string], { id: string; path: string }>('SELECT a.id, a.path FROM json_each(?) j JOIN asset a ON a.path = j.value')
    const page = (from: string, where: string, ref: number) =>
      `SELECT ${SUMMARY_COLUMNS}, ${ref} AS ref FROM ${from} WHERE ${where} AND (a.name, a.id) > (@name, @id)`
    this.childrenStmt = db.prepare<{ parent: string; name: string; id: string; limit: number }, SummaryRow>(
      `${page('asset a', 'a.parent = @parent', 0)} UNION ALL ${page('asset_ref r JOIN asset a ON a.id = r.asset', 'r.parent = @parent', 1)}
       ORDER BY 3, 1 LIMIT @limit`,
    )
    this.subtreeStmt = db.prepare<[string, string, string], AssetRow>("SELECT * FROM asset WHERE path = ? OR (path >= ? || '/' AND path < ? || '0') ORDER BY path")
    this.allStmt = db.prepare<[], AssetRow>('SELECT * FROM asset ORDER BY path')
    this.refsToStmt = db.prepare<[string], AssetRow>('SELECT a.* FROM asset_ref r JOIN asset a ON a.id = r.asset WHERE r.parent = ?')
    this.searchStmt = db.prepare<[string, number], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS}, 0 AS ref FROM asset_fts f JOIN asset a ON a.rid = f.rowid WHERE asset_fts MATCH ? ORDER BY f.rank LIMIT ?`,
    )
  }

  get(id: string): Asset | undefined {
    return this.w.get(id)
  }

  byPath(path: string): Asset | undefined {
    const r = this.byPathStmt.get(path)
    return r && this.w.asset(r)
  }

  getMany(ids: readonly string[]): Map<string, Asset> {
    return new Map(this.manyStmt.all(JSON.stringify(ids)).map((r) => [r.id, this.w.asset(r)]))
  }

  idsAt(paths: readonly string[]): Map<string, string> {
    return new Map(this.idsAtStmt.all(JSON.stringify(paths)).map((r) => [r.path, r.id]))
  }

  children(parent: string | null, page: { cursor?: string | undefined; limit: number }): { items: AssetSummary[]; next: string | null } {
    if (parent !== null) this.w.require(parent)
    const after: [string, string] | undefined = page.cursor === undefined ? ['', ''] : decodeCursor(page.cursor)
    if (!after) throw new AppError('rpc.bad_params', 'cursor: not one model.children gave')
    const rows = this.childrenStmt.all({ parent: parent ?? TOP, name: after[0], id: after[1], limit: page.limit + 1 })
    const items = rows.slice(0, page.limit).map(toSummary)
    const last = items[items.length - 1]
    return { items, next: rows.length > page.limit && last ? encodeCursor(last.name, last.id) : null }
  }

  subtree(root: string | null): Asset[] {
    if (root === null) return this.allStmt.all().map((r) => this.w.asset(r))
    const p = this.w.require(root).path
    return this.subtreeStmt.all(p, p, p).map((r) => this.w.asset(r))
  }

  referrers(ids: readonly string[]): Asset[] {
    const inside = new Set(ids)
    const out = new Map<string, Asset>()
    for (const id of ids) for (const r of this.refsToStmt.all(id)) if (!inside.has(r.id)) out.set(r.id, this.w.asset(r))
    return [...out.values()]
  }

  search(query: string, limit: number): AssetSummary[] {
    const q = ftsQuery(query)
    return q ? this.searchStmt.all(q, limit).map(toSummary) : []
  }

  create(input: AssetInput, who: string): Asset {
    return this.tx(() => {
      const id = input.id ?? this.newId()
      if (this.w.row(id)) throw new AppError('model.name_taken', `an asset with id "${id}" exists already`, { id })
      this.w.put({
        id,
        parent: input.parent,
        name: input.name,
        description: input.description ?? '',
        kind: input.kind,
        templateId: input.templateId ?? null,
        references: [],
        attributes: [...(input.attributes ?? [])],
      })
      this.w.setRefs(id, input.references ?? [])
      const after = this.w.get(id)!
      this.log.record({ at: this.now(), who, op: 'create', summary: `create ${after.path}`, before: [], after: [after] })
      return after
    })
  }

  update(id: string, patch: AssetPatch, who: string): Asset {
    return this.tx(() => {
      const before = this.w.asset(this.w.require(id))
      const next: AssetState = { ...stateOf(before) }
      if (patch.name !== undefined) next.name = patch.name
      if (patch.description !== undefined) next.description = patch.description
      if (patch.kind !== undefined) next.kind = patch.kind
      if (patch.templateId !== undefined) next.templateId = patch.templateId
      if (patch.attributes !== undefined) next.attributes = [...patch.attributes]
      this.w.put(next)
      if (patch.references !== undefined) this.w.setRefs(id, patch.references)
      const after = this.w.get(id)!
      this.log.record({ at: this.now(), who, op: 'update', summary: `update ${after.path}`, before: [before], after: [after] })
      return after
    })
  }

  move(id: string, parent: string | null, who: string): Asset {
    return this.tx(() => {
      const before = this.w.asset(this.w.require(id))
      this.w.put({ ...stateOf(before), parent })
      // a reference to the new primary parent is now redundant
      if (parent !== null && before.references.includes(parent)) this.w.setRefs(id, before.references)
      const after = this.w.get(id)!
      this.log.record({ at: this.now(), who, op: 'move', summary: `move ${before.path} to ${after.path}`, before: [before], after: [after] })
      return after
    })
  }

  delete(id: string, who: string): { change: number } {
    return this.tx(() => {
      const gone = this.subtree(id)
      const linked = this.referrers(gone.map((a) => a.id))
      for (const a of [...gone].reverse()) this.w.remove(a.id)
      const after = linked.map((a) => this.w.get(a.id)!)
      return { change: this.log.record({ at: this.now(), who, op: 'delete', summary: `delete ${gone[0]!.path} (${gone.length} assets)`, before: [...gone, ...linked], after }) }
    })
  }

  apply(plan: Plan, who: string, summary: string, op: PlanOp = 'import', progress?: (done: number, total: number) => void): { change: number } {
    return this.tx(() => {
      const tpls = plan.templates ?? []
      const tBefore = tpls.flatMap((t) => this.t.get(t.id) ?? [])
      for (const t of tpls) this.t.write(t)
      for (const t of tpls) this.t.check(t.id)
      const putIds = new Set(plan.put.map((s) => s.id))
      // assets the plan leaves alone but that lose a reference to a removed one: logged too, so undo restores it
      const linked = this.referrers(plan.remove).filter((a) => !putIds.has(a.id))
      const had = this.getMany(plan.put.map((s) => s.id))
      const before = [...plan.put.flatMap((s) => had.get(s.id) ?? []), ...plan.remove.map((id) => this.w.asset(this.w.require(id))), ...linked]
      const existed = new Set(before.map((a) => a.id))
      const total = plan.put.length + plan.remove.length
      // after: the states as written, serialized from the columns just written (not read back, not stringified
      // twice: an import may hold tens of thousands of attributes)
      const written = this.w.batched((batch) => {
        const out = plan.put.map((s, n) => {
          if (n % 256 === 0) progress?.(n, total)
          return this.w.put(s)
        })
        for (const s of plan.put) if (s.references.length > 0 || existed.has(s.id)) this.w.setRefs(s.id, s.references)
        for (const id of plan.remove) this.w.remove(id)
        return batch.moved ? out.map((w, n) => ({ ...w, path: this.w.place(plan.put[n]!.id).path })) : out
      }, plan.put.flatMap((s) => (had.has(s.id) ? [] : [s.id])))
      progress?.(total, total)
      const after = [...plan.put.map((s, n) => assetJson(s, keptRefs(s), written[n]!.path, written[n]!.cols.attributes)), ...linked.map((a) => JSON.stringify(this.w.get(a.id)!))]
      const templates = tpls.length > 0 ? { before: tBefore, after: [...tpls] } : undefined
      return { change: this.log.record({ at: this.now(), who, op, summary, before, after, ...(templates ? { templates } : {}) }) }
    })
  }

  templates(): (Template & { instanceCount: number })[] {
    return this.t.all()
  }

  template(id: string): Template | undefined {
    return this.t.get(id)
  }

  instancesOf(id: string): Asset[] {
    return this.t.instances(id).map((a) => this.w.get(a)!)
  }

  createTemplate(input: TemplateInput, who: string): Template {
    return this.tx(() => {
      const id = input.id ?? this.newId()
      if (this.t.get(id)) throw new AppError('model.name_taken', `a template with id "${id}" exists already`, { id })
      const t: Template = { id, name: input.name, description: input.description ?? '', base: input.base ?? null, attributes: [...input.attributes] }
      this.t.write(t)
      this.t.check(id)
      this.log.record({ at: this.now(), who, op: 'template.create', summary: `create template ${t.name}`, before: [], after: [], templates: { before: [], after: [t] } })
      return t
    })
  }

  updateTemplate(id: string, patch: Partial<Omit<TemplateInput, 'id'>>, who: string): Template {
    return this.tx(() => {
      const old = this.requireTemplate(id)
      const t: Template = {
        ...old,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.base !== undefined ? { base: patch.base } : {}),
        ...(patch.attributes !== undefined ? { attributes: [...patch.attributes] } : {}),
      }
      this.t.write(t)
      this.t.check(id)
      this.log.record({ at: this.now(), who, op: 'template.update', summary: `update template ${t.name}`, before: [], after: [], templates: { before: [old], after: [t] } })
      return t
    })
  }

  deleteTemplate(id: string, detach: boolean, who: string): { change: number } {
    return this.tx(() => {
      const t = this.requireTemplate(id)
      const before = this.instancesOf(id)
      if (before.length > 0 && !detach) {
        throw new AppError('model.template_in_use', `${before.length} assets are instances of "${t.name}": delete with detach to keep them without it`, { id, instances: before.length })
      }
      for (const a of before) this.w.put({ ...stateOf(a), templateId: null })
      this.t.remove(id)
      const after = before.map((a) => ({ ...a, templateId: null }))
      const summary = `delete template ${t.name}${before.length > 0 ? ` (${before.length} instances detached)` : ''}`
      return { change: this.log.record({ at: this.now(), who, op: 'template.delete', summary, before, after, templates: { before: [t], after: [] } }) }
    })
  }

  private requireTemplate(id: string): Template {
    const t = this.t.get(id)
    if (!t) throw new AppError('model.unknown', `no template with id "${id}"`, { id })
    return t
  }

  changes(page: { before?: number | undefined; limit: number }): ChangeEntry[] {
    return this.log.list(page.before, page.limit)
  }

  undo(count: number, who: string): { undone: number[]; change: number | null } {
    return this.tx(() => this.log.undo(count, who, this.now()))
  }

  /** Gives back the lock `openAppDb` took. */
  release = () => {}

  close(): void {
    this.db.close()
    this.release()
  }

  /** One transaction; a constraint the checks did not foresee still answers with a stable code. */
  private tx<T>(f: () => T): T {
    try {
      return this.db.transaction(f)()
    } catch (e) {
      if (isAppError(e)) throw e
      const code = (e as { code?: string }).code
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('model.name_taken', `a sibling has that name already: ${(e as Error).message}`)
      throw e
    }
  }
}
