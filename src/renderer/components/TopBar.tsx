import { useEffect, useState } from 'react'
import { formatClock } from '../lib/format'
import { serverNow, useSystemStore } from '../stores/system-store'
import { useUiStore } from '../stores/ui-store'
import './top-bar.css'
import { UserMenu } from '../features/auth/UserMenu'
import { needs, useMay } from '../stores/auth-store'

const HOST_LABEL = { desktop: 'Desktop', headless: 'Server', test: 'Test host' } as const

function Clock() {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
  }, [])
  const d = new Date(now)
  const date = d.toLocaleDateString(undefined, { weekday: 'short', day: '2-digit', month: 'short', year: 'numeric' })
  const skew = Math.round((serverNow() - now) / 1000)
  return (
    <div className="clock tabular" title={skew ? `Local clock; the server clock is ${skew > 0 ? '+' : ''}${skew} s off` : 'Local time'}>
      <span className="date">{date}</span> <time dateTime={d.toISOString()}>{formatClock(now)}</time>
    </div>
  )
}

const VIEWS = [
  { id: 'operator', label: 'Operator', hint: 'Assets, faceplates and trends' },
  { id: 'alarms', label: 'Alarms', hint: 'Alarm summary and journal' },
  { id: 'engineering', label: 'Engineering', hint: 'Certificates, OPC UA and MQTT browsers, mappings' },
] as const

/** Operator | Engineering: a tab list, ← → move between the tabs (WAI-ARIA tabs, automatic activation). */
function ViewTabs() {
  const view = useUiStore((s) => s.view)
  const setView = useUiStore((s) => s.setView)
  const mayEngineer = useMay('engineer')
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return
    e.preventDefault()
    const next = VIEWS[(VIEWS.findIndex((v) => v.id === view) + 1) % VIEWS.length]!.id
    setView(next)
    document.querySelector<HTMLElement>(`[data-testid="view-${next}"]`)?.focus()
  }
  return (
    <div className="view-tabs" role="tablist" aria-label="View" onKeyDown={onKeyDown}>
      {VIEWS.map((v) => (
        <button
          key={v.id}
          role="tab"
          aria-selected={view === v.id}
          tabIndex={view === v.id ? 0 : -1}
          className={view === v.id ? 'active' : ''}
          data-testid={`view-${v.id}`}
          title={v.id === 'engineering' && !mayEngineer ? needs('engineer') : v.hint}
          disabled={v.id === 'engineering' && !mayEngineer}
          onClick={() => setView(v.id)}
        >
          {v.label}
        </button>
      ))}
    </div>
  )
}

export function TopBar() {
  const info = useSystemStore((s) => s.info)
  const infoError = useSystemStore((s) => s.infoError)
  const theme = useUiStore((s) => s.theme)
  const toggleTheme = useUiStore((s) => s.toggleTheme)
  return (
    <header className="top-bar">
      <span className="brand">Plantdeck</span>
      <ViewTabs />
      {info && (
        <span className="host" title={`Started ${new Date(info.startedAt).toLocaleString()}`}>
          {HOST_LABEL[info.host]} · v{info.version}
        </span>
      )}
      {infoError && <span className="host">host unknown [{infoError.code}]</span>}
      {info?.demo && (
        <span className="sim-badge" title="Values come from the built-in simulated plant, not from real equipment">
          SIMULATED PLANT
        </span>
      )}
      <span className="spacer" />
      <button className="theme-toggle" onClick={toggleTheme} title="Switch between dark (night) and light (day) theme">
        {theme === 'dark' ? 'Light theme' : 'Dark theme'}
      </button>
      <UserMenu />
      <Clock />
    </header>
  )
}
