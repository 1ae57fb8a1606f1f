import { useAlarmsStore, headline, PRIORITIES } from '../../stores/alarms-store'
import { useUiStore } from '../../stores/ui-store'
import { formatTimeOfDay } from '../../lib/format'
import { PriorityMark } from './priority'
import './alarms.css'

/** Always visible: the newest unacknowledged alarm of the highest priority, and unacknowledged counts by priority. */
export function AlarmBanner() {
  const byKey = useAlarmsStore((s) => s.byKey)
  const counts = useAlarmsStore((s) => s.counts)
  const silenced = useAlarmsStore((s) => s.silenced)
  const loaded = useAlarmsStore((s) => s.loaded)
  const top = headline(byKey)
  const open = () => useUiStore.getState().setView('alarms')
  const total = PRIORITIES.reduce((n, p) => n + counts.unack[p], 0)
  return (
    <div className={`alarm-banner${top ? ` has p-${top.priority}` : ''}`} role="region" aria-label="Alarms" data-testid="alarm-banner">
      {top ? (
        <button className="ab-top" onClick={open} data-testid="alarm-banner-top" data-key={top.key} title={top.guidance ? `What to do: ${top.guidance}` : 'Open the alarm summary'}>
          <PriorityMark priority={top.priority} />
          <span className="ab-time tabular">{formatTimeOfDay(top.raisedAt ?? top.changedAt)}</span>
          <span className="ab-path">{top.path}</span>
          <span className="ab-msg">{top.message}</span>
        </button>
      ) : (
        <span className="ab-none muted" data-testid="alarm-banner-none">
          {loaded ? 'No unacknowledged alarms' : 'Alarms: waiting for the server…'}
        </span>
      )}
      {top && silenced[top.key] !== top.occurrence && (top.priority === 'critical' || top.priority === 'high') && (
        <button className="ab-silence" onClick={() => useAlarmsStore.getState().silence(top.key, top.occurrence)} title="Silence this alarm's sound (it still needs acknowledging)">
          Silence
        </button>
      )}
      <span className="ab-counts" aria-label={`${total} unacknowledged`}>
        {PRIORITIES.map((p) => (
          <span key={p} className={`ab-count${counts.unack[p] ? ' on' : ''}`} data-testid={`alarm-count-${p}`} data-count={counts.unack[p]}>
            <PriorityMark priority={p} unack={counts.unack[p] > 0} /> <span className="tabular">{counts.unack[p]}</span>
          </span>
        ))}
        <span className="ab-active muted tabular" title="Active alarms, acknowledged or not">
          {counts.active} active
        </span>
      </span>
      <button className="ab-open" onClick={open} data-testid="alarm-banner-open">
        Alarm summary
      </button>
    </div>
  )
}
