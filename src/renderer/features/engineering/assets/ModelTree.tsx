import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { VirtualList } from '../../../components/VirtualList'
import { MoreRow } from '../../../components/MoreRow'
import { ASSET_MIME, carries, dragAsset, dropped, isAsset, isSource, SOURCE_MIME, type DraggedSource } from '../../../lib/drag'
import { applyPage, emptyTree, idOf, markError, markLoading, MODEL_PAGE, setExpanded, TOP, visibleRows, type ModelRow, type ModelTreeState } from '../../../lib/model-tree'

interface Props {
  selected?: string
  onSelect(id: string): void
  /** A source from a browser dropped on an asset (bind it there). */
  onDropSource(asset: { id: string; path: string }, source: DraggedSource): void
  /** An asset dropped on another (move it there), or on the top-level strip (`to` null). */
  onMove(asset: { id: string; path: string }, to: { id: string; path: string } | null): void
  /** Bumped on every `model.changed`: the loaded levels are asked for again. */
  version: number
}

/** The asset model, one page of children per expand (never the whole tree), windowed. */
export function ModelTree({ selected, onSelect, version, onDropSource, onMove }: Props) {
  const [state, setState] = useState<ModelTreeState>(emptyTree)
  const stateRef = useRef(state)
  stateRef.current = state

  const load = useCallback(async (parent: string, more: boolean) => {
    const cursor = more ? stateRef.current.levels[parent]?.next : undefined
    setState((s) => markLoading(s, parent))
    try {
      const page = await getApi().rpc.call('model.children', { parent: parent === TOP ? null : idOf(parent), limit: MODEL_PAGE, ...(cursor ? { cursor } : {}) })
      setState((s) => applyPage(s, parent, page, more))
    } catch (e) {
      setState((s) => markError(s, parent, toErrorShape(e)))
    }
  }, [])
  // First load, and after each change every level on screen again (a change may add, rename or remove anywhere).
  useEffect(() => {
    const s = stateRef.current
    const open = Object.keys(s.levels).filter((k) => k === TOP || (s.expanded[k] && s.nodes[k]))
    for (const k of open.length ? open : [TOP]) void load(k, false)
  }, [version, load])

  const rows = useMemo(() => visibleRows(state), [state])
  const toggle = (key: string, open: boolean) => {
    setState((s) => setExpanded(s, key, open))
    const lv = stateRef.current.levels[key]
    if (open && (!lv || lv.error)) void load(key, false)
  }
  const top = state.levels[TOP]
  return (
    <div className="browse-tree-wrap" data-testid="model-tree">
      {top?.error && <ErrorNotice title="The asset model could not be loaded" error={top.error} onRetry={() => void load(TOP, false)} />}
      {top && !top.loading && !top.error && top.ids.length === 0 && <div className="empty">The asset model is empty. Import a file or instantiate a template.</div>}
      <VirtualList
        items={top?.error ? [] : rows}
        rowRem={1.75}
        itemKey={(r) => r.key}
        role="tree"
        label="Asset model"
        className="browse-tree"
        render={(r) => <Row r={r} selected={selected} onSelect={onSelect} toggle={toggle} load={load} onDropSource={onDropSource} onMove={onMove} />}
      />
      <TopDrop onMove={onMove} />
    </div>
  )
}

/** A strip under the tree: an asset dropped here moves to the top level. */
function TopDrop({ onMove }: Pick<Props, 'onMove'>) {
  const [over, setOver] = useState(false)
  return (
    <div
      className={`model-top-drop${over ? ' over' : ''}`}
      data-testid="model-top-drop"
      onDragOver={(e) => {
        if (!carries(e, ASSET_MIME)) return
        e.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false)
        const a = dropped(e, ASSET_MIME, isAsset)
        if (a) onMove(a, null)
      }}
    >
      Drop an asset here to move it to the top level
    </div>
  )
}

type RowProps = { r: ModelRow; selected?: string | undefined; toggle(key: string, open: boolean): void; load(parent: string, more: boolean): Promise<void> } & Pick<Props, 'onSelect' | 'onDropSource' | 'onMove'>

function Row({ r, selected, onSelect, toggle, load, onDropSource, onMove }: RowProps) {
  const [over, setOver] = useState(false)
  const pad = { paddingLeft: `${0.3 + (r.level - 1) * 1.1}rem` }
  if (r.kind === 'loading') return <div className="b-row muted" style={pad}>Loading…</div>
  if (r.kind === 'error')
    return (
      <div className="b-row b-error" role="treeitem" style={pad} onClick={() => void load(r.parent, false)} title={r.error.message}>
        ◆ Load failed [{r.error.code}] · Retry
      </div>
    )
  if (r.kind === 'more')
    return (
      <MoreRow onShown={() => void load(r.parent, true)}>
        <div className="b-row b-more" role="treeitem" style={pad} onClick={() => void load(r.parent, true)} data-testid={`model-more-${idOf(r.parent) || 'top'}`}>
          Load {MODEL_PAGE} more…
        </div>
      </MoreRow>
    )
  const a = r.asset
  const on = selected === a.id
  return (
    <div
      role="treeitem"
      aria-level={r.level}
      aria-expanded={a.hasChildren ? r.expanded : undefined}
      aria-selected={on}
      className={`b-row${on ? ' selected' : ''}${over ? ' drop-over' : ''}`}
      data-testid={`model-node-${a.path}`}
      title={`${a.path}${a.reference ? ' (reference)' : ''}\nDrag to move it; drop a source from the right to bind it here`}
      style={pad}
      onClick={() => onSelect(a.id)}
      draggable={!a.reference}
      onDragStart={(e) => dragAsset(e, { id: a.id, path: a.path })}
      onDragOver={(e) => {
        if (!carries(e, SOURCE_MIME) && !carries(e, ASSET_MIME)) return
        e.preventDefault()
        e.dataTransfer.dropEffect = carries(e, SOURCE_MIME) ? 'copy' : 'move'
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault()
        setOver(false)
        const here = { id: a.id, path: a.path }
        const src = dropped(e, SOURCE_MIME, isSource)
        if (src) return onDropSource(here, src)
        const moved = dropped(e, ASSET_MIME, isAsset)
        if (moved && moved.id !== a.id) onMove(moved, here)
      }}
    >
      <span
        className="twisty"
        aria-hidden="true"
        data-testid={a.hasChildren ? `model-twisty-${a.path}` : undefined}
        onClick={(e) => {
          e.stopPropagation()
          if (a.hasChildren) toggle(r.key, !r.expanded)
        }}
      >
        {a.hasChildren ? (r.expanded ? '▾' : '▸') : ''}
      </span>
      <span className="name">{a.name}</span>
      {a.reference && <span className="tag">ref</span>}
      <span className="m-kind">{a.kind}</span>
      <span className="m-count tabular" title={`${a.attributeCount} attribute(s)`}>
        {a.attributeCount ? `${a.attributeCount} attr` : ''}
      </span>
    </div>
  )
}
