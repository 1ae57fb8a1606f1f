import { z } from 'zod'
import { ConnectionId, SignalId } from '../../shared/model'
import { ConnectionConfig, MqttSignalConfig, OpcuaSignalConfig } from './schema'

export type SignalConfig = MqttSignalConfig | OpcuaSignalConfig

/** One change of a connection's signals made at runtime (an MQTT mapping, an OPC UA subtree): added or replaced by id, removed by id. */
export interface PlantEdit {
  connection: string
  upsert?: SignalConfig[]
  remove?: string[]
}

/** Runtime edits of one connection that is not in the configuration file. */
export const ConnectionEdits = z
  .object({
    /** Signals added at runtime, or replacing a signal of the same id. */
    signals: z.array(z.union([MqttSignalConfig, OpcuaSignalConfig])).default([]),
    /** Ids of signals the connection brings (the demo's, for instance) that were removed at runtime. */
    removed: z.array(SignalId).default([]),
  })
  .strict()
export type ConnectionEdits = z.infer<typeof ConnectionEdits>

/** `<dataDir>/plant-edits.yaml`: runtime edits of connections that are not in the configuration file, by connection id. */
export const PlantEdits = z
  .object({
    version: z.literal(1),
    connections: z.record(ConnectionId, ConnectionEdits).default({}),
  })
  .strict()
export type PlantEdits = z.infer<typeof PlantEdits>

export const emptyPlantEdits = (): PlantEdits => ({ version: 1, connections: {} })

/** The connections with their runtime edits applied; an entry that would make its connection invalid is skipped and named in `problems`. */
export function applyPlantEdits(connections: readonly ConnectionConfig[], edits: PlantEdits): { connections: ConnectionConfig[]; problems: string[] } {
  const problems: string[] = []
  const out = connections.map((c) => {
    const e = edits.connections[c.id]
    if (!e) return c
    const r = ConnectionConfig.safeParse({ ...c, signals: mergeSignals(c.signals, e) })
    if (r.success) return r.data
    problems.push(`${c.id}: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
    return c
  })
  for (const id of Object.keys(edits.connections)) if (!connections.some((c) => c.id === id)) problems.push(`${id}: no such connection (its edits are kept, unused)`)
  // a signal id must stay unique across connections: an entry that takes another connection's id is skipped
  const owner = new Map<string, string>()
  for (const c of connections) for (const s of c.signals) owner.set(s.id, c.id)
  const result = out.map((c, i) => {
    if (c === connections[i]) return c
    const dup = c.signals.find((s) => (owner.get(s.id) ?? c.id) !== c.id)
    if (dup) {
      problems.push(`${c.id}: signal "${dup.id}" belongs to connection "${owner.get(dup.id)}"`)
      return connections[i]!
    }
    for (const s of c.signals) owner.set(s.id, c.id)
    return c
  })
  return { connections: result, problems }
}

function mergeSignals(base: readonly SignalConfig[], e: ConnectionEdits): SignalConfig[] {
  const removed = new Set(e.removed)
  const byId = new Map(e.signals.map((s) => [s.id, s]))
  const merged = base.filter((s) => !removed.has(s.id)).map((s) => byId.get(s.id) ?? s)
  const have = new Set(merged.map((s) => s.id))
  return [...merged, ...e.signals.filter((s) => !have.has(s.id))]
}

/**
 * Records one edit in the overlay. `base` is the connection as it starts without edits (the demo's generated one):
 * a removal of a base signal is remembered in `removed`, a signal equal to its base version needs no entry.
 */
export function recordEdit(edits: PlantEdits, edit: PlantEdit, base: ConnectionConfig | undefined): PlantEdits {
  const cur = edits.connections[edit.connection] ?? { signals: [], removed: [] }
  // by id, in insertion order (a Map keeps it; a replaced entry keeps its place)
  const signals = new Map(cur.signals.map((s) => [s.id, s]))
  const removed = new Set(cur.removed)
  const baseById = new Map(base?.signals.map((s) => [s.id, s]))
  for (const s of edit.upsert ?? []) {
    removed.delete(s.id)
    const b = baseById.get(s.id)
    if (b && sameSignal(b, s)) signals.delete(s.id)
    else signals.set(s.id, s)
  }
  for (const id of edit.remove ?? []) {
    signals.delete(id)
    if (baseById.has(id)) removed.add(id)
  }
  const connections = { ...edits.connections }
  if (signals.size === 0 && removed.size === 0) delete connections[edit.connection]
  else connections[edit.connection] = { signals: [...signals.values()], removed: [...removed] }
  return { version: 1, connections }
}

const sameSignal = (a: SignalConfig, b: SignalConfig): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
const canonical = (s: SignalConfig) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)))

const KEY_ORDER = ['id', 'name', 'topic', 'metric', 'path', 'tsPath', 'tsFormat', 'nodeId', 'dataType', 'unit', 'range', 'writable', 'description']

/** A signal as a person would write it in a file: fixed key order, no `writable: false`. */
export function signalForFile(s: SignalConfig): Record<string, unknown> {
  const rec = s as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of [...KEY_ORDER, ...Object.keys(rec).filter((k) => !KEY_ORDER.includes(k))]) {
    const v = rec[k]
    if (v === undefined || (k === 'writable' && v === false)) continue
    out[k] = v
  }
  return out
}

/** Values a signal has when its file omits the key: writing them explicitly into a key the file did not have is noise. */
export const SIGNAL_DEFAULTS: Readonly<Record<string, unknown>> = { dataType: 'number', writable: false }
