import type { AssetNode } from '../../shared/model'

export interface TreeIndex {
  byId: Map<string, AssetNode>
  parentOf: Map<string, string>
}

export function indexTree(root: AssetNode): TreeIndex {
  const byId = new Map<string, AssetNode>()
  const parentOf = new Map<string, string>()
  const visit = (n: AssetNode) => {
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
export interface FlatNode {
  node: AssetNode
  level: number
  posInSet: number
  setSize: number
  parentId?: string
  expandable: boolean
  expanded: boolean
}

/** The rows a tree shows: depth first, children only of expanded nodes. */
export function visibleNodes(root: AssetNode, expanded: Record<string, boolean>): FlatNode[] {
  const out: FlatNode[] = []
  const visit = (n: AssetNode, level: number, posInSet: number, setSize: number, parentId?: string) => {
    const expandable = n.children.length > 0
    const open = expandable && !!expanded[n.id]
    out.push({ node: n, level, posInSet, setSize, parentId, expandable, expanded: open })
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
export function treeKey(key: string, rows: FlatNode[], focusedId: string | undefined): TreeMove {
  if (rows.length === 0) return { type: 'none' }
  const i = Math.max(0, rows.findIndex((r) => r.node.id === focusedId))
  const row = rows[i]!
  switch (key) {
    case 'ArrowDown':
      return { type: 'focus', id: rows[Math.min(rows.length - 1, i + 1)]!.node.id }
    case 'ArrowUp':
      return { type: 'focus', id: rows[Math.max(0, i - 1)]!.node.id }
    case 'Home':
      return { type: 'focus', id: rows[0]!.node.id }
    case 'End':
      return { type: 'focus', id: rows[rows.length - 1]!.node.id }
    case 'ArrowRight':
      if (!row.expandable) return { type: 'none' }
      if (!row.expanded) return { type: 'expand', id: row.node.id }
      return { type: 'focus', id: rows[i + 1]!.node.id }
    case 'ArrowLeft':
      if (row.expanded) return { type: 'collapse', id: row.node.id }
      return row.parentId ? { type: 'focus', id: row.parentId } : { type: 'none' }
    case 'Enter':
    case ' ':
      return { type: 'select', id: row.node.id }
    case '*': {
      const ids = rows.filter((r) => r.parentId === row.parentId && r.expandable && !r.expanded).map((r) => r.node.id)
      return ids.length ? { type: 'expandSiblings', ids } : { type: 'none' }
    }
    default:
      return { type: 'none' }
  }
}

/** Type-ahead: the next visible row after the focused one whose name starts with `prefix`. */
export function findByPrefix(rows: FlatNode[], focusedId: string | undefined, prefix: string): string | undefined {
  const p = prefix.toLowerCase()
  const start = rows.findIndex((r) => r.node.id === focusedId)
  for (let k = 1; k <= rows.length; k++) {
    const r = rows[(start + k + rows.length) % rows.length]!
    if (r.node.name.toLowerCase().startsWith(p)) return r.node.id
  }
  return undefined
}

/** One block of a faceplate: an asset and its signals. */
export interface FaceplateGroup {
  asset: AssetNode
  signals: AssetNode['signals']
}

/**
 * What the faceplate shows for a selected asset: its own signals, then each direct child that has signals,
 * so selecting a line shows its tanks and pumps at once. Children without signals are listed separately.
 */
export function faceplateGroups(node: AssetNode): { groups: FaceplateGroup[]; containers: AssetNode[] } {
  const groups: FaceplateGroup[] = []
  if (node.signals.length) groups.push({ asset: node, signals: node.signals })
  const containers: AssetNode[] = []
  for (const c of node.children) {
    if (c.signals.length) groups.push({ asset: c, signals: c.signals })
    else containers.push(c)
  }
  return { groups, containers }
}

/** The signals to stream live: everything the faceplate shows plus the trended signal, without duplicates. */
export function liveSignals(node: AssetNode | undefined, trended: string | undefined, max = 2000): string[] {
  const set = new Set<string>()
  if (node) for (const g of faceplateGroups(node).groups) for (const s of g.signals) set.add(s.signal)
  if (trended) set.add(trended)
  return [...set].slice(0, max)
}

/** Every signal referenced anywhere in the tree. */
export function allSignals(root: AssetNode): string[] {
  const set = new Set<string>()
  const visit = (n: AssetNode) => {
    for (const s of n.signals) set.add(s.signal)
    n.children.forEach(visit)
  }
  visit(root)
  return [...set]
}

/** The attribute name under which `signal` appears on `asset` (falls back to the signal id). */
export function attributeOf(asset: AssetNode | undefined, signal: string): string {
  return asset?.signals.find((s) => s.signal === signal)?.attribute ?? signal
}
