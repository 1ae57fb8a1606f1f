import type { certificates } from '../../shared/contract/certificates'
import type { opcua } from '../../shared/contract/opcua'
import { AppError, type SignalInfo } from '../../shared/model'
import type { HandlerMap } from '../../shared/rpc/server'
import type { AssetCatalog } from '../assets/asset-catalog'
import { saveEdit } from '../config/save-edit'
import type { PlantPersistence } from '../ports/plant-persistence'
import type { Collector } from '../ports/collector'
import { concurrencyLimit, MAX_CONCURRENT_DISCOVERIES } from './discovery-limit'
import { OPCUA, opcuaAccessOf, type OpcuaAccess, type OpcuaTools } from './opcua-port'
import { modelSegment } from '../assets-model/runtime-assets'
import type { DriverDeps } from '../ports/driver'

/** The asset model's folder for a connection's runtime signals. */
const modelFolder = (connection: string) => `${connection} (added)`

export interface OpcuaHandlerDeps {
  collectors: Collector[]
  catalog: AssetCatalog
  /** Absent in hosts without OPC UA tooling: those methods answer `collector.unavailable`. */
  tools: OpcuaTools | undefined
  /** Makes signals added at runtime known to the store before their first sample arrives. */
  register?: (signals: SignalInfo[]) => Promise<void>
  /** Keeps added and removed signals across restarts; absent: they last until the next restart. */
  persistence?: PlantPersistence | undefined
  /** The asset model, when the host keeps one: added signals become bound attributes of `<connection> (added)`. */
  model?: DriverDeps['model']
}

/** The `opcua.*` and `certificates.*` methods: thin routing to the connection's OPC UA access and the shared PKI. */
export function createOpcuaHandlers(deps: OpcuaHandlerDeps): HandlerMap<typeof opcua & typeof certificates> {
  const access = (connection: string): OpcuaAccess => {
    const col = deps.collectors.find((c) => c.id === connection)
    if (!col) throw new AppError('opcua.unknown_connection', `no connection "${connection}"`)
    const access = opcuaAccessOf(col)
    if (!access) throw new AppError('opcua.unknown_connection', `connection "${connection}" is not an OPC UA connection`)
    return access
  }
  const tools = (): OpcuaTools => {
    if (!deps.tools) throw new AppError('collector.unavailable', 'OPC UA tools are not available in this host')
    return deps.tools
  }
  /** Signals removed at runtime: still in the catalog (with their history), and free to be added again. */
  const removed = new Set<string>()
  const discovery = concurrencyLimit(MAX_CONCURRENT_DISCOVERIES)

  return {
    // TODO(roles): when roles exist, only engineers may call this (it connects to any host and port); check it here.
    'opcua.endpoints': ({ url }) => discovery(async () => ({ endpoints: await tools().endpoints(url) })),
    'opcua.browse': ({ connection, nodeId, continuationPoint, max }) => access(connection).browse(nodeId, continuationPoint, max),
    'opcua.attributes': ({ connection, nodeId }) => access(connection).attributes(nodeId),
    'opcua.search': ({ connection, root, text, max }) => access(connection).search(root, text, max),
    'opcua.add': async ({ connection, root, max }, { session }) => {
      const ua = access(connection)
      const { signals, truncated } = await ua.variablesUnder(root, max)
      const fresh = signals.filter((s) => !deps.catalog.has(s.id) || (removed.has(s.id) && deps.catalog.get(s.id)?.connection === connection))
      const info = (s: (typeof fresh)[number]): SignalInfo => ({ id: s.id, name: s.name, dataType: s.dataType, connection, writable: s.writable })
      await deps.register?.(fresh.map(info))
      const failed = await ua.addSignals(fresh)
      const refused = new Set(failed.map((f) => f.signal))
      const kept = fresh.filter((s) => !refused.has(s.id))
      const infos = kept.map(info)
      for (const s of kept) removed.delete(s.id)
      const show = infos.filter((s) => !deps.catalog.placed(s.id))
      deps.catalog.add(infos)
      if (show.length > 0) {
        const prefix = `${connection}/`
        const attributes = show.map((s) => ({ attribute: s.id.slice(prefix.length), signal: s.id }))
        deps.catalog.place({ id: `${connection}:${root}`, name: `${connection} ${root}` }, attributes)
        // again, now with their asset paths (an upsert: registered above before their first sample)
        await deps.register?.(show)
      }
      // refused items are not kept: the server said they do not exist or cannot be monitored
      deps.model?.place(modelFolder(connection), kept.map((s) => ({
        name: modelSegment(s.id.slice(connection.length + 1)),
        dataType: s.dataType,
        unit: s.unit,
        writable: s.writable,
        binding: { kind: OPCUA, connection, nodeId: s.nodeId },
      })), session)
      const saved = await saveEdit(deps.persistence, { connection, upsert: kept })
      return { added: infos, skipped: signals.length - fresh.length, failed, truncated, ...saved }
    },
    'opcua.remove': async ({ connection, signals }, { session }) => {
      const r = await access(connection).removeSignals(signals)
      for (const id of r.removed) removed.add(id)
      deps.model?.remove(modelFolder(connection), r.removed.map((id) => modelSegment(id.slice(connection.length + 1))), session)
      return { ...r, ...(await saveEdit(deps.persistence, { connection, remove: r.removed })) }
    },
    'opcua.failures': ({ connection }) => access(connection).failures(),
    'opcua.write': ({ connection, nodeId, value }) => access(connection).write(nodeId, value),
    'opcua.call': ({ connection, objectId, methodId, args }) => access(connection).call(objectId, methodId, args),
    'certificates.list': () => tools().certificates(),
    'certificates.trust': ({ thumbprint }) => tools().trust(thumbprint),
    'certificates.reject': ({ thumbprint }) => tools().reject(thumbprint),
  }
}
