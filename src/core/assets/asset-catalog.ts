import type { AssetNode, SignalInfo } from '../../shared/model'
import type { PlantConfig } from '../config/schema'

/**
 * The asset tree and signal catalog, built from configuration. Each placed signal's path (`Plant/Line2/Pump201/Speed`:
 * the node names from the root, then the attribute) is indexed, so placing and looking up is no walk of the tree.
 * Changes to the tree go through `place` and `relabel`, which keep that index.
 */
export class AssetCatalog {
  readonly root: AssetNode
  private readonly signals = new Map<string, SignalInfo>()
  /** Signal → its path under the first node that shows it. */
  private readonly paths = new Map<string, string>()

  constructor(plant: PlantConfig) {
    for (const c of plant.connections) {
      for (const s of c.signals) {
        const info: SignalInfo = { id: s.id, name: s.name, dataType: s.dataType, connection: c.id, writable: s.writable }
        if (s.unit !== undefined) info.unit = s.unit
        if (s.range !== undefined) info.range = s.range
        if (s.description !== undefined) info.description = s.description
        this.signals.set(s.id, info)
      }
    }
    this.root = plant.assets ?? AssetCatalog.byConnection(plant)
    this.index(this.root, [])
  }

  private index(n: AssetNode, above: readonly string[]): void {
    const here = [...above, n.name]
    for (const a of n.signals) if (!this.paths.has(a.signal)) this.paths.set(a.signal, [...here, a.attribute].join('/'))
    for (const c of n.children) this.index(c, here)
  }

  has(id: string): boolean {
    return this.signals.has(id)
  }

  get(id: string): SignalInfo | undefined {
    return this.signals.get(id)
  }

  list(): SignalInfo[] {
    return [...this.signals.values()]
  }

  /** Adds signals found at runtime (an OPC UA subtree, an MQTT mapping) to the catalog (not yet to the tree: `place`). */
  add(signals: SignalInfo[]): void {
    for (const s of signals) this.signals.set(s.id, s)
  }

  /** Shows attributes in the top-level folder `folder.id`, made (with `folder.name`) when it does not exist yet. */
  place(folder: { id: string; name: string }, attributes: AssetNode['signals']): void {
    let node = this.root.children.find((n) => n.id === folder.id)
    if (!node) {
      node = { id: folder.id, name: folder.name, kind: 'folder', signals: [], children: [] }
      this.root.children.push(node)
    }
    node.signals.push(...attributes)
    for (const a of attributes) if (!this.paths.has(a.signal)) this.paths.set(a.signal, [this.root.name, node.name, a.attribute].join('/'))
  }

  /** Renames a signal's attribute wherever the tree shows it. */
  relabel(signal: string, from: string, to: string): void {
    const walk = (n: AssetNode, above: readonly string[]) => {
      const here = [...above, n.name]
      for (const a of n.signals) {
        if (a.signal !== signal || a.attribute !== from) continue
        a.attribute = to
        if (this.paths.get(signal) === [...here, from].join('/')) this.paths.set(signal, [...here, to].join('/'))
      }
      for (const c of n.children) walk(c, here)
    }
    walk(this.root, [])
  }

  /** True when some node of the tree shows the signal. */
  placed(signal: string): boolean {
    return this.paths.has(signal)
  }

  /** Where the tree shows the signal: node names from the root, then the attribute; undefined when nowhere. */
  pathOf(signal: string): string | undefined {
    return this.paths.get(signal)
  }

  /** Without a configured tree, one folder per connection holding its signals. */
  private static byConnection(plant: PlantConfig): AssetNode {
    return {
      id: 'root',
      name: 'Connections',
      kind: 'site',
      signals: [],
      children: plant.connections.map((c) => ({
        id: c.id,
        name: c.name,
        kind: 'folder',
        signals: c.signals.map((s) => ({ attribute: s.name, signal: s.id })),
        children: [],
      })),
    }
  }
}
