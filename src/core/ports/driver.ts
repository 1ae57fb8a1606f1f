import type { z } from 'zod'
import type { HandlerMap } from '../../shared/rpc/server'
import type { MethodMap } from '../../shared/contract/define'
import type { AssetCatalog } from '../assets/asset-catalog'
import type { Collector } from './collector'
import type { PlantPersistence } from './plant-persistence'
import type { SignalDef } from './sample-store'
import type { RuntimeModel } from '../assets-model/runtime-assets'

/** What a driver's API handlers may use: the same collaborators for every protocol. */
export interface DriverDeps {
  collectors: Collector[]
  catalog: AssetCatalog
  /** Makes signals added at runtime known to the local history before their first sample (absent without one). */
  register?: ((defs: SignalDef[]) => Promise<void>) | undefined
  /** Keeps runtime edits (signals added, changed, removed) across restarts; absent: they last until the next restart. */
  persistence?: PlantPersistence | undefined
  /** The asset model, when the host keeps one: signals added at runtime become bound attributes there too. */
  model?: RuntimeModel | undefined
  /** Host-made tools per driver kind (OPC UA endpoint discovery and trust list, say); a driver reads its own. */
  tools?: Readonly<Record<string, unknown>> | undefined
}

/** Where the signals a connection gains at runtime show in the asset tree, until the asset model places them. */
export interface RuntimeFolder {
  id: string
  name: string
  /** The attribute name a runtime signal shows under. */
  attribute(signal: { id: string; name: string }): string
}

/**
 * One protocol's part of the core. A protocol is a driver per layer, each registered in one place: its
 * connection schema (`core/config/connection-kinds.ts`), this (`core/drivers.ts`), its collector factory
 * (`host/drivers.ts`) and its screen (`renderer/drivers.tsx`). The generic layers never name a protocol.
 * Protocol-specific variants of the coming capabilities (an attribute's binding, a command kind, a notification
 * action) belong here too, beside `handlers`.
 */
export interface CoreDriver<C extends { id: string; kind: string }, M extends MethodMap = MethodMap> {
  readonly kind: C['kind']
  /** Where a connection points (an endpoint, a broker URL), shown with its health; never with credentials. */
  target(connection: C): string
  runtimeFolder(connection: C): RuntimeFolder
  /** The driver's methods of the API (its contract part). */
  handlers(deps: DriverDeps): HandlerMap<M>
  /** The fields of an asset attribute's binding of this kind (`{ kind, connection, ... }`), checked on every model change. */
  readonly binding?: z.ZodType<{ kind: string; connection: string }>
}
