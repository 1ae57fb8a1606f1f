import type { AssetSummary } from '../../shared/contract/asset-model'
import type { ErrorShape } from '../../shared/model'

/** Children per `model.children` page; the next page loads when its "more" row scrolls into view. */
export const MODEL_PAGE = 200
/** The top level's key in `levels` (its parent is null in the API). */
export const TOP = ''

export interface Level {
  ids: string[]
  next: string | null
  loading: boolean
  error?: ErrorShape
}
export interface ModelTreeState {
  /** Keyed by the row key (`<parentKey>/<id>`: an asset shown through a reference appears under two parents). */
  nodes: Record<string, AssetSummary>
  levels: Record<string, Level>
  expanded: Record<string, boolean>
}
export type ModelRow =
  | { kind: 'asset'; key: string; asset: AssetSummary; level: number; expanded: boolean; pos: number; size: number }
  | { kind: 'more'; key: string; parent: string; level: number }
  | { kind: 'loading'; key: string; parent: string; level: number }
  | { kind: 'error'; key: string; parent: string; level: number; error: ErrorShape }

export const emptyTree = (): ModelTreeState => ({ nodes: {}, levels: {}, expanded: {} })
/** The asset id behind a row key. */
export const idOf = (key: string) => key.slice(key.lastIndexOf('/') + 1)
/** The parent row's key (`TOP` for a top-level row). */
export const parentKeyOf = (key: string) => key.slice(0, Math.max(0, key.lastIndexOf('/')))

export function markLoading(s: ModelTreeState, parent: string): ModelTreeState {
  const lv = s.levels[parent] ?? { ids: [], next: null, loading: true }
  return { ...s, levels: { ...s.levels, [parent]: { ...lv, loading: true, error: undefined } } }
}
export function markError(s: ModelTreeState, parent: string, error: ErrorShape): ModelTreeState {
  const lv = s.levels[parent] ?? { ids: [], next: null, loading: false }
  return { ...s, levels: { ...s.levels, [parent]: { ...lv, loading: false, error } } }
}
/** A page of children: appended (`more`) or replacing the level (a fresh load after a change). */
export function applyPage(s: ModelTreeState, parent: string, page: { items: AssetSummary[]; next: string | null }, more: boolean): ModelTreeState {
  const nodes = { ...s.nodes }
  const keys = page.items.map((a) => {
    const key = `${parent}/${a.id}`
    nodes[key] = a
    return key
  })
  const before = more ? (s.levels[parent]?.ids ?? []) : []
  return { ...s, nodes, levels: { ...s.levels, [parent]: { ids: [...before, ...keys], next: page.next, loading: false } } }
}
export function setExpanded(s: ModelTreeState, key: string, open: boolean): ModelTreeState {
  return { ...s, expanded: { ...s.expanded, [key]: open } }
}

/** The rows on screen: depth first through expanded levels, a "more" row where a level has another page. */
export function visibleRows(s: ModelTreeState): ModelRow[] {
  const out: ModelRow[] = []
  const walk = (parent: string, level: number) => {
    const lv = s.levels[parent]
    if (!lv) return
    for (const [i, key] of lv.ids.entries()) {
      const asset = s.nodes[key]
      if (!asset) continue
      const expanded = !!s.expanded[key] && asset.hasChildren
      out.push({ kind: 'asset', key, asset, level, expanded, pos: i + 1, size: lv.ids.length })
      if (expanded) {
        if (!s.levels[key]) out.push({ kind: 'loading', key: `${key}#loading`, parent: key, level: level + 1 })
        else walk(key, level + 1)
      }
    }
    if (lv.error) out.push({ kind: 'error', key: `${parent}#error`, parent, level, error: lv.error })
    else if (lv.loading) out.push({ kind: 'loading', key: `${parent}#loading`, parent, level })
    else if (lv.next) out.push({ kind: 'more', key: `${parent}#more`, parent, level })
  }
  walk(TOP, 1)
  return out
}
