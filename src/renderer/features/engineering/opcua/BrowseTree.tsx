import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { BROWSE_PAGE } from '../../../../shared/contract/opcua'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { VirtualList } from '../../../components/VirtualList'
import { MoreRow } from '../../../components/MoreRow'
import { dragSource } from '../../../lib/drag'
import { applyPage, emptyBrowse, markError, markLoading, OBJECTS, setExpanded, visibleRows, type BrowseRow, type BrowseState } from '../browse-tree'

/** Children per `opcua.browse` page (the benchmark times this same page). */
export const PAGE = BROWSE_PAGE

const CLASS_GLYPH: Record<string, string> = { Object: '▣', Variable: '◇', Method: 'ƒ', View: '◫', ObjectType: 'T', VariableType: 'T', DataType: 'D', ReferenceType: 'R' }

interface Props {
  connection: string
  /** The connection has a session: a root that failed to browse before is browsed again. */
  online: boolean
  selected?: string
  onSelect(nodeId: string, name: string): void
  /** Rows can be dragged onto an asset (a variable binds it, an object binds the variables under it). */
  draggable?: boolean
}

/** The address space, one page per expand: never a recursive browse. A windowed tree: arrows, → ← open/close, Enter selects. */
export function BrowseTree({ connection, online, selected, onSelect, draggable }: Props) {
  const [state, setState] = useState<BrowseState>(emptyBrowse)
  const stateRef = useRef(state)
  stateRef.current = state
  const [focus, setFocus] = useState(0)
  const listRef = useRef<HTMLDivElement>(null)

  const load = useCallback(
    async (parent: string, more: boolean) => {
      const cp = more ? stateRef.current.levels[parent]?.continuationPoint : undefined
      setState((s) => markLoading(s, parent))
      try {
        const page = await getApi().rpc.call('opcua.browse', {
          connection,
          max: PAGE,
          ...(parent === OBJECTS ? {} : { nodeId: parent }),
          ...(cp ? { continuationPoint: cp } : {}),
        })
        setState((s) => applyPage(s, parent, page, more))
      } catch (e) {
        setState((s) => markError(s, parent, toErrorShape(e)))
      }
    },
    [connection],
  )
  useEffect(() => {
    void load(OBJECTS, false)
  }, [load])
  useEffect(() => {
    const root = stateRef.current.levels[OBJECTS]
    if (online && root?.error) void load(OBJECTS, false)
  }, [online, load])

  const rows = useMemo(() => visibleRows(state), [state])
  const toggle = (id: string, open: boolean) => {
    setState((s) => setExpanded(s, id, open))
    const lv = stateRef.current.levels[id]
    if (open && (!lv || (lv.error && !lv.loading))) void load(id, false)
  }
  const activate = (r: BrowseRow) => {
    if (r.kind === 'node') onSelect(r.id, state.nodes[r.id]?.displayName ?? r.id)
    else if (r.kind === 'more') void load(r.parent, true)
    else if (r.kind === 'error') void load(r.parent, false)
  }

  const onKeyDown = (e: React.KeyboardEvent) => {
    const r = rows[focus]
    let next = focus
    if (e.key === 'ArrowDown') next = Math.min(rows.length - 1, focus + 1)
    else if (e.key === 'ArrowUp') next = Math.max(0, focus - 1)
    else if (e.key === 'Home') next = 0
    else if (e.key === 'End') next = rows.length - 1
    else if (e.key === 'ArrowRight' && r?.kind === 'node' && r.expandable) {
      if (!r.expanded) toggle(r.id, true)
      else next = focus + 1
    } else if (e.key === 'ArrowLeft' && r) {
      if (r.kind === 'node' && r.expanded) toggle(r.id, false)
      else next = rows.slice(0, focus).findLastIndex((x) => x.kind === 'node' && x.level < r.level)
    } else if (e.key === 'Enter' || e.key === ' ') {
      if (r) activate(r)
    } else return
    e.preventDefault()
    if (next >= 0 && next !== focus) setFocus(next)
  }
  useEffect(() => {
    const el = listRef.current
    if (el?.contains(document.activeElement)) el.querySelector<HTMLElement>('[data-focused="true"]')?.focus()
  }, [focus, rows])

  const rootLevel = state.levels[OBJECTS]
  const rootError = rootLevel?.error
  const fIdx = Math.min(focus, rows.length - 1)
  return (
    <div ref={listRef} className="browse-tree-wrap">
      {rootError && <ErrorNotice title="The address space could not be browsed" error={rootError} onRetry={() => void load(OBJECTS, false)} />}
      {rootLevel && !rootLevel.loading && !rootLevel.error && rootLevel.ids.length === 0 && <div className="empty">The Objects folder is empty.</div>}
      <VirtualList
        items={rootError ? [] : rows}
        rowRem={1.75}
        itemKey={(r) => r.key}
        scrollTo={fIdx}
        role="tree"
        label="OPC UA address space"
        className="browse-tree"
        onKeyDown={onKeyDown}
        render={(r, i) => {
          const pad = { paddingLeft: `${0.3 + (r.level - 1) * 1.1}rem` }
          const common = { 'data-focused': i === fIdx, tabIndex: i === fIdx ? 0 : -1, onFocus: () => setFocus(i), style: pad }
          if (r.kind === 'loading') return <div className="b-row muted" {...common}>Loading…</div>
          if (r.kind === 'error')
            return (
              <div className="b-row b-error" role="treeitem" {...common} onClick={() => activate(r)} title={r.error.message}>
                ◆ Browse failed [{r.error.code}] · Retry
              </div>
            )
          if (r.kind === 'more')
            return (
              <MoreRow onShown={() => activate(r)}>
                <div className="b-row b-more" role="treeitem" {...common} onClick={() => activate(r)} data-testid={`opcua-more-${r.parent}`}>
                  Load {PAGE} more…
                </div>
              </MoreRow>
            )
          const n = state.nodes[r.id]!
          return (
            <div
              role="treeitem"
              aria-level={r.level}
              aria-expanded={r.expandable ? r.expanded : undefined}
              aria-selected={selected === r.id}
              className={`b-row${selected === r.id ? ' selected' : ''}`}
              data-testid={`opcua-node-${r.id}`}
              title={`${n.nodeId} (${n.nodeClass})`}
              {...common}
              onClick={() => activate(r)}
              draggable={draggable && (n.nodeClass === 'Variable' || n.nodeClass === 'Object')}
              onDragStart={draggable ? (e) => dragSource(e, { label: n.displayName, binding: { kind: 'opcua', connection, nodeId: n.nodeId } }) : undefined}
            >
              <span
                className={`twisty${r.expandable ? '' : ' leaf'}`}
                aria-hidden="true"
                data-testid={r.expandable ? `opcua-twisty-${r.id}` : undefined}
                onClick={(e) => {
                  e.stopPropagation()
                  if (r.expandable) toggle(r.id, !r.expanded)
                }}
              >
                {r.expandable ? (r.expanded ? '▾' : '▸') : ''}
              </span>
              <span className={`nclass nc-${n.nodeClass}`} aria-label={n.nodeClass}>
                {CLASS_GLYPH[n.nodeClass] ?? '·'}
              </span>
              <span className="name">{n.displayName}</span>
            </div>
          )
        }}
      />
    </div>
  )
}
