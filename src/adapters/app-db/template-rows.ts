import type { Database, Statement } from 'better-sqlite3'
import type { AssetAttribute, Template } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model/errors'
import { type TemplateDef, resolveTemplate } from '../../core/assets-model/templates'

interface TemplateRow {
  id: string
  name: string
  base: string | null
  attributes: string
  description: string
  instances?: number
}

const toTemplate = (r: TemplateRow): Template => ({ id: r.id, name: r.name, description: r.description, base: r.base, attributes: JSON.parse(r.attributes) as AssetAttribute[] })

/** The pure logic's view of a template (see core/assets-model/templates). */
export const toDef = (t: Template): TemplateDef => ({ id: t.id, name: t.name, attributes: t.attributes, ...(t.base !== null ? { base: t.base } : {}) })

/**
 * The `template` table (migrations/002-templates), row-level, inside the caller's transaction. `write` puts one
 * row; `check` resolves a template's inheritance over what the table then holds, so a plan that writes a template
 * and its base in any order is checked once both are there.
 */
export class TemplateRows {
  private readonly byId: Statement<[string], TemplateRow>
  private readonly byName: Statement<[string], { id: string }>
  private readonly allRows: Statement<[], TemplateRow>
  private readonly upsert: Statement
  private readonly del: Statement<[string]>
  private readonly derivedOf: Statement<[string], string>
  private readonly usedBy: Statement<[string], string>

  constructor(db: Database) {
    this.byId = db.prepare('SELECT * FROM template WHERE id = ?')
    this.byName = db.prepare('SELECT id FROM template WHERE name = ?')
    this.allRows = db.prepare('SELECT t.*, (SELECT count(*) FROM asset a WHERE a.template = t.id) AS instances FROM template t ORDER BY t.name, t.id')
    this.upsert = db.prepare(
      `INSERT INTO template (id, name, base, attributes, description) VALUES (@id, @name, @base, @attributes, @description)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, base = excluded.base, attributes = excluded.attributes, description = excluded.description`,
    )
    this.del = db.prepare('DELETE FROM template WHERE id = ?')
    this.derivedOf = db.prepare<[string], string>('SELECT id FROM template WHERE base = ? ORDER BY id').pluck()
    this.usedBy = db.prepare<[string], string>('SELECT id FROM asset WHERE template = ? ORDER BY path').pluck()
  }

  get(id: string): Template | undefined {
    const r = this.byId.get(id)
    return r && toTemplate(r)
  }

  all(): (Template & { instanceCount: number })[] {
    return this.allRows.all().map((r) => ({ ...toTemplate(r), instanceCount: r.instances ?? 0 }))
  }

  write(t: Template): void {
    const taken = this.byName.get(t.name)
    if (taken && taken.id !== t.id) throw new AppError('model.name_taken', `a template named "${t.name}" exists already (id ${taken.id})`, { id: taken.id, name: t.name })
    this.upsert.run({ ...t, attributes: JSON.stringify(t.attributes) })
  }

  /** Refuses (model.bad_template) a template whose base is missing or that derives from itself. */
  check(id: string): void {
    resolveTemplate(id, new Map(this.allRows.all().map((r) => [r.id, toDef(toTemplate(r))])))
  }

  /** Removes a template none derives from and none uses (model.template_in_use otherwise). */
  remove(id: string): void {
    const derived = this.derivedOf.all(id)
    if (derived.length > 0) throw new AppError('model.template_in_use', `templates derive from "${id}": ${derived.join(', ')}`, { id, derived })
    const used = this.usedBy.all(id)
    if (used.length > 0) throw new AppError('model.template_in_use', `${used.length} assets are instances of "${id}"`, { id, instances: used.length })
    this.del.run(id)
  }

  instances(id: string): string[] {
    return this.usedBy.all(id)
  }
}
