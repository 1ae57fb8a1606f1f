import { z } from 'zod'
import { AssetNode } from '../../shared/model'
import { connectionKinds } from './connection-kinds'

type Kinds = (typeof connectionKinds)[number]

/** A connection of any protocol, told apart by `kind` (each protocol's schema lives in its own core folder). */
export const ConnectionConfig = z.discriminatedUnion(
  'kind',
  connectionKinds.map((k) => k.connection) as unknown as [Kinds['connection'], ...Kinds['connection'][]],
)
export type ConnectionConfig = z.infer<typeof ConnectionConfig>

/** A signal of any protocol's connection. */
export const SignalConfig = z.union(connectionKinds.map((k) => k.signal) as unknown as [Kinds['signal'], Kinds['signal'], ...Kinds['signal'][]])
export type SignalConfig = ConnectionConfig['signals'][number]

/** What a data source contributes: connections and the asset tree over their signals. */
export const PlantConfig = z.object({
  connections: z.array(ConnectionConfig),
  assets: AssetNode.optional(),
})
export type PlantConfig = z.infer<typeof PlantConfig>
