import type { Database, Statement } from 'better-sqlite3'
import type { Asset } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model/errors'
import type { AssetState } from '../../core/ports/asset-store'
import { type AssetRow, TOP, toAsset, toColumns } from './rows'

/**
 * The row-level writes every change is made of, run inside the caller's transaction: put an asset's state
 * (recomputing its subtree's paths when its own changes), set its references, remove it. It also keeps the FTS5
 * index (migrations/003: no triggers), so every write to `asset` goes through here. Refuses with stable codes;
 * the caller's transaction rolls everything back.
 */
export class AssetWriter {
  private readonly byId: Statement<[string], AssetRow>
  private readonly placeOf: Statement<[string], Place>
  private readonly refsOf: Statement<[string], string>
  private readonly sibling: Statement<[string, string], { id: string }>
  private readonly insert: Statement
  private readonly update: Statement
  private readonly rewrite: Statement
  private readonly clearRefs: Statement<[string]>
  private readonly addRef: Statement<[string, string]>
  private readonly unlink: Statement<[string, string]>
  private readonly del: Statement<[string]>
  private readonly templateExists: Statement<[string], number>
  private readonly templateIds: Statement<[], string>
  private readonly ftsAdd: Statement
  private readonly ftsDrop: Statement
  private readonly ftsDropUnder: Statement<{ from: string }>
  private readonly ftsAddUnder: Statement<{ from: string }>
  private batch: Batch | undefined

  constructor(db: Database) {
    this.templateExists = db.prepare<[string], number>('SELECT 1 FROM template WHERE id = ?').pluck()
    this.templateIds = db.prepare<[], string>('SELECT id FROM template').pluck()
    this.byId = db.prepare('SELECT * FROM asset WHERE id = ?')
    this.placeOf = db.prepare(`SELECT id, parent, path, rid, ${FTS_COLUMNS} FROM asset WHERE id = ?`)
    this.refsOf = db.prepare<[string], string>('SELECT parent FROM asset_ref WHERE asset = ? ORDER BY parent').pluck()
    this.sibling = db.prepare('SELECT id FROM asset WHERE parent = ? AND name = ?')
    const cols = 'id, parent, name, description, kind, template, attributes, attribute_count, attribute_names, units, path'
    this.insert = db.prepare(`INSERT INTO asset (${cols}) VALUES (${cols.split(', ').map((c) => `@${c}`).join(', ')})`)
    this.update = db.prepare(`UPDATE asset SET ${cols.split(', ').filter((c) => c !== 'id').map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`)
    // descendants: paths in [old + '/', old + '0'), '0' being the character after '/'
    this.rewrite = db.prepare('UPDATE asset SET path = @to || substr(path, @cut) WHERE path >= @from || \'/\' AND path < @from || \'0\'')
    this.clearRefs = db.prepare('DELETE FROM asset_ref WHERE asset = ?')
    this.addRef = db.prepare('INSERT OR IGNORE INTO asset_ref (parent, asset) VALUES (?, ?)')
    this.unlink = db.prepare('DELETE FROM asset_ref WHERE asset = ? OR parent = ?')
    this.del = db.prepare('DELETE FROM asset WHERE id = ?')
    this.ftsAdd = db.prepare(`INSERT INTO asset_fts (rowid, ${FTS_COLUMNS}) VALUES (@rid, @name, @path, @attribute_names, @units, @template)`)
    this.ftsDrop = db.prepare(`INSERT INTO asset_fts (asset_fts, rowid, ${FTS_COLUMNS}) VALUES ('delete', @rid, @name, @path, @attribute_names, @units, @template)`)
    const under = "path >= @from || '/' AND path < @from || '0'"
    this.ftsDropUnder = db.prepare(`INSERT INTO asset_fts (asset_fts, rowid, ${FTS_COLUMNS}) SELECT 'delete', rid, ${FTS_COLUMNS} FROM asset WHERE ${under}`)
    this.ftsAddUnder = db.prepare(`INSERT INTO asset_fts (rowid, ${FTS_COLUMNS}) SELECT rid, ${FTS_COLUMNS} FROM asset WHERE ${under}`)
  }

  /**
   * Runs `f` (inside the caller's transaction) with what many puts share remembered: the template ids (read once,
   * after the caller has written its templates) and the paths of assets put meanwhile, so a child put after its
   * parent does not read the parent back. A put that moves a subtree forgets the paths (and says so: `moved`).
   * `absent`: ids the caller has just found to have no row (their first put inserts without looking).
   */
  batched<T>(f: (b: { readonly moved: boolean }) => T, absent: Iterable<string> = []): T {
    if (this.batch) return f(this.batch)
    this.batch = { templates: new Set(this.templateIds.all()), paths: new Map(), moved: false, absent: new Set(absent) }
    try {
      return f(this.batch)
    } finally {
      this.batch = undefined
    }
  }

  row(id: string): AssetRow | undefined {
    return this.byId.get(id)
  }

  asset(row: AssetRow): Asset {
    return toAsset(row, this.refsOf.all(row.id))
  }

  get(id: string): Asset | undefined {
    const r = this.byId.get(id)
    return r && this.asset(r)
  }

  require(id: string, what = 'asset'): AssetRow {
    const r = this.byId.get(id)
    if (!r) throw new AppError('model.unknown', `no ${what} with id "${id}"`, { id })
    return r
  }

  /** Where an asset is (without reading its attributes). */
  place(id: string, what = 'asset'): Place {
    const r = this.placeOf.get(id)
    if (!r) throw new AppError('model.unknown', `no ${what} with id "${id}"`, { id })
    return r
  }

  /**
   * Writes `s` (created when its id is new) and answers its path and its column values; its references are set
   * apart, with `setRefs`, once every target exists.
   */
  put(s: AssetState): { path: string; cols: Columns } {
    const b = this.batch
    if (s.templateId !== null && !(b ? b.templates.has(s.templateId) : this.templateExists.get(s.templateId) !== undefined)) {
      throw new AppError('model.bad_template', `"${s.name}": no template "${s.templateId}"`, { id: s.id, template: s.templateId })
    }
    const old = b?.absent.delete(s.id) ? undefined : this.placeOf.get(s.id)
    let parentPath = ''
    if (s.parent !== null) {
      const known = old ? undefined : b?.paths.get(s.parent) // a new asset cannot be its parent's ancestor
      if (known !== undefined) parentPath = `${known}/`
      else {
        const p = this.place(s.parent, 'parent asset')
        if (old && (p.id === old.id || p.path.startsWith(`${old.path}/`))) {
          throw new AppError('model.cycle', `"${old.path}" cannot go under itself ("${p.path}")`, { id: s.id, parent: s.parent })
        }
        parentPath = `${p.path}/`
      }
    }
    const path = parentPath + s.name
    const cols = toColumns(s, path)
    if (old) {
      const taken = this.sibling.get(cols.parent, s.name)
      if (taken && taken.id !== s.id) this.nameTaken(taken.id, s, parentPath)
      this.update.run(cols)
      if (FTS_KEYS.some((k) => old[k] !== cols[k])) {
        this.ftsDrop.run(old)
        this.ftsAdd.run({ ...cols, rid: old.rid })
      }
      if (old.path !== path) {
        this.ftsDropUnder.run({ from: old.path })
        this.rewrite.run({ to: path, cut: old.path.length + 1, from: old.path })
        this.ftsAddUnder.run({ from: path })
        if (b) {
          b.paths.clear()
          b.moved = true
        }
      }
    } else {
      // a new row: the sibling index refuses a taken name, told apart from other constraints by looking
      let rid: number | bigint
      try {
        rid = this.insert.run(cols).lastInsertRowid
      } catch (e) {
        const taken = (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' ? this.sibling.get(cols.parent, s.name) : undefined
        if (taken) this.nameTaken(taken.id, s, parentPath)
        throw e
      }
      this.ftsAdd.run({ ...cols, rid })
    }
    b?.paths.set(s.id, path)
    return { path, cols }
  }

  private nameTaken(id: string, s: AssetState, parentPath: string): never {
    throw new AppError('model.name_taken', `"${parentPath}${s.name}" exists already`, { id, name: s.name, parent: s.parent })
  }

  /** Sets the further parents of `id`: each must exist and must not be the asset or one of its descendants. */
  setRefs(id: string, refs: readonly string[]): void {
    const self = this.place(id)
    this.clearRefs.run(id)
    for (const ref of new Set(refs)) {
      if (ref === self.parent) continue // already its primary parent
      const p = this.place(ref, 'referenced parent')
      if (p.id === id || p.path.startsWith(`${self.path}/`)) {
        throw new AppError('model.cycle', `"${self.path}" cannot also show under itself ("${p.path}")`, { id, reference: ref })
      }
      this.addRef.run(ref, id)
    }
  }

  /** Removes one asset and every reference from or to it (children are removed by the caller, first). */
  remove(id: string): void {
    const old = this.placeOf.get(id)
    this.unlink.run(id, id)
    if (!old) return
    this.ftsDrop.run(old)
    this.del.run(id)
    this.batch?.paths.delete(id)
  }
}

interface Place {
  id: string
  parent: string
  path: string
  rid: number
  name: string
  attribute_names: string
  units: string
  template: string | null
}

type Columns = ReturnType<typeof toColumns>

/** What the FTS5 index holds of an asset (migrations/001-assets), in the index's column order. */
const FTS_KEYS = ['name', 'path', 'attribute_names', 'units', 'template'] as const
const FTS_COLUMNS = FTS_KEYS.join(', ')

interface Batch {
  templates: Set<string>
  paths: Map<string, string>
  /** A put moved a subtree: paths answered before may have changed since. */
  moved: boolean
  /** Ids without a row, until their first put. */
  absent: Set<string>
}

/** The references `setRefs` keeps, as `get` reads them back: distinct, sorted, without the primary parent. */
export function keptRefs(s: AssetState): string[] {
  return [...new Set(s.references)].filter((r) => r !== s.parent).sort()
}

/**
 * `JSON.stringify` of the asset `s` with `references` and `path` (keys in the schema's order), given its attributes
 * already serialized (`toColumns`), so a large import does not serialize them twice.
 */
export function assetJson(s: AssetState, references: readonly string[], path: string, attributes: string): string {
  const head = JSON.stringify({ id: s.id, name: s.name, description: s.description, kind: s.kind, templateId: s.templateId, parent: s.parent, references })
  return `${head.slice(0, -1)},"attributes":${attributes},"path":${JSON.stringify(path)}}`
}

/** The state of an asset without its derived path. */
export function stateOf(a: Asset): AssetState {
  const { path: _path, ...s } = a
  return s
}
