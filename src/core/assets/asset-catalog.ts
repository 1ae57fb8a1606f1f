import type { AssetNode, SignalInfo } from '../../shared/model'
import type { PlantConfig } from '../config/schema'

/** The asset tree and signal catalog, built from configuration. */
export class AssetCatalog {
  readonly root: AssetNode
  private readonly signals = new Map<string, SignalInfo>()

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

  /** Adds signals found at runtime (an OPC UA subtree, an MQTT mapping) and, when given, the tree node that holds them, under the root. */
  add(signals: SignalInfo[], node?: AssetNode): void {
    for (const s of signals) this.signals.set(s.id, s)
    if (node) this.root.children.push(node)
  }

  /** True when some node of the tree shows the signal. */
  placed(signal: string): boolean {
    const walk = (n: AssetNode): boolean => n.signals.some((a) => a.signal === signal) || n.children.some(walk)
    return walk(this.root)
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
