import { useCallback, useEffect, useMemo, useRef } from 'react'
import { ErrorNotice } from '../../components/ErrorNotice'
import { MoreRow } from '../../components/MoreRow'
import { VirtualList } from '../../components/VirtualList'
import { idOf, MODEL_PAGE, parentKeyOf, TOP, visibleRows, type ModelRow } from '../../lib/model-tree'
import { findByPrefix, treeKey, type NavRow } from '../../lib/tree'
import { loadLevel, toggleRow } from '../../session/model-view'
import { useAssetsStore } from '../../stores/assets-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { TreeRow } from './TreeRow'
import './asset-tree.css'

/** Row height (rem): fixed, so only the rows in view are in the DOM (50,000 assets stay smooth). */
const ROW_REM = 1.9

const navOf = (r: ModelRow & { kind: 'asset' }): NavRow => {
  const parent = parentKeyOf(r.key)
  return { id: r.key, name: r.asset.name, parentId: parent === TOP ? undefined : parent, expandable: r.asset.hasChildren, expanded: r.expanded }
}

/**
 * The operator's asset tree: the asset model, one page of children per opened level, windowed (WAI-ARIA tree with a
 * roving tabindex; arrows move, → / ← open and close, Enter selects, typing jumps to a name).
 */
export function AssetTree() {
  const model = useAssetsStore((s) => s.model)
  const selectedId = useAssetsStore((s) => s.selectedAssetId)
  const focusedKey = useAssetsStore((s) => s.focusedKey)
  const signalCount = useAssetsStore((s) => s.tree?.signals.length)
  const ref = useRef<HTMLDivElement>(null)
  const typed = useRef({ text: '', at: 0 })

  const rows = useMemo(() => visibleRows(model), [model])
  const nav = useMemo(() => rows.flatMap((r) => (r.kind === 'asset' ? [navOf(r)] : [])), [rows])
  const focusIndex = rows.findIndex((r) => r.key === focusedKey)
  const focusTarget = focusIndex >= 0 ? focusedKey : (rows.find((r) => r.kind === 'asset' && r.asset.id === selectedId)?.key ?? nav[0]?.id)

  const onSelect = useCallback((key: string) => {
    useAssetsStore.getState().focusRow(key)
    // its tab opens (or shows), and showing it selects the asset (session/workspace-sync)
    const id = idOf(key)
    useWorkspaceStore.getState().openAssetTab(id, useAssetsStore.getState().model.nodes[key]?.name ?? id)
  }, [])
  const onToggle = useCallback((key: string, open: boolean) => {
    toggleRow(key, open)
    useAssetsStore.getState().focusRow(key)
  }, [])

  // Keep DOM focus on the focused row while the tree has focus (the row may scroll into view first).
  useEffect(() => {
    const el = ref.current
    if (!el || !focusTarget || !el.contains(document.activeElement)) return
    const item = el.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(focusTarget)}"]`)
    if (item && item !== document.activeElement) item.focus()
  }, [focusTarget, rows])

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return
    const s = useAssetsStore.getState()
    const move = treeKey(e.key, nav, focusTarget)
    if (move.type === 'none') {
      if (e.key.length === 1 && /\S/.test(e.key)) {
        const now = Date.now()
        typed.current = { text: (now - typed.current.at < 700 ? typed.current.text : '') + e.key, at: now }
        const key = findByPrefix(nav, focusTarget, typed.current.text)
        if (key) s.focusRow(key)
        e.preventDefault()
      }
      return
    }
    e.preventDefault()
    if (move.type === 'focus') s.focusRow(move.id)
    else if (move.type === 'expand') toggleRow(move.id, true)
    else if (move.type === 'collapse') toggleRow(move.id, false)
    else if (move.type === 'select') onSelect(move.id)
    else if (move.type === 'expandSiblings') for (const id of move.ids) toggleRow(id, true)
  }

  const top = model.levels[TOP]
  return (
    <nav className="panel tree-panel" aria-label="Assets">
      <div className="panel-head">
        <h2>Assets</h2>
        {signalCount !== undefined && <span className="sub">{signalCount} signals</span>}
      </div>
      <div className="panel-body tree-body">
        {top?.error && <ErrorNotice title="The asset model could not be loaded" error={top.error} onRetry={() => void loadLevel(TOP)} />}
        {(!top || (top.loading && top.ids.length === 0)) && <div className="empty">Loading assets…</div>}
        {top && !top.loading && !top.error && top.ids.length === 0 && (
          <div className="empty" data-testid="asset-tree-empty">
            <strong>No assets yet</strong>
            <span>An engineer builds the plant in Engineering › Asset model.</span>
          </div>
        )}
        {top && !top.error && top.ids.length > 0 && (
          <div ref={ref} className="tree-wrap">
            <VirtualList
              items={rows}
              rowRem={ROW_REM}
              itemKey={(r) => r.key}
              role="tree"
              label="Asset tree"
              testid="asset-tree"
              className="tree"
              scrollTo={focusIndex >= 0 ? focusIndex : undefined}
              onKeyDown={onKeyDown}
              render={(r) =>
                r.kind === 'asset' ? (
                  <TreeRow
                    row={r}
                    selected={r.asset.id === selectedId}
                    focused={r.key === focusTarget}
                    onSelect={onSelect}
                    onToggle={onToggle}
                  />
                ) : (
                  <StateRow r={r} />
                )
              }
            />
          </div>
        )}
      </div>
    </nav>
  )
}

/** A level's "more", "loading" or "failed" row. */
function StateRow({ r }: { r: Exclude<ModelRow, { kind: 'asset' }> }) {
  const pad = { paddingLeft: `${0.3 + (r.level - 1) * 1.05 + 1.2}rem` }
  if (r.kind === 'loading') return <div className="tree-row muted" style={pad}>Loading…</div>
  if (r.kind === 'error')
    return (
      <button className="tree-row t-error" style={pad} onClick={() => void loadLevel(r.parent)} title={r.error.message}>
        Load failed [{r.error.code}] · Retry
      </button>
    )
  return (
    <MoreRow onShown={() => void loadLevel(r.parent, true)}>
      <button className="tree-row t-more" style={pad} onClick={() => void loadLevel(r.parent, true)} data-testid={`asset-more-${idOf(r.parent) || 'top'}`}>
        {MODEL_PAGE} more…
      </button>
    </MoreRow>
  )
}
