import type { ClientSession } from 'node-opcua'
import type { OpcuaSignalConfig } from '../../core/opcua/opcua-config'
import { OPCUA, type OpcuaAccess } from '../../core/opcua/opcua-port'
import type { ItemFailure } from '../../shared/contract/opcua'
import { BrowseCursors, search, variablesUnder } from './browse'
import { toAppError } from './errors'
import type { ServerLimits } from './monitoring'
import { callTyped, readAttributes, readValue, writeTyped } from './node-ops'
import type { TypeInfo } from './values'

/** What the engineering access needs of its connection's session lifecycle (the collector). */
export interface EngineeringSession {
  readonly id: string
  /** The live session; throws `opcua.not_connected` while there is none. */
  session(): ClientSession
  /** The server's operation limits, read at connect. */
  limits(): ServerLimits
  /** Data types learnt per node, so a write sends the type the server expects. */
  readonly types: Map<string, TypeInfo>
  addSignals(signals: OpcuaSignalConfig[]): Promise<ItemFailure[]>
  removeSignals(ids: string[]): Promise<{ removed: string[]; unknown: string[] }>
  failures(): { monitored: number; failed: ItemFailure[] }
  signals(): { signal: string; nodeId: string; refused?: string }[]
}

/** Any failure of an engineering call as an AppError with a stable code, never a raw node-opcua error. */
export async function guard<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (e) {
    throw toAppError(e)
  }
}

/**
 * The engineer's access to one OPC UA connection: browse (with continuation points held per window), attributes,
 * search, typed write and call, and signals added or removed while running. Separate from the session lifecycle
 * (connect, watch, recover), which stays in OpcuaCollector.
 */
export function createOpcuaEngineering(s: EngineeringSession): OpcuaAccess {
  const cursors = new BrowseCursors()
  return {
    kind: OPCUA,
    browse: (nodeId, cp, max) => guard(() => cursors.page(s.session(), nodeId, cp, max)),
    attributes: (nodeId) => guard(() => readAttributes(s.session(), nodeId)),
    search: (root, text, max) => guard(() => search(s.session(), s.limits(), root, text, max)),
    variablesUnder: (root, max) => guard(() => variablesUnder(s.session(), s.limits(), s.id, root, max)),
    addSignals: (signals) => s.addSignals(signals),
    removeSignals: (ids) => s.removeSignals(ids),
    failures: () => s.failures(),
    signals: () => s.signals(),
    write: (nodeId, value) => guard(() => writeTyped(s.session(), nodeId, value, s.types)),
    read: (nodeId) => guard(() => readValue(s.session(), nodeId)),
    call: (objectId, methodId, args) => guard(() => callTyped(s.session(), objectId, methodId, args)),
  }
}
