import type { AlarmPriority, AlarmState } from '../../../shared/contract/alarms'

export const PRIORITY_TEXT: Record<AlarmPriority, string> = { critical: 'CRIT', high: 'HIGH', medium: 'MED', low: 'LOW' }
export const STATE_TEXT: Record<AlarmState, string> = {
  normal: 'Normal',
  unack: 'Unacknowledged',
  ack: 'Acknowledged',
  rtn_unack: 'Cleared, unacknowledged',
  shelved: 'Shelved',
  suppressed: 'Suppressed',
  out_of_service: 'Out of service',
}

/** A priority as a shape, a word and a colour (colour-blind operators read the shape and the word). */
export function PriorityMark({ priority, unack = true }: { priority: AlarmPriority; unack?: boolean }) {
  const p = { className: `pmark p-${priority}${unack ? ' unack' : ''}`, viewBox: '0 0 16 16', 'aria-hidden': true as const, focusable: false as const }
  return (
    <span className={`priority p-${priority}${unack ? ' unack' : ''}`} title={`${priority} priority${unack ? ', unacknowledged' : ''}`}>
      <svg {...p}>
        {priority === 'critical' && <path d="M8 1l7 7-7 7-7-7z" />}
        {priority === 'high' && <path d="M8 1.5l7 13H1z" />}
        {priority === 'medium' && <rect x="2" y="2" width="12" height="12" />}
        {priority === 'low' && <circle cx="8" cy="8" r="6" />}
      </svg>
      <span className="ptext">{PRIORITY_TEXT[priority]}</span>
    </span>
  )
}

/** A `priority:unack` mark from the alarm store's selectors (a string, so rows re-render only when it changes). */
export function AlarmMark({ mark }: { mark: string }) {
  const [priority, unack] = mark.split(':') as [AlarmPriority, string]
  return (
    <span className="alarm-mark" data-testid="alarm-mark" data-priority={priority}>
      <PriorityMark priority={priority} unack={unack === 'true'} />
    </span>
  )
}
