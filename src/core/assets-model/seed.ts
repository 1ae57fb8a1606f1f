import type { AssetAttribute, AttributeBinding, Template } from '../../shared/contract/asset-model'
import type { AssetNode } from '../../shared/model'
import type { PlantConfig } from '../config/schema'
import type { AssetState, AssetStore } from '../ports/asset-store'
import { instanceAttributes, templateMap, walkConfigured } from './configured'
import { modelSegment } from './runtime-assets'

/** Kinds that group equipment rather than being equipment: they get no template. */
const CONTAINERS = new Set(['site', 'area', 'line', 'unit', 'folder'])

/** What a configured signal is bound to, as a model binding (calculated signals have none here). */
function bindingOf(plant: PlantConfig, signal: string): AttributeBinding | undefined {
  for (const c of plant.connections) {
    const s = c.signals.find((x) => x.id === signal)
    if (!s) continue
    if (c.kind === 'opcua' && 'nodeId' in s) return { kind: 'opcua', connection: c.id, nodeId: s.nodeId }
    if (c.kind === 'mqtt' && 'topic' in s) {
      return { kind: 'mqtt', connection: c.id, topic: s.topic, ...(s.path ? { path: s.path } : {}), ...(s.metric ? { metric: s.metric } : {}) }
    }
    return undefined
  }
  return undefined
}


/**
 * Seeds an empty asset model from a configured asset tree (the configuration file's `assets`, or the simulated
 * plant's) and the configuration's `templates`: every declared template is stored; every node becomes an asset of
 * its kind. A node naming a `template` is its instance: the template's attributes, binding patterns filled from the
 * node's lineage (templates.ts `instantiate`), with the node's overrides. A plain node's shown signals become
 * attributes bound to where the signals come from, with their unit and range, and each equipment kind (pump, tank,
 * meter...) a template `seed.<kind>` its plain nodes are instances of. One change in the log. A model that holds
 * anything already (an asset or a template) is left alone: the database owns what was edited. Templates without an
 * asset tree are seeded too. Returns how many assets were made. The configuration was checked at load
 * (configured.ts), so a template instance that cannot be made throws.
 */
export function seedModel(store: AssetStore, plant: PlantConfig, who: string): number {
  const root = plant.assets
  const declared = plant.templates ?? []
  if ((!root && declared.length === 0) || store.children(null, { limit: 1 }).items.length > 0 || store.templates().length > 0) return 0
  const signals = new Map(plant.connections.flatMap((c) => c.signals.map((s) => [s.id, s] as const)))
  const declaredMap = templateMap(declared)
  const templates = new Map<string, Template>(declared.map((t) => [t.id, t]))
  const put: AssetState[] = []

  const attributesOf = (n: AssetNode): AssetAttribute[] => {
    const taken = new Set<string>()
    return n.signals.flatMap((a) => {
      const s = signals.get(a.signal)
      if (!s) return []
      let name = modelSegment(a.attribute)
      for (let k = 2; taken.has(name); k++) name = `${modelSegment(a.attribute)} ${k}`
      taken.add(name)
      const binding = bindingOf(plant, a.signal)
      return [{
        name,
        dataType: s.dataType,
        ...(s.unit ? { unit: s.unit } : {}),
        ...(s.range ? { range: { min: s.range[0], max: s.range[1] } } : {}),
        ...(s.writable ? { writable: true } : {}),
        ...(binding ? { binding } : {}),
      }]
    })
  }

  const ids = new Map<AssetNode, string>()
  if (root) walkConfigured(root, (n, parent) => {
    let attributes: AssetAttribute[]
    let templateId: string | null = null
    if (n.node.template !== undefined) {
      templateId = n.node.template
      attributes = instanceAttributes(n, declaredMap)
      // a shown signal the template does not cover stays an attribute of its own, bound one by one
      const have = new Set(attributes.map((a) => a.name))
      attributes.push(...attributesOf(n.node).filter((a) => !have.has(a.name)))
    } else {
      attributes = attributesOf(n.node)
      const kind = n.node.kind
      if (!CONTAINERS.has(kind) && attributes.length > 0) {
        templateId = `seed.${kind}`
        // the kind's template: its attributes without bindings (each instance is bound to its own sources)
        if (!templates.has(templateId)) {
          templates.set(templateId, { id: templateId, name: kind[0]!.toUpperCase() + kind.slice(1), description: `Seeded from the configured ${kind}s`, base: null, attributes: attributes.map(({ binding: _b, ...a }) => a) })
        }
      }
    }
    const id = globalThis.crypto.randomUUID()
    ids.set(n.node, id)
    put.push({ id, parent: parent ? ids.get(parent.node)! : null, name: n.name, description: n.node.description ?? '', kind: n.node.kind, templateId, references: [], attributes })
  })
  store.apply({ templates: [...templates.values()], put, remove: [] }, who, `seeded from the configuration: ${put.length} assets, ${templates.size} templates`)
  return put.length
}
