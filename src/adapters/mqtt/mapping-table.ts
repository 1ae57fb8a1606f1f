import type { MqttSignalConfig } from '../../core/mqtt/mqtt-config'
import { compileMapping, type CompiledMapping } from './decode'
import type { SparkplugMappings } from './sparkplug'

/**
 * The mappings of one connection: (topic, field) or (Sparkplug entity, metric) → signal.
 * Changed while connected: the next message already uses the new table.
 */
export class MappingTable implements SparkplugMappings {
  private readonly byId = new Map<string, CompiledMapping>()
  private readonly byTopic = new Map<string, CompiledMapping[]>()
  private readonly byEntity = new Map<string, Map<string, CompiledMapping[]>>()

  constructor(signals: readonly MqttSignalConfig[]) {
    for (const s of signals) this.add(s)
  }

  /** False when a mapping with this signal id exists already. */
  add(sig: MqttSignalConfig): boolean {
    if (this.byId.has(sig.id)) return false
    const c = compileMapping(sig)
    this.byId.set(sig.id, c)
    if (sig.metric === undefined) push(this.byTopic, sig.topic, c)
    else {
      let metrics = this.byEntity.get(sig.topic)
      if (!metrics) this.byEntity.set(sig.topic, (metrics = new Map()))
      push(metrics, sig.metric, c)
    }
    return true
  }

  get(id: string): MqttSignalConfig | undefined {
    return this.byId.get(id)?.sig
  }

  /** Swaps the mapping with the same id in one step (no message sees neither); false when there is none. */
  replace(sig: MqttSignalConfig): boolean {
    if (this.remove(sig.id) === undefined) return false
    return this.add(sig)
  }

  remove(id: string): MqttSignalConfig | undefined {
    const c = this.byId.get(id)
    if (!c) return undefined
    this.byId.delete(id)
    const sig = c.sig
    if (sig.metric === undefined) pull(this.byTopic, sig.topic, c)
    else {
      const metrics = this.byEntity.get(sig.topic)
      if (metrics) {
        pull(metrics, sig.metric, c)
        if (metrics.size === 0) this.byEntity.delete(sig.topic)
      }
    }
    return sig
  }

  list(): MqttSignalConfig[] {
    return [...this.byId.values()].map((c) => c.sig)
  }

  forTopic(topic: string): readonly CompiledMapping[] | undefined {
    return this.byTopic.get(topic)
  }

  byMetric(entityKey: string): ReadonlyMap<string, readonly CompiledMapping[]> | undefined {
    return this.byEntity.get(entityKey)
  }

  underNode(nodeKey: string): readonly CompiledMapping[] {
    const out: CompiledMapping[] = []
    for (const [entity, metrics] of this.byEntity) {
      if (entity === nodeKey || entity.startsWith(`${nodeKey}/`)) for (const list of metrics.values()) out.push(...list)
    }
    return out
  }
}

/** Lists are replaced, never changed in place: the decoder caches a scan plan per list. */
function push<K>(m: Map<K, CompiledMapping[]>, k: K, c: CompiledMapping) {
  m.set(k, [...(m.get(k) ?? []), c])
}

function pull<K>(m: Map<K, CompiledMapping[]>, k: K, c: CompiledMapping) {
  const list = m.get(k)?.filter((x) => x !== c)
  if (!list || list.length === 0) m.delete(k)
  else m.set(k, list)
}
