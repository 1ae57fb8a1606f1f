import { useCallback, useEffect, useMemo, useRef } from 'react'
import { ErrorNotice } from '../../components/ErrorNotice'
import { retryLoad } from '../../session/actions'
import { useAssetsStore } from '../../stores/assets-store'
import { findByPrefix, treeKey, visibleNodes } from '../../lib/tree'
import { TreeRow } from './TreeRow'
import { useNodeConditions } from './use-node-conditions'
import './asset-tree.css'

/** The asset tree: WAI-ARIA tree with a roving tabindex; arrows move, → / ← open and close, Enter selects. */
export function AssetTree() {
  const status = useAssetsStore((s) => s.status)
  const error = useAssetsStore((s) => s.error)
  const tree = useAssetsStore((s) => s.tree)
  const expanded = useAssetsStore((s) => s.expanded)
  const selectedId = useAssetsStore((s) => s.selectedAssetId)
  const focusedId = useAssetsStore((s) => s.focusedAssetId)
  const conditions = useNodeConditions()
  const ref = useRef<HTMLDivElement>(null)
  const typed = useRef({ text: '', at: 0 })

  const rows = useMemo(() => (tree ? visibleNodes(tree.root, expanded) : []), [tree, expanded])
  const focusTarget = rows.some((r) => r.node.id === focusedId) ? focusedId : (selectedId ?? rows[0]?.node.id)

  const onSelect = useCallback((id: string) => useAssetsStore.getState().selectAsset(id), [])
  const onToggle = useCallback((id: string, open: boolean) => {
    const s = useAssetsStore.getState()
    s.setExpanded(id, open)
    s.focusAsset(id)
  }, [])

  // Keep DOM focus on the focused item while the tree has focus (the item may scroll into view).
  useEffect(() => {
    const el = ref.current
    if (!el || !focusTarget || !el.contains(document.activeElement)) return
    const item = el.querySelector<HTMLElement>(`[data-node-id="${CSS.escape(focusTarget)}"]`)
    if (item && item !== document.activeElement) item.focus()
  }, [focusTarget, rows])

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return
    const s = useAssetsStore.getState()
    const move = treeKey(e.key, rows, focusTarget)
    if (move.type === 'none') {
      if (e.key.length === 1 && /\S/.test(e.key)) {
        const now = Date.now()
        typed.current = { text: (now - typed.current.at < 700 ? typed.current.text : '') + e.key, at: now }
        const id = findByPrefix(rows, focusTarget, typed.current.text)
        if (id) s.focusAsset(id)
        e.preventDefault()
      }
      return
    }
    e.preventDefault()
    if (move.type === 'focus') s.focusAsset(move.id)
    else if (move.type === 'expand') s.setExpanded(move.id, true)
    else if (move.type === 'collapse') s.setExpanded(move.id, false)
    else if (move.type === 'select') s.selectAsset(move.id)
    else if (move.type === 'expandSiblings') for (const id of move.ids) s.setExpanded(id, true)
  }

  return (
    <nav className="panel tree-panel" aria-label="Assets">
      <div className="panel-head">
        <h2>Assets</h2>
        {tree && <span className="sub">{tree.signals.length} signals</span>}
      </div>
      <div className="panel-body">
        {error && <ErrorNotice title="Asset tree could not be loaded" error={error} onRetry={retryLoad} />}
        {status === 'loading' && !tree && <div className="empty">Loading assets…</div>}
        {tree && (
          <div
            ref={ref}
            role="tree"
            aria-label="Asset tree"
            data-testid="asset-tree"
            className="tree"
            onKeyDown={onKeyDown}
          >
            {rows.map((r) => (
              <TreeRow
                key={r.node.id}
                row={r}
                condition={conditions[r.node.id] ?? 'good'}
                selected={r.node.id === selectedId}
                focused={r.node.id === focusTarget}
                onSelect={onSelect}
                onToggle={onToggle}
              />
            ))}
          </div>
        )}
      </div>
    </nav>
  )
}
