import type { AssetAttribute, AttributeBinding } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model'
import { type AssetLineage, expandPattern } from './binding-pattern'
import { compileExpression } from './expression'

/**
 * Templates ("Centrifugal pump"): attribute definitions with binding patterns, optionally derived from another
 * template. Pure: resolving a template's inheritance, making one instance's attributes, and previewing what a
 * template change does to its instances. Storage and the API come with the asset store.
 */

/** A template's attributes are the model's attributes (see shared/contract/asset-model), bindings as patterns. */
export type AttributeDef = AssetAttribute

export interface TemplateDef {
  id: string
  name: string
  /** The template this one derives from: its attributes first, this one's added or overriding by name. */
  base?: string
  attributes: AttributeDef[]
}

/** A template with its inheritance applied: every attribute, base ones first, overridden by name. */
export interface ResolvedTemplate {
  id: string
  /** This template and its bases, this one first. */
  chain: string[]
  attributes: AttributeDef[]
}

export function resolveTemplate(id: string, templates: ReadonlyMap<string, TemplateDef>): ResolvedTemplate {
  const chain: string[] = []
  for (let cur: string | undefined = id; cur !== undefined; cur = templates.get(cur)?.base) {
    if (chain.includes(cur)) throw new AppError('model.bad_template', `template "${id}" derives from itself: ${[...chain, cur].join(' -> ')}`)
    if (!templates.has(cur)) {
      throw new AppError('model.bad_template', chain.length === 0 ? `no template "${id}"` : `template "${chain[chain.length - 1]}" derives from "${cur}", which does not exist`)
    }
    chain.push(cur)
  }
  const byName = new Map<string, AttributeDef>()
  for (const t of [...chain].reverse()) for (const a of templates.get(t)!.attributes) byName.set(a.name, a)
  return { id, chain, attributes: [...byName.values()] }
}

/** Every string field of a protocol binding is a pattern: filled for the asset. Constants and expressions are kept. */
function bindFor(b: AttributeBinding | undefined, lineage: AssetLineage): AttributeBinding | undefined {
  if (!b || b.kind === 'constant') return b
  if (b.kind === 'calculated') {
    compileExpression(String(b['expression'])) // refuses a bad expression at instantiation, not at the first value
    return b
  }
  const out: Record<string, unknown> = { kind: b.kind }
  for (const [k, v] of Object.entries(b)) if (k !== 'kind') out[k] = typeof v === 'string' ? expandPattern(v, lineage) : v
  return out as AttributeBinding
}

/** A command's target fields are patterns too (an OPC UA method's node ids, an MQTT topic): filled for the asset. */
function commandsFor(commands: AssetAttribute['commands'], lineage: AssetLineage): AssetAttribute['commands'] {
  return commands?.map((c) => {
    if (!c.target) return c
    const target: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(c.target)) target[k] = typeof v === 'string' ? expandPattern(v, lineage) : v
    return { ...c, target }
  })
}

/** The attributes of one new instance of `template` for the asset whose lineage is given (the asset first). */
export function instantiate(template: ResolvedTemplate, lineage: AssetLineage): AttributeDef[] {
  return template.attributes.map((a) => {
    const binding = bindFor(a.binding, lineage)
    const out: AttributeDef = binding === undefined ? { ...a } : { ...a, binding }
    if (a.commands) out.commands = commandsFor(a.commands, lineage)!
    return out
  })
}

export interface InstanceChange {
  assetId: string
  added: string[]
  removed: string[]
  /** Attribute name → the fields that change. */
  changed: Record<string, string[]>
}

const FIELDS = ['dataType', 'unit', 'range', 'decimals', 'enumeration', 'limits', 'expectedIntervalMs', 'writable', 'binding', 'commands'] as const

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * What changing a template does to its instances, before anything is applied: per instance, the attributes that
 * would be added, removed (no longer in the template) and changed (by field). An instance's attribute is compared
 * with what the new template makes for that instance, so a binding pattern change shows as the addresses it yields.
 */
export function previewTemplateChange(
  next: ResolvedTemplate,
  instances: readonly { assetId: string; lineage: AssetLineage; attributes: readonly AttributeDef[] }[],
): InstanceChange[] {
  return instances.flatMap((inst) => {
    const want = new Map(instantiate(next, inst.lineage).map((a) => [a.name, a]))
    const have = new Map(inst.attributes.map((a) => [a.name, a]))
    const added = [...want.keys()].filter((n) => !have.has(n))
    const removed = [...have.keys()].filter((n) => !want.has(n))
    const changed: Record<string, string[]> = {}
    for (const [name, w] of want) {
      const h = have.get(name)
      if (!h) continue
      const fields = FIELDS.filter((f) => !same(w[f], h[f]))
      if (fields.length > 0) changed[name] = fields
    }
    if (added.length + removed.length + Object.keys(changed).length === 0) return []
    return [{ assetId: inst.assetId, added, removed, changed }]
  })
}
