import type { Asset, AssetAttribute, AssetSummary } from '../../shared/contract/asset-model'
import type { AssetState } from '../../core/ports/asset-store'

/** One `asset` row as read (see migrations/001-assets). */
export interface AssetRow {
  rid: number
  id: string
  parent: string
  name: string
  description: string
  kind: string
  template: string | null
  attributes: string
  attribute_count: number
  path: string
}

export interface SummaryRow extends Omit<AssetRow, 'attributes'> {
  ref: number
  has_children: number
}

export const TOP = ''

/** The columns a summary needs (no attribute JSON), for `a` an asset row. */
export const SUMMARY_COLUMNS = `a.id, a.parent, a.name, a.description, a.kind, a.template, a.attribute_count, a.path,
  (EXISTS (SELECT 1 FROM asset c WHERE c.parent = a.id) OR EXISTS (SELECT 1 FROM asset_ref r2 WHERE r2.parent = a.id)) AS has_children`

/** The fields a summary and a whole asset share, from either row. */
const common = (r: SummaryRow | AssetRow) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  kind: r.kind,
  templateId: r.template,
  parent: r.parent === TOP ? null : r.parent,
  path: r.path,
})

export function toSummary(r: SummaryRow): AssetSummary {
  return {
    ...common(r),
    attributeCount: r.attribute_count,
    hasChildren: r.has_children === 1,
    reference: r.ref === 1,
  }
}

export function toAsset(r: AssetRow, references: string[]): Asset {
  return { ...common(r), references, attributes: JSON.parse(r.attributes) as AssetAttribute[] }
}

/** The column values an asset's state writes (named parameters of the insert and update statements). */
export function toColumns(s: AssetState, path: string) {
  const attrs = s.attributes
  return {
    id: s.id,
    parent: s.parent ?? TOP,
    name: s.name,
    description: s.description,
    kind: s.kind,
    template: s.templateId,
    attributes: JSON.stringify(attrs),
    attribute_count: attrs.length,
    attribute_names: attrs.map((a) => a.name).join(' '),
    units: [...new Set(attrs.flatMap((a) => (a.unit ? [a.unit] : [])))].join(' '),
    path,
  }
}

/** An FTS5 query from what a person typed: every word, as a prefix, all required. Empty: nothing to search. */
export function ftsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? []
  return words
    .slice(0, 20)
    .map((w) => `"${w}"*`)
    .join(' ')
}

/** Children pages continue after (name, id); the cursor is opaque to callers. */
export function encodeCursor(name: string, id: string): string {
  return JSON.stringify([name, id])
}

export function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const v: unknown = JSON.parse(cursor)
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]]
  } catch {
    /* not ours */
  }
  return undefined
}
