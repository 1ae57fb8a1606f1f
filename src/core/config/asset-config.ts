import { z } from 'zod'
import { AssetAttribute, Template } from '../../shared/contract/asset-model'
import { AssetKind, type AssetNode, SignalId } from '../../shared/model'

/**
 * Templates and instances in the configuration file (`templates:`, and `template:` on an asset node). They seed an
 * empty asset model at start (core/assets-model/seed.ts); after that the database owns what is edited at runtime.
 * Checked at load by `configuredTemplateIssues` (core/assets-model/configured.ts): an unknown template, a missing
 * base, a cycle of bases, a pattern a node's lineage cannot fill or an expression that does not parse refuse the file.
 */

/** The contract's Template, with `description` and `base` optional in a file. */
export const ConfigTemplate = Template.extend({
  description: Template.shape.description.default(''),
  base: Template.shape.base.default(null),
})
export type ConfigTemplate = z.infer<typeof ConfigTemplate>

/**
 * A per-node change to an attribute: one the template has, by name, gets the fields given (a binding given is a
 * pattern, filled like the template's); one it has not is added and needs a `dataType`.
 */
export const AttributeOverride = AssetAttribute.partial().required({ name: true })
export type AttributeOverride = z.infer<typeof AttributeOverride>

/** An asset tree node as a file writes it: the catalog's AssetNode, optionally an instance of a template. */
export interface ConfigAssetNode extends AssetNode {
  /** The model asset's description (the catalog tree does not show it). */
  description?: string
  /** A template id of `templates:`: the model asset's attributes are the template's, patterns filled from its lineage. */
  template?: string
  /** Overrides of the template's attributes, by name, or attributes of its own. */
  attributes?: AttributeOverride[]
  children: ConfigAssetNode[]
}

/** What a file may leave out: `signals` and `children` default to empty lists. */
export type ConfigAssetNodeInput = Omit<ConfigAssetNode, 'signals' | 'children' | 'kind' | 'attributes'> & {
  kind: AssetNode['kind']
  signals?: AssetNode['signals']
  attributes?: z.input<typeof AttributeOverride>[]
  children?: ConfigAssetNodeInput[]
}

export const ConfigAssetNode: z.ZodType<ConfigAssetNode, ConfigAssetNodeInput> = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    kind: AssetKind,
    description: z.string().max(2000).optional(),
    template: z.string().min(1).max(100).optional(),
    attributes: z.array(AttributeOverride).max(10_000).optional(),
    signals: z.array(z.object({ attribute: z.string(), signal: SignalId })).default([]),
    children: z.array(ConfigAssetNode).default([]),
  }),
)
