import type { Database, Statement } from 'better-sqlite3'
import type { Asset } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model/errors'
import type { AssetState } from '../../core/ports/asset-store'
import { type AssetRow, TOP, toAsset, toColumns } from './rows'

/**
 * The row-level writes every change is made of, run inside the caller's transaction: put an asset's state
 * (recomputing its subtree's paths when its own changes), set its references, remove it. Refuses with stable
 * codes; the caller's transaction rolls everything back.
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

  constructor(db: Database) {
    this.templateExists = db.prepare<[string], number>('SELECT 1 FROM template WHERE id = ?').pluck()
    this.byId = db.prepare('SELECT * FROM asset WHERE id = ?')
    this.placeOf = db.prepare('SELECT id, parent, path FROM asset WHERE id = ?')
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
   * Writes `s` (created when its id is new) and answers its path; its references are set apart, with
   * `setRefs`, once every target exists.
   */
  put(s: AssetState): string {
    if (s.templateId !== null && this.templateExists.get(s.templateId) === undefined) {
      throw new AppError('model.bad_template', `"${s.name}": no template "${s.templateId}"`, { id: s.id, template: s.templateId })
    }
    const old = this.placeOf.get(s.id)
    let parentPath = ''
    if (s.parent !== null) {
      const p = this.place(s.parent, 'parent asset')
      if (old && (p.id === old.id || p.path.startsWith(`${old.path}/`))) {
        throw new AppError('model.cycle', `"${old.path}" cannot go under itself ("${p.path}")`, { id: s.id, parent: s.parent })
      }
      parentPath = `${p.path}/`
    }
    const taken = this.sibling.get(s.parent ?? TOP, s.name)
    if (taken && taken.id !== s.id) {
      throw new AppError('model.name_taken', `"${parentPath}${s.name}" exists already`, { id: taken.id, name: s.name, parent: s.parent })
    }
    const path = parentPath + s.name
    const cols = toColumns(s, path)
    if (old) {
      this.update.run(cols)
      if (old.path !== path) this.rewrite.run({ to: path, cut: old.path.length + 1, from: old.path })
    } else this.insert.run(cols)
    return path
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
    this.unlink.run(id, id)
    this.del.run(id)
  }
}

interface Place {
  id: string
  parent: string
  path: string
}

/** The references `setRefs` keeps, as `get` reads them back: distinct, sorted, without the primary parent. */
export function keptRefs(s: AssetState): string[] {
  return [...new Set(s.references)].filter((r) => r !== s.parent).sort()
}

/** The state of an asset without its derived path. */
export function stateOf(a: Asset): AssetState {
  const { path: _path, ...s } = a
  return s
}
