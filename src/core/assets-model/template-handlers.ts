import type { Asset, AssetAttribute, Template } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model/errors'
import type { AssetState, AssetStore } from '../ports/asset-store'
import type { AssetLineage } from './binding-pattern'
import { type InstanceChange, type TemplateDef, instantiate, previewTemplateChange, resolveTemplate } from './templates'

/**
 * Templates over the store: instantiating one for many assets, and previewing then applying a template change to
 * its instances (and to those of the templates deriving from it). The rule for an instance's own attributes: an
 * attribute whose name the template has (before or after the change) is the template's, and becomes what the new
 * template makes for that asset (hand edits to it are replaced; one the template drops is removed); any other
 * attribute was added by hand and is kept as it is.
 */

export interface TemplateChangeInput {
  id: string
  name?: string | undefined
  description?: string | undefined
  base?: string | null | undefined
  attributes?: readonly AssetAttribute[] | undefined
}

type Check = (attributes: readonly AssetAttribute[], where: string) => void

const toDef = (t: Template): TemplateDef => ({ id: t.id, name: t.name, attributes: t.attributes, ...(t.base !== null ? { base: t.base } : {}) })
const defs = (store: AssetStore) => new Map(store.templates().map((t) => [t.id, toDef(t)]))

export function requireTemplate(store: AssetStore, id: string): Template {
  const t = store.template(id)
  if (!t) throw new AppError('model.unknown', `no template with id "${id}"`, { id })
  return t
}

/** The ancestors of an asset placed under `parent`, nearest first (each lookup cached). */
function lineageUnder(store: AssetStore, cache: Map<string, AssetLineage>) {
  const of = (parent: string | null): AssetLineage => {
    if (parent === null) return []
    const known = cache.get(parent)
    if (known) return known
    const a = store.get(parent)
    if (!a) throw new AppError('model.unknown', `no asset with id "${parent}"`, { id: parent })
    const line = [{ name: a.name, kind: a.kind }, ...of(a.parent)]
    cache.set(parent, line)
    return line
  }
  return of
}

/** One new asset per name under `parent`, its attributes from the template, patterns filled; all or none. */
export function planInstances(store: AssetStore, p: { template: string; parent: string | null; names: readonly string[]; kind?: string | undefined }, check: Check): AssetState[] {
  requireTemplate(store, p.template)
  const resolved = resolveTemplate(p.template, defs(store))
  const ancestors = lineageUnder(store, new Map())(p.parent)
  const kind = p.kind ?? 'equipment'
  const seen = new Set<string>()
  return p.names.map((name, i) => {
    if (seen.has(name)) throw new AppError('model.name_taken', `names[${i}]: "${name}" is given twice`, { name })
    seen.add(name)
    const attributes = instantiate(resolved, [{ name, kind }, ...ancestors])
    check(attributes, `names[${i}] (${name}).attributes`)
    return { id: globalThis.crypto.randomUUID(), parent: p.parent, name, description: '', kind, templateId: p.template, references: [], attributes }
  })
}

export interface TemplateChangePlan {
  template: Template
  instances: (InstanceChange & { path: string })[]
  put: AssetState[]
}

/** What a template change does: the new template, and per changed instance its change and its new state. */
export function planTemplateChange(store: AssetStore, c: TemplateChangeInput, check: Check): TemplateChangePlan {
  const old = requireTemplate(store, c.id)
  const template: Template = {
    ...old,
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.base !== undefined ? { base: c.base } : {}),
    ...(c.attributes !== undefined ? { attributes: [...c.attributes] } : {}),
  }
  const before = defs(store)
  const after = new Map(before).set(template.id, toDef(template))
  resolveTemplate(template.id, after) // a missing base or a cycle: model.bad_template
  // the template and every template deriving from it, under the new definitions
  const affected = [template.id]
  for (let i = 0; i < affected.length; i++) for (const d of after.values()) if (d.base === affected[i] && !affected.includes(d.id)) affected.push(d.id)
  const lineage = lineageUnder(store, new Map())
  const instances: TemplateChangePlan['instances'] = []
  const put: AssetState[] = []
  for (const tid of affected) {
    const was = new Set(resolveTemplate(tid, before).attributes.map((a) => a.name))
    const next = resolveTemplate(tid, after)
    for (const n of next.attributes) was.add(n.name)
    for (const a of store.instancesOf(tid)) {
      const line = [{ name: a.name, kind: a.kind }, ...lineage(a.parent)]
      const own = a.attributes.filter((x) => was.has(x.name))
      const [change] = previewTemplateChange(next, [{ assetId: a.id, lineage: line, attributes: own }])
      if (!change) continue
      const attributes = [...instantiate(next, line), ...a.attributes.filter((x) => !was.has(x.name))]
      check(attributes, `${a.path}.attributes`)
      instances.push({ ...change, path: a.path })
      put.push(stateOf(a, attributes))
    }
  }
  return { template, instances, put }
}

function stateOf(a: Asset, attributes: AssetAttribute[]): AssetState {
  const { path: _path, ...s } = a
  return { ...s, attributes }
}
