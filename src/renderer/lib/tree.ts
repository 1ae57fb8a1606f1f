import type { AssetNode } from '../../shared/model'

/**
 * An asset as the operator view holds it: the configured tree's node, or an asset of the model loaded so far
 * (kinds are the user's words there). `signals`: its attributes that carry values, by signal id; `fixed`: those
 * that do not (a constant, a source not collected, no binding), shown with their state.
 */
export interface ViewNode {
  id: string
  name: string
  kind: string
  signals: AssetNode['signals']
  fixed?: FixedAttribute[]
  children: ViewNode[]
}
export interface FixedAttribute {
  attribute: string
  state: string
  text: string
  /** A constant's unit (the attribute's). */
  unit?: string | undefined
}

export interface TreeIndex {
  byId: Map<string, ViewNode>
  parentOf: Map<string, string>
}

export function indexTree(root: ViewNode): TreeIndex {
  const byId = new Map<string, ViewNode>()
  const parentOf = new Map<string, string>()
  const visit = (n: ViewNode) => {
    byId.set(n.id, n)
    for (const c of n.children) {
      parentOf.set(c.id, n.id)
      visit(c)
    }
  }
  visit(root)
  return { byId, parentOf }
}

/** Ancestors of `id`, root first (not including `id`). */
export function ancestorsOf(id: string, idx: TreeIndex): string[] {
  const out: string[] = []
  for (let p = idx.parentOf.get(id); p !== undefined; p = idx.parentOf.get(p)) out.unshift(p)
  return out
}

/** A node as a row of the flattened, visible tree (what ARIA calls level, position in set, set size). */
/** What keyboard navigation needs of a row: its id, parent's id, name, and whether it opens. */
export interface NavRow {
  id: string
  name: string
  parentId?: string | undefined
  expandable: boolean
  expanded: boolean
}

export interface FlatNode extends NavRow {
  node: ViewNode
  level: number
  posInSet: number
  setSize: number
  parentId?: string
  expandable: boolean
  expanded: boolean
}

/** The rows a tree shows: depth first, children only of expanded nodes. */
export function visibleNodes(root: ViewNode, expanded: Record<string, boolean>): FlatNode[] {
  const out: FlatNode[] = []
  const visit = (n: ViewNode, level: number, posInSet: number, setSize: number, parentId?: string) => {
    const expandable = n.children.length > 0
    const open = expandable && !!expanded[n.id]
    out.push({ node: n, id: n.id, name: n.name, level, posInSet, setSize, parentId, expandable, expanded: open })
    if (open) n.children.forEach((c, i) => visit(c, level + 1, i + 1, n.children.length, n.id))
  }
  visit(root, 1, 1, 1)
  return out
}

export type TreeMove =
  | { type: 'focus'; id: string }
  | { type: 'expand'; id: string }
  | { type: 'collapse'; id: string }
  | { type: 'select'; id: string }
  | { type: 'expandSiblings'; ids: string[] }
  | { type: 'none' }

/** What a key does in the tree (WAI-ARIA tree view pattern). Pure, so it is tested without a DOM. */
export function treeKey(key: string, rows: readonly NavRow[], focusedId: string | undefined): TreeMove {
  if (rows.length === 0) return { type: 'none' }
  const i = Math.max(0, rows.findIndex((r) => r.id === focusedId))
  const row = rows[i]!
  switch (key) {
    case 'ArrowDown':
      return { type: 'focus', id: rows[Math.min(rows.length - 1, i + 1)]!.id }
    case 'ArrowUp':
      return { type: 'focus', id: rows[Math.max(0, i - 1)]!.id }
    case 'Home':
      return { type: 'focus', id: rows[0]!.id }
    case 'End':
      return { type: 'focus', id: rows[rows.length - 1]!.id }
    case 'ArrowRight':
      if (!row.expandable) return { type: 'none' }
      if (!row.expanded) return { type: 'expand', id: row.id }
      return { type: 'focus', id: rows[i + 1]!.id }
    case 'ArrowLeft':
      if (row.expanded) return { type: 'collapse', id: row.id }
      return row.parentId ? { type: 'focus', id: row.parentId } : { type: 'none' }
    case 'Enter':
    case ' ':
      return { type: 'select', id: row.id }
    case '*': {
      const ids = rows.filter((r) => r.parentId === row.parentId && r.expandable && !r.expanded).map((r) => r.id)
      return ids.length ? { type: 'expandSiblings', ids } : { type: 'none' }
    }
    default:
      return { type: 'none' }
  }
}

/** Type-ahead: the next visible row after the focused one whose name starts with `prefix`. */
export function findByPrefix(rows: readonly NavRow[], focusedId: string | undefined, prefix: string): string | undefined {
  const p = prefix.toLowerCase()
  const start = rows.findIndex((r) => r.id === focusedId)
  for (let k = 1; k <= rows.length; k++) {
    const r = rows[(start + k + rows.length) % rows.length]!
    if (r.name.toLowerCase().startsWith(p)) return r.id
  }
  return undefined
}

/** One block of a faceplate: an asset, its signals and its attributes without one. */
export interface FaceplateGroup {
  asset: ViewNode
  signals: ViewNode['signals']
  fixed: FixedAttribute[]
}

const hasAttributes = (n: ViewNode) => n.signals.length > 0 || (n.fixed?.length ?? 0) > 0

/**
 * What the faceplate shows for a selected asset: its own attributes, then each direct child that has any,
 * so selecting a line shows its tanks and pumps at once. Children without attributes are listed separately.
 */
export function faceplateGroups(node: ViewNode): { groups: FaceplateGroup[]; containers: ViewNode[] } {
  const groups: FaceplateGroup[] = []
  if (hasAttributes(node)) groups.push({ asset: node, signals: node.signals, fixed: node.fixed ?? [] })
  const containers: ViewNode[] = []
  for (const c of node.children) {
    if (hasAttributes(c)) groups.push({ asset: c, signals: c.signals, fixed: c.fixed ?? [] })
    else containers.push(c)
  }
  return { groups, containers }
}

/** The signals to stream live: everything the faceplate shows plus the trended signal, without duplicates. */
export function liveSignals(node: ViewNode | undefined, trended: string | undefined, max = 2000): string[] {
  const set = new Set<string>()
  if (node) for (const g of faceplateGroups(node).groups) for (const s of g.signals) set.add(s.signal)
  if (trended) set.add(trended)
  return [...set].slice(0, max)
}

/** Every signal referenced anywhere in the tree. */
export function allSignals(root: ViewNode): string[] {
  const set = new Set<string>()
  const visit = (n: ViewNode) => {
    for (const s of n.signals) set.add(s.signal)
    n.children.forEach(visit)
  }
  visit(root)
  return [...set]
}

/** The attribute name under which `signal` appears on `asset` (falls back to the signal id). */
export function attributeOf(asset: ViewNode | undefined, signal: string): string {
  return asset?.signals.find((s) => s.signal === signal)?.attribute ?? signal
}
