import type { Asset, AssetAttribute, AssetSummary, ChangeEntry, Template } from '../../shared/contract/asset-model'

/**
 * The asset model's persistence (adapter: `adapters/app-db`, SQLite). Calls are synchronous and small (paged),
 * so a check and the write it guards run without anything in between. Every mutation writes its change-log
 * entry (who, when, before/after) in the same transaction, and refuses with stable codes: `model.unknown`
 * (no such id), `model.name_taken` (a sibling has the name), `model.cycle` (a move under itself).
 */
export interface AssetStore {
  get(id: string): Asset | undefined
  /** By path (names joined by `/`, under primary parents). */
  byPath(path: string): Asset | undefined
  /** The assets among `ids` that exist, by id: one query for an import's thousands. */
  getMany(ids: readonly string[]): Map<string, Asset>
  /** The ids of the assets at `paths` that exist, by path. */
  idsAt(paths: readonly string[]): Map<string, string>
  /** Children of `parent` (null: top level), primary and by reference, ordered by name then id. */
  children(parent: string | null, page: { cursor?: string | undefined; limit: number }): { items: AssetSummary[]; next: string | null }
  /** `root` and every descendant (null: the whole model), each parent before its children. */
  subtree(root: string | null): Asset[]
  /** Assets outside `ids` that show under one of `ids` by reference. */
  referrers(ids: readonly string[]): Asset[]
  /** FTS5 over name, path, attribute names, units, template; `query`: words, each matched as a prefix. */
  search(query: string, limit: number): AssetSummary[]
  create(input: AssetInput, who: string): Asset
  update(id: string, patch: AssetPatch, who: string): Asset
  move(id: string, parent: string | null, who: string): Asset
  /** Deletes `id` and its descendants, and unlinks references to them. */
  delete(id: string, who: string): { change: number }
  /**
   * Writes a whole plan in one transaction and one change-log entry (an import, an instantiation, a template
   * change applied): `templates` first (created or updated by id, inheritance checked once all are written), then
   * `put` in order (parents first; an existing id is updated, a new one created with that id), then `remove`
   * (children first). Any refusal rolls back everything. `progress`: assets written so far of all (put and removed).
   */
  apply(plan: Plan, who: string, summary: string, op?: PlanOp, progress?: (done: number, total: number) => void): { change: number }
  /** Every template, by name, with how many assets are its instances. */
  templates(): (Template & { instanceCount: number })[]
  template(id: string): Template | undefined
  /** The assets whose template is `id`, by path. */
  instancesOf(id: string): Asset[]
  /** Refuses a name another template has (model.name_taken), a missing base or a cycle (model.bad_template). */
  createTemplate(input: TemplateInput, who: string): Template
  /** The template only; its instances are changed by `apply` (see core/assets-model/template-handlers). */
  updateTemplate(id: string, patch: Partial<Omit<TemplateInput, 'id'>>, who: string): Template
  /** Refused (model.template_in_use) while templates derive from it, or while it has instances unless `detach` (they lose the template id). */
  deleteTemplate(id: string, detach: boolean, who: string): { change: number }
  /** The change log, newest first. */
  changes(page: { before?: number | undefined; limit: number }): ChangeEntry[]
  /** Reverts the newest `count` changes not yet undone, as one new change; `undone`: their ids. */
  undo(count: number, who: string): { undone: number[]; change: number | null }
  close(): void
}

export interface AssetInput {
  /** Given by an import; otherwise the adapter makes a random UUID. */
  id?: string
  parent: string | null
  name: string
  description?: string | undefined
  kind: string
  templateId?: string | null | undefined
  references?: readonly string[] | undefined
  attributes?: readonly AssetAttribute[] | undefined
}

export type AssetPatch = Partial<Omit<AssetInput, 'id' | 'parent'>>

/** An asset without its derived path. */
export type AssetState = Omit<Asset, 'path'>

export interface TemplateInput {
  /** Otherwise the adapter makes a random UUID. */
  id?: string | undefined
  name: string
  description?: string | undefined
  base?: string | null | undefined
  attributes: readonly AssetAttribute[]
}

export type PlanOp = 'import' | 'instantiate' | 'template.apply'
export interface Plan {
  templates?: readonly Template[] | undefined
  put: readonly AssetState[]
  remove: readonly string[]
}

/** The application database as files: online backups, and a restore while running (the host swaps the open store). */
export interface AssetFiles {
  /** Writes a new backup; never overwrites one (model.bad_backup). */
  backup(): Promise<{ file: string; bytes: number }>
  /** The backups kept, newest first. */
  list(): { name: string; bytes: number; at: number }[]
  /** Restores the backup `name` (one of `list`); refused with model.bad_backup, and then nothing changed. */
  restore(name: string): Promise<{ restored: string; previous: string | null; from: number; to: number }>
}
