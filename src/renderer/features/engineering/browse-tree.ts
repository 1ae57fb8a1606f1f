import type { BrowseChild, BrowsePage } from '../../../shared/contract'
import type { ErrorShape } from '../../../shared/model'

/** The Objects folder: where `opcua.browse` starts without a nodeId. */
export const OBJECTS = 'i=85'

export interface Level {
  ids: string[]
  continuationPoint?: string
  loading?: boolean
  error?: ErrorShape
}

/** What the browser knows: nodes seen, the loaded pages of each expanded node, which are open. */
export interface BrowseState {
  nodes: Record<string, BrowseChild>
  levels: Record<string, Level>
  expanded: Record<string, boolean>
}

export const emptyBrowse = (): BrowseState => ({ nodes: {}, levels: {}, expanded: { [OBJECTS]: true } })

export function markLoading(s: BrowseState, parent: string): BrowseState {
  const lv = s.levels[parent] ?? { ids: [] }
  return { ...s, levels: { ...s.levels, [parent]: { ...lv, loading: true, error: undefined } } }
}

export function markError(s: BrowseState, parent: string, error: ErrorShape): BrowseState {
  const lv = s.levels[parent] ?? { ids: [] }
  return { ...s, levels: { ...s.levels, [parent]: { ...lv, loading: false, error } } }
}

/** One more page under `parent`: appended when it continues a previous one, else the first page. */
export function applyPage(s: BrowseState, parent: string, page: BrowsePage, append: boolean): BrowseState {
  const nodes = { ...s.nodes }
  for (const c of page.children) nodes[c.nodeId] = c
  const prev = append ? (s.levels[parent]?.ids ?? []) : []
  const seen = new Set(prev)
  const ids = [...prev, ...page.children.map((c) => c.nodeId).filter((id) => !seen.has(id))]
  const level: Level = { ids, ...(page.continuationPoint ? { continuationPoint: page.continuationPoint } : {}) }
  return { ...s, nodes, levels: { ...s.levels, [parent]: level } }
}

export function setExpanded(s: BrowseState, id: string, open: boolean): BrowseState {
  return { ...s, expanded: { ...s.expanded, [id]: open } }
}

/** Methods have no hierarchical children worth browsing; anything else may, until a page says it has none. */
export function canExpand(s: BrowseState, id: string): boolean {
  if (s.nodes[id]?.nodeClass === 'Method') return false
  const lv = s.levels[id]
  return !lv || lv.loading === true || lv.ids.length > 0 || lv.error !== undefined
}

export type BrowseRow =
  | { kind: 'node'; key: string; id: string; level: number; expandable: boolean; expanded: boolean }
  | { kind: 'more'; key: string; parent: string; level: number }
  | { kind: 'loading'; key: string; parent: string; level: number }
  | { kind: 'error'; key: string; parent: string; level: number; error: ErrorShape }

/** The rows on screen, depth first. A node already open higher up the same path is not opened again (address spaces have cycles). */
export function visibleRows(s: BrowseState, root = OBJECTS): BrowseRow[] {
  const rows: BrowseRow[] = []
  const walk = (parent: string, level: number, path: string, onPath: Set<string>) => {
    const lv = s.levels[parent]
    if (!lv) return
    for (const id of lv.ids) {
      const key = `${path}/${id}`
      const expandable = canExpand(s, id) && !onPath.has(id)
      const expanded = expandable && s.expanded[id] === true
      rows.push({ kind: 'node', key, id, level, expandable, expanded })
      if (expanded) {
        onPath.add(id)
        walk(id, level + 1, key, onPath)
        onPath.delete(id)
      }
    }
    if (lv.loading) rows.push({ kind: 'loading', key: `${path}/…loading`, parent, level })
    else if (lv.error) rows.push({ kind: 'error', key: `${path}/…error`, parent, level, error: lv.error })
    else if (lv.continuationPoint) rows.push({ kind: 'more', key: `${path}/…more`, parent, level })
  }
  walk(root, 1, '', new Set([root]))
  return rows
}
