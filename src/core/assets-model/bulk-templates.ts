import type { ExportDocument, Template } from '../../shared/contract/asset-model'
import { isAppError } from '../../shared/model/errors'
import type { AssetStore } from '../ports/asset-store'
import { type TemplateDef, resolveTemplate } from './templates'

/**
 * Templates in bulk JSON (format version 2). An export carries the templates its assets use and their bases (the
 * whole model: every template). An import creates or updates them by id, in the same transaction as the assets,
 * and deletes none. A version-1 document has no templates: a template id it names that this model lacks becomes
 * a template of that id and name without attributes (as migration 002 does for a version-1 database).
 */

export function exportTemplates(store: AssetStore, root: string | null, assets: ExportDocument['assets']): Template[] {
  const all = store.templates().map(({ instanceCount: _n, ...t }) => t)
  if (root === null) return all
  const byId = new Map(all.map((t) => [t.id, t]))
  const used = new Set<string>()
  for (const a of assets) for (let id = a.templateId; id !== null && !used.has(id) && byId.has(id); id = byId.get(id)!.base) used.add(id)
  return all.filter((t) => used.has(t.id))
}

type Refuse = (path: readonly PropertyKey[], reason: string, code?: 'model.bad_import' | 'model.bad_template') => never

export interface TemplatePlan {
  templates: Template[]
  create: string[]
  update: string[]
}

export function planTemplates(store: AssetStore, doc: ExportDocument, refuse: Refuse): TemplatePlan {
  const given = doc.templates ?? []
  const index = new Map<string, number>()
  given.forEach((t, i) => {
    if (index.has(t.id)) refuse(['templates', i, 'id'], `duplicate template id "${t.id}" (first at $.templates[${index.get(t.id)}])`)
    index.set(t.id, i)
  })
  const here = new Map(store.templates().map((t) => [t.id, t]))
  const made: Template[] = []
  doc.assets.forEach((a, i) => {
    const id = a.templateId
    if (id === null || index.has(id) || here.has(id) || made.some((t) => t.id === id)) return
    if (doc.version !== 1) refuse(['assets', i, 'templateId'], `template "${id}" is neither in the document nor in the model`, 'model.bad_template')
    made.push({ id, name: id, description: 'made from a plain template id (version 1 import)', base: null, attributes: [] })
  })
  const defs = new Map<string, TemplateDef>()
  for (const t of [...here.values(), ...given, ...made]) defs.set(t.id, { id: t.id, name: t.name, attributes: t.attributes, ...(t.base !== null ? { base: t.base } : {}) })
  given.forEach((t, i) => {
    try {
      resolveTemplate(t.id, defs)
    } catch (e) {
      if (isAppError(e)) refuse(['templates', i, 'base'], e.message, 'model.bad_template')
      throw e
    }
  })
  const plan: TemplatePlan = { templates: [], create: [], update: [] }
  for (const t of [...given, ...made]) {
    const old = here.get(t.id)
    if (old && JSON.stringify(old) === JSON.stringify({ ...old, ...t })) continue
    ;(old ? plan.update : plan.create).push(t.id)
    plan.templates.push(t)
  }
  return plan
}
