import { AppError, type DataType, type SignalInfo } from '../../shared/model'
import type { ModelSources, SourceBinding, SourceSpec } from '../ports/driver'
import { modelSegment } from '../assets-model/runtime-assets'
import type { OpcuaSignalConfig } from './opcua-config'
import { OPCUA, opcuaAccessOf, type OpcuaAccess } from './opcua-port'

/** A node id as one spelling: namespace 0 is written without `ns=0;`, surrounding spaces dropped. */
export const canonicalNodeId = (nodeId: string): string => nodeId.trim().replace(/^ns=0;/, '')

/** The key of an OPC UA binding: its connection and its node, canonical. */
export const opcuaKey = (connection: string, nodeId: string): string => JSON.stringify([OPCUA, connection, canonicalNodeId(nodeId)])

/**
 * The signal id of a node the asset model makes a connection collect: `<connection>/<node id>` with the characters a
 * signal id may not hold made `_` (`ns=2;s=Line1.Pump1.Speed` → `plc/2:Line1.Pump1.Speed`); the same node always gets
 * the same id, so its history continues across restarts.
 */
export function nodeSignalId(connection: string, nodeId: string): string {
  const n = canonicalNodeId(nodeId)
  const m = /^(?:ns=(\d+);)?s=(.*)$/s.exec(n)
  const body = m ? `${m[1] ? `${m[1]}:` : ''}${m[2]}` : n.replace(/^ns=(\d+);/, '$1:')
  return `${connection}/${body.replace(/[^A-Za-z0-9_.:\-/#[\]]/g, '_')}`.slice(0, 256)
}

/** A built-in type name (as `opcua.attributes` reads it) as a signal's data type: texts stay text, the rest is numbers. */
const typeOf = (name: string | undefined): DataType =>
  name === 'Boolean' ? 'boolean' : name === 'String' || name === 'LocalizedText' || name === 'ByteString' || name === 'XmlElement' || name === 'Guid' ? 'string' : 'number'

const accessOf = (c: Parameters<ModelSources['collected']>[0]): OpcuaAccess => {
  const a = opcuaAccessOf(c)
  if (!a) throw new AppError('model.bad_binding', `connection "${c.id}" is not an OPC UA connection`)
  return a
}

/** OPC UA for the asset model's live link: monitored items by node, collected like `opcua.add` does (see ModelSources). */
export const opcuaSources: ModelSources = {
  key: (b) => opcuaKey(b.connection, String(b['nodeId'])),
  collected: (c) => {
    const a = opcuaAccessOf(c)
    if (!a) return []
    return a.signals().map((s) => (s.refused === undefined ? { key: opcuaKey(c.id, s.nodeId), signal: s.signal } : { key: opcuaKey(c.id, s.nodeId), signal: s.signal, refused: s.refused }))
  },
  async collect(c, wanted, deps) {
    const ua = accessOf(c)
    const byId = new Map<string, { spec: SourceSpec; config: OpcuaSignalConfig }>()
    const failed: { key: string; reason: string }[] = []
    for (const spec of wanted) {
      const nodeId = String(spec.binding['nodeId'])
      let id = nodeSignalId(c.id, nodeId)
      // another connection's or another node's signal of that id: the next free `#n`
      for (let n = 2; byId.has(id) || (deps.catalog.has(id) && deps.catalog.get(id)?.connection !== c.id); n++) id = `${nodeSignalId(c.id, nodeId).slice(0, 250)}#${n}`
      const config: OpcuaSignalConfig = { id, name: spec.name.slice(0, 128), nodeId, dataType: spec.dataType, writable: spec.writable === true, ...(spec.unit ? { unit: spec.unit.slice(0, 32) } : {}) }
      byId.set(id, { spec, config })
    }
    const configs = [...byId.values()].map((x) => x.config)
    const info = (s: OpcuaSignalConfig): SignalInfo => ({ id: s.id, name: s.name, dataType: s.dataType, connection: c.id, writable: s.writable, ...(s.unit ? { unit: s.unit } : {}) })
    // known to the store before the first sample, with where the model shows it
    await deps.register?.([...byId.values()].map(({ spec, config }) => ({ id: config.id, name: config.name, dataType: config.dataType, connection: c.id, binding: config.nodeId, ...(config.unit ? { unit: config.unit } : {}), ...(spec.assetPath ? { assetPath: spec.assetPath } : {}) })))
    deps.catalog.add(configs.map(info))
    const refused = await ua.addSignals(configs)
    for (const f of refused) {
      const x = f.signal ? byId.get(f.signal) : undefined
      if (x) failed.push({ key: opcuaKey(c.id, x.config.nodeId), reason: `the server refused ${x.config.nodeId}: ${f.status}` })
    }
    return { failed }
  },
  async expand(c, source: SourceBinding, max) {
    const ua = accessOf(c)
    const nodeId = String(source['nodeId'])
    const node = await ua.attributes(nodeId)
    const binding = (id: string): SourceBinding => ({ kind: OPCUA, connection: c.id, nodeId: id })
    if (node.nodeClass === 'Variable') {
      const writable = node.accessLevel?.includes('write') === true
      return { sources: [{ binding: binding(nodeId), name: modelSegment(browseName(node.browseName)), dataType: typeOf(node.dataType), unit: node.engineeringUnits, writable }], truncated: false }
    }
    const { signals, truncated } = await ua.variablesUnder(nodeId, max)
    return { sources: signals.map((s) => ({ binding: binding(s.nodeId), name: modelSegment(s.name), dataType: s.dataType, unit: s.unit, writable: s.writable })), truncated }
  },
}

/** `1:Speed` → `Speed`: the name without its namespace index. */
const browseName = (q: string): string => q.replace(/^\d+:/, '')
