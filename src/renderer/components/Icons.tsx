import type { AssetKind, ConnectionHealth } from '../../shared/model'
import type { Condition } from '../lib/condition'

/** Shapes differ per state so colour never carries meaning alone: check, triangle, dashed ring, clock, diamond. */
export function ConditionIcon({ condition }: { condition: Condition }) {
  return (
    <svg className={`icon c-${condition}`} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {condition === 'good' && <path d="M3.5 8.5l3 3 6-7" fill="none" stroke="currentColor" strokeWidth="1.8" />}
      {condition === 'uncertain' && (
        <>
          <path d="M8 1.5l7 13H1z" fill="currentColor" />
          <path d="M8 6v4.2M8 11.6v1.2" stroke="var(--bg)" strokeWidth="1.6" />
        </>
      )}
      {condition === 'nodata' && <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeDasharray="2.4 2" />}
      {condition === 'stale' && (
        <>
          <circle cx="8" cy="8" r="6.5" fill="currentColor" />
          <path d="M8 4v4.3l2.8 1.8" fill="none" stroke="var(--bg)" strokeWidth="1.6" />
        </>
      )}
      {condition === 'bad' && (
        <>
          <path d="M8 0.8l7.2 7.2L8 15.2 0.8 8z" fill="currentColor" />
          <path d="M5.6 5.6l4.8 4.8M10.4 5.6l-4.8 4.8" stroke="var(--bg)" strokeWidth="1.7" />
        </>
      )}
    </svg>
  )
}

const HEALTH_CONDITION: Record<ConnectionHealth, Condition | 'stopped' | 'connecting'> = {
  connected: 'good',
  connecting: 'connecting',
  degraded: 'uncertain',
  error: 'bad',
  stopped: 'stopped',
}

export function HealthIcon({ health }: { health: ConnectionHealth }) {
  const c = HEALTH_CONDITION[health]
  if (c === 'stopped') {
    return (
      <svg className="icon c-nodata" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <rect x="3" y="3" width="10" height="10" fill="currentColor" />
      </svg>
    )
  }
  if (c === 'connecting') {
    return (
      <svg className="icon c-uncertain" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <path d="M8 2a6 6 0 0 1 0 12z" fill="currentColor" />
      </svg>
    )
  }
  return <ConditionIcon condition={c} />
}

/** A small, calm pictogram per asset kind (loosely after P&ID symbols). */
export function KindGlyph({ kind }: { kind: AssetKind | string }) {
  const p = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.3 }
  return (
    <svg className="icon kind" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {kind === 'site' && <path {...p} d="M1.5 14.5V7l4 2.5V7l4 2.5V3h4v11.5z" />}
      {kind === 'area' && <path {...p} d="M2 2h5v5H2zM9 2h5v5H9zM2 9h5v5H2zM9 9h5v5H9z" />}
      {kind === 'line' && <path {...p} d="M1 8h12M10 5l3 3-3 3M1 4h5M1 12h5" />}
      {kind === 'tank' && <path {...p} d="M3 4c0-2 10-2 10 0v8c0 2-10 2-10 0zM3 4c0 2 10 2 10 0" />}
      {kind === 'pump' && (
        <>
          <circle {...p} cx="7" cy="9" r="5" />
          <path {...p} d="M7 4h7.5M4 13.5l-1.5 2h9l-1.5-2" />
        </>
      )}
      {kind === 'valve' && <path {...p} d="M1.5 4.5v7L8 8zM14.5 4.5v7L8 8zM8 8V3M5.5 3h5" />}
      {kind === 'meter' && (
        <>
          <circle {...p} cx="8" cy="8" r="6.3" />
          <path {...p} d="M8 8l3-3" />
        </>
      )}
      {kind === 'sensor' && (
        <>
          <circle cx="5" cy="11" r="2" fill="currentColor" />
          <path {...p} d="M8 8.5a4 4 0 0 0-2.5-2.5M10.5 9a7 7 0 0 0-5-5" />
        </>
      )}
      {kind === 'folder' && <path {...p} d="M1.5 3.5h4.5l1.5 1.5h7v8h-13z" />}
    </svg>
  )
}
