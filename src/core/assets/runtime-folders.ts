import type { AssetNode } from '../../shared/model'
import type { ConnectionConfig } from '../config/schema'
import { driverOf } from '../drivers'

/**
 * An asset tree that a config or the demo defines does not know the edits made at runtime: signals added (kept in the
 * config file or the overlay) show in one folder per connection, the one the API adds them to while running, and
 * signals the overlay removed (the demo's) leave the tree.
 */
export function withRuntimeEdits(root: AssetNode, base: readonly ConnectionConfig[], connections: readonly ConnectionConfig[]): AssetNode {
  const present = new Set(connections.flatMap((c) => c.signals.map((s) => s.id)))
  const gone = new Set(base.flatMap((c) => c.signals.map((s) => s.id)).filter((id) => !present.has(id)))
  const shown = new Set<string>()
  const prune = (n: AssetNode): AssetNode => {
    const signals = gone.size === 0 ? n.signals : n.signals.filter((a) => !gone.has(a.signal))
    for (const a of signals) shown.add(a.signal)
    return { ...n, signals, children: n.children.map(prune) }
  }
  const tree = prune(root)
  const folders: AssetNode[] = connections.flatMap((c) => {
    const rest = c.signals.filter((s) => !shown.has(s.id))
    if (rest.length === 0) return []
    const folder = driverOf(c.kind).runtimeFolder(c)
    return [{ id: folder.id, name: folder.name, kind: 'folder' as const, signals: rest.map((s) => ({ attribute: folder.attribute(s), signal: s.id })), children: [] }]
  })
  return { ...tree, children: [...tree.children, ...folders] }
}
