import { z } from 'zod'
import { configuredTemplateIssues } from '../assets-model/configured'
import { ConfigAssetNode, ConfigTemplate } from './asset-config'
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

/** Refuses, at `ctx`, what seeding could not make of the templates and template instances (see assets-model/configured.ts). */
export function refineTemplates(c: { templates?: ConfigTemplate[] | undefined; assets?: ConfigAssetNode | undefined }, ctx: z.RefinementCtx): void {
  for (const p of configuredTemplateIssues(c.templates, c.assets)) ctx.addIssue({ code: 'custom', path: p.at, message: `${p.code}: ${p.message}`, params: { code: p.code } })
}

/**
 * What a data source contributes: connections, the asset tree over their signals, and templates the tree's nodes
 * may be instances of (they seed the asset model).
 */
export const PlantConfig = z
  .object({
    connections: z.array(ConnectionConfig),
    assets: ConfigAssetNode.optional(),
    templates: z.array(ConfigTemplate).optional(),
  })
  .superRefine(refineTemplates)
export type PlantConfig = z.infer<typeof PlantConfig>
