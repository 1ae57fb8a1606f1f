import { get as sparkplugCodec } from 'sparkplug-payload'
import type { Sample } from '../../shared/model'
import { coerce, type CompiledMapping, type Rejection, tooFarAhead } from './decode'

/** Eclipse Tahu's reference codec (npm `sparkplug-payload`, protobufjs underneath). */
const codec = sparkplugCodec('spBv1.0')!

const SPARKPLUG_NAMESPACE = 'spBv1.0'
const SPARKPLUG_PREFIX = `${SPARKPLUG_NAMESPACE}/`

export type SparkplugType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'DBIRTH' | 'DDEATH' | 'DDATA' | 'NCMD' | 'DCMD'

export interface SparkplugTopic {
  group: string
  type: SparkplugType
  node: string
  device?: string
  /** `spBv1.0/<group>/<node>`: how mappings name an edge node. */
  nodeKey: string
  /** The node key, or `<nodeKey>/<device>`: how mappings name the entity a metric belongs to. */
  entityKey: string
}

const TYPES = new Set<string>(['NBIRTH', 'NDEATH', 'NDATA', 'DBIRTH', 'DDEATH', 'DDATA', 'NCMD', 'DCMD'])

/** Sparkplug is recognised by its topic namespace alone, never by guessing at payload bytes. */
export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  if (!topic.startsWith(SPARKPLUG_PREFIX)) return undefined
  const p = topic.split('/')
  const [, group, type, node, device] = p
  if (!group || !type || !node || !TYPES.has(type) || p.length > 5 || (type[0] === 'D') !== (device !== undefined)) return undefined
  const nodeKey = `${SPARKPLUG_NAMESPACE}/${group}/${node}`
  return { group, type: type as SparkplugType, node, nodeKey, entityKey: device === undefined ? nodeKey : `${nodeKey}/${device}`, ...(device === undefined ? {} : { device }) }
}

const toNumber = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : v !== null && typeof v === 'object' && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : undefined

/** A metric's value as a plain JS value (64-bit integers become numbers; Tahu reads UInt32 as signed). */
function plainValue(value: unknown, type: string): unknown {
  const n = toNumber(value)
  if (n === undefined) return value
  return type === 'UInt32' && n < 0 ? n + 2 ** 32 : n
}

export interface SparkplugResult {
  samples: Sample[]
  rejections: Rejection[]
  /** Ask this node to publish its births again. */
  rebirth?: { group: string; node: string }
}

interface NodeState {
  seq: number | undefined
  bdSeq: number | undefined
  /** Alias → metric name, per entity (the node, each device). */
  aliases: Map<string, Map<string, string>>
  /** Metric names and types from the last births, per entity: what a person can map. */
  metrics: Map<string, Map<string, string>>
  /** Data is ignored until the next NBIRTH: the aliases may be wrong after a gap. */
  stale: boolean
}

export interface SparkplugMappings {
  /** Mappings of one entity (`topic` of a Sparkplug mapping), by metric name. */
  byMetric(entityKey: string): ReadonlyMap<string, readonly CompiledMapping[]> | undefined
  /** Every mapping of a node and its devices. */
  underNode(nodeKey: string): readonly CompiledMapping[]
}

/**
 * Sparkplug B host-side state: births define names, aliases and types; data must follow the sequence;
 * deaths and gaps make the node's signals stale (bad quality) until the node is born again.
 */
export class SparkplugTracker {
  private readonly nodes = new Map<string, NodeState>()

  constructor(private readonly mappings: SparkplugMappings) {}

  handle(t: SparkplugTopic, payload: Uint8Array, arrival: number): SparkplugResult {
    if (t.type === 'NCMD' || t.type === 'DCMD') return { samples: [], rejections: [] }
    let p: ReturnType<typeof codec.decodePayload>
    try {
      p = codec.decodePayload(payload)
    } catch {
      return { samples: [], rejections: [{ reason: 'not_sparkplug' }] }
    }
    const seq = toNumber(p.seq)
    const metrics = p.metrics ?? []
    const ts = toNumber(p.timestamp) ?? arrival
    let node = this.nodes.get(t.nodeKey)

    if (t.type === 'NBIRTH') {
      const bd = metrics.find((m) => m.name === 'bdSeq')
      node = { seq, bdSeq: toNumber(bd?.value), aliases: new Map(), metrics: new Map(), stale: false }
      this.nodes.set(t.nodeKey, node)
    } else if (t.type === 'NDEATH') {
      const bd = toNumber(metrics.find((m) => m.name === 'bdSeq')?.value)
      // a late NDEATH of an earlier session (the broker's will) must not kill the node born since
      if (node && node.bdSeq !== undefined && bd !== undefined && bd !== node.bdSeq) return { samples: [], rejections: [] }
      if (node) node.stale = true
      return { samples: this.stale(this.mappings.underNode(t.nodeKey), arrival, 'NDEATH'), rejections: [] }
    } else {
      if (!node || node.stale) {
        return { samples: [], rejections: [{ reason: node ? 'sparkplug_out_of_sequence' : 'sparkplug_no_birth' }], rebirth: { group: t.group, node: t.node } }
      }
      const expected = node.seq === undefined ? undefined : (node.seq + 1) % 256
      if (expected !== undefined && seq !== expected) {
        node.stale = true
        return {
          samples: this.stale(this.mappings.underNode(t.nodeKey), arrival, `Sparkplug sequence broken (${seq ?? '-'} after ${node.seq})`),
          rejections: [{ reason: 'sparkplug_out_of_sequence' }],
          rebirth: { group: t.group, node: t.node },
        }
      }
      node.seq = seq
    }

    if (t.type === 'DDEATH') {
      const under = this.mappings.byMetric(t.entityKey)
      return { samples: this.stale(under ? [...under.values()].flat() : [], arrival, 'DDEATH'), rejections: [] }
    }
    const birth = t.type === 'NBIRTH' || t.type === 'DBIRTH'
    let aliases = node.aliases.get(t.entityKey)
    if (birth || !aliases) {
      aliases = new Map()
      node.aliases.set(t.entityKey, aliases)
      node.metrics.set(t.entityKey, new Map())
    }
    const known = node.metrics.get(t.entityKey)!
    const mapped = this.mappings.byMetric(t.entityKey)
    const samples: Sample[] = []
    const rejections: Rejection[] = []
    let unknownAlias = false
    for (const m of metrics) {
      const alias = m.alias === undefined || m.alias === null ? undefined : String(toNumber(m.alias))
      if (birth && m.name) {
        known.set(m.name, m.type)
        if (alias !== undefined) aliases.set(alias, m.name)
      }
      const name = m.name ?? (alias === undefined ? undefined : aliases.get(alias))
      if (name === undefined) {
        unknownAlias = true
        continue
      }
      const targets = mapped?.get(name)
      if (!targets) continue
      const mts = toNumber(m.timestamp) ?? ts
      if (tooFarAhead(mts, arrival)) {
        for (const c of targets) rejections.push({ signal: c.sig.id, reason: 'future_timestamp' })
        continue
      }
      for (const c of targets) {
        if (m.value === null || m.value === undefined) {
          samples.push({ signal: c.sig.id, ts: mts, value: null, quality: 'bad', status: 'Sparkplug null value' })
          continue
        }
        const value = coerce(plainValue(m.value, m.type), c.sig.dataType)
        if (value === undefined) rejections.push({ signal: c.sig.id, reason: 'wrong_type' })
        else samples.push({ signal: c.sig.id, ts: mts, value, quality: 'good' })
      }
    }
    if (unknownAlias) {
      rejections.push({ reason: 'sparkplug_no_birth' })
      return { samples, rejections, rebirth: { group: t.group, node: t.node } }
    }
    return { samples, rejections }
  }

  /** Metric names and Sparkplug types of an entity, as its last birth declared them. */
  metricsOf(entityKey: string): { name: string; type: string }[] {
    const nodeKey = entityKey.split('/').slice(0, 3).join('/')
    const names = this.nodes.get(nodeKey)?.metrics.get(entityKey)
    return names ? [...names].map(([name, type]) => ({ name, type })) : []
  }

  private stale(mappings: readonly CompiledMapping[], at: number, status: string): Sample[] {
    return mappings.map((c) => ({ signal: c.sig.id, ts: at, value: null, quality: 'bad' as const, status }))
  }
}

/** The NCMD payload that asks an edge node to publish its births again. */
export function rebirthPayload(now: number): Uint8Array {
  return codec.encodePayload({ timestamp: now, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] })
}
