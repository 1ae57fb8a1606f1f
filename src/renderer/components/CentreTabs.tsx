import { useRef } from 'react'
import type { WorkspaceTab } from '../../shared/contract/workspace'
import { useAlarmsStore } from '../stores/alarms-store'
import { useAssetsStore } from '../stores/assets-store'
import { useWorkspaceStore } from '../stores/workspace-store'

const testidOf = (t: WorkspaceTab) => (t.kind === 'overview' ? 'tab-overview' : t.kind === 'alarms' ? 'tab-alarms' : t.kind === 'asset' ? `tab-asset-${t.asset}` : `tab-${t.id.replace(':', '-')}`)

/**
 * The operator view's workspace of tabs: Overview (fixed), the alarm summary, one per opened asset, trends of their
 * own. A tab strip with roving focus: ← → (Home, End) move and show, Delete closes, each closable tab has ✕.
 */
export function CentreTabs() {
  const tabs = useWorkspaceStore((s) => s.tabs)
  const active = useWorkspaceStore((s) => s.active)
  const names = useAssetsStore((s) => s.index)
  const alarmCount = useAlarmsStore((s) => s.counts.active)
  const strip = useRef<HTMLDivElement>(null)
  const ws = useWorkspaceStore.getState

  const focusTab = (id: string) => requestAnimationFrame(() => strip.current?.querySelector<HTMLElement>(`[data-tab-id="${CSS.escape(id)}"]`)?.focus())
  const onKey = (e: React.KeyboardEvent) => {
    const at = tabs.findIndex((t) => t.id === active)
    let to: number | undefined
    if (e.key === 'ArrowRight') to = (at + 1) % tabs.length
    else if (e.key === 'ArrowLeft') to = (at - 1 + tabs.length) % tabs.length
    else if (e.key === 'Home') to = 0
    else if (e.key === 'End') to = tabs.length - 1
    else if (e.key === 'Delete' && tabs[at] && tabs[at]!.kind !== 'overview') {
      e.preventDefault()
      ws().close(tabs[at]!.id)
      focusTab(useWorkspaceStore.getState().active)
      return
    } else return
    e.preventDefault()
    const id = tabs[to]!.id
    ws().activate(id)
    focusTab(id)
  }

  return (
    <div className="centre-tabs tab-strip" role="tablist" aria-label="Workspace: ← → to move, Delete to close" ref={strip} onKeyDown={onKey} data-testid="workspace-tabs">
      {tabs.map((t) => {
        const on = t.id === active
        const title = t.kind === 'overview' ? 'Overview' : t.kind === 'alarms' ? 'Alarms' : t.kind === 'asset' ? (names?.byId.get(t.asset)?.name ?? t.title) : t.title
        return (
          <div key={t.id} className={`ws-tab k-${t.kind}${on ? ' on' : ''}`}>
            <button
              role="tab"
              aria-selected={on}
              tabIndex={on ? 0 : -1}
              className={on ? 'on' : ''}
              onClick={() => ws().activate(t.id)}
              data-testid={testidOf(t)}
              data-tab-id={t.id}
              data-kind={t.kind}
              title={t.kind === 'asset' ? t.asset : t.kind === 'trend' ? `Trend: ${t.trend.pens.map((p) => p.label).join(', ')}` : undefined}
            >
              {t.kind === 'trend' && <span className="ws-kind">Trend</span>}
              <span className="ws-title">{title}</span>
              {t.kind === 'alarms' && alarmCount ? <span className="ws-count">{alarmCount}</span> : null}
            </button>
            {t.kind !== 'overview' && (
              <button className="ws-close" tabIndex={-1} aria-label={`Close ${title}`} title="Close (Delete)" data-testid={`${testidOf(t)}-close`} onClick={() => ws().close(t.id)}>
                ×
              </button>
            )}
          </div>
        )
      })}
      {!tabs.some((t) => t.kind === 'alarms') && (
        <button className="ws-add" onClick={() => ws().openAlarmsTab()} data-testid="tab-open-alarms" title="The alarm summary as a tab">
          + Alarms
        </button>
      )}
    </div>
  )
}
