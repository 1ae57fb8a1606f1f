import { z } from 'zod'
import { DataType, SignalId } from './sample'

/** A signal in the catalog: where it comes from and how to show it. */
export const SignalInfo = z.object({
  id: SignalId,
  name: z.string(),
  dataType: DataType,
  unit: z.string().max(32).optional(),
  /** Engineering range, for gauges and trend scales. */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** Connection that produces it. */
  connection: z.string(),
  writable: z.boolean().default(false),
  description: z.string().optional(),
})
export type SignalInfo = z.infer<typeof SignalInfo>

export const AssetKind = z.enum(['site', 'area', 'line', 'tank', 'pump', 'valve', 'meter', 'sensor', 'folder'])
export type AssetKind = z.infer<typeof AssetKind>

export interface AssetNode {
  id: string
  name: string
  kind: AssetKind
  /** Signals that belong to this asset, by attribute name (`Level`, `Speed`). */
  signals: { attribute: string; signal: SignalId }[]
  children: AssetNode[]
}

export const AssetNode: z.ZodType<AssetNode> = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    kind: AssetKind,
    signals: z.array(z.object({ attribute: z.string(), signal: SignalId })),
    children: z.array(AssetNode),
  }),
)
