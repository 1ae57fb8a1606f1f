import type { AssetAttribute, AttributeBinding, Template } from '../../shared/contract/asset-model'
import type { AssetNode } from '../../shared/model'
import type { PlantConfig } from '../config/schema'
import type { AssetState, AssetStore } from '../ports/asset-store'
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
 * plant's): every node becomes an asset of its kind, every shown signal an attribute bound to where the signal comes
 * from, with its unit and range; each equipment kind (pump, tank, meter...) becomes a template its nodes are instances
 * of. One change in the log. A model that holds anything already is left alone: the database owns what was edited.
 * Returns how many assets were made (0: nothing to do).
 */
export function seedModel(store: AssetStore, plant: PlantConfig, who: string): number {
  const root = plant.assets
  if (!root || store.children(null, { limit: 1 }).items.length > 0) return 0
  const signals = new Map(plant.connections.flatMap((c) => c.signals.map((s) => [s.id, s] as const)))
  const templates = new Map<string, Template>()
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

  const visit = (n: AssetNode, parent: string | null, siblings: Set<string>) => {
    let name = modelSegment(n.name)
    for (let k = 2; siblings.has(name); k++) name = `${modelSegment(n.name)} ${k}`
    siblings.add(name)
    const attributes = attributesOf(n)
    let templateId: string | null = null
    if (!CONTAINERS.has(n.kind) && attributes.length > 0) {
      templateId = `seed.${n.kind}`
      // the kind's template: its attributes without bindings (each instance is bound to its own sources)
      if (!templates.has(templateId)) {
        templates.set(templateId, { id: templateId, name: n.kind[0]!.toUpperCase() + n.kind.slice(1), description: `Seeded from the configured ${n.kind}s`, base: null, attributes: attributes.map(({ binding: _b, ...a }) => a) })
      }
    }
    const id = globalThis.crypto.randomUUID()
    put.push({ id, parent, name, description: '', kind: n.kind, templateId, references: [], attributes })
    const names = new Set<string>()
    for (const c of n.children) visit(c, id, names)
  }
  visit(root, null, new Set())
  store.apply({ templates: [...templates.values()], put, remove: [] }, who, `seeded from the configured asset tree: ${put.length} assets, ${templates.size} templates`)
  return put.length
}
