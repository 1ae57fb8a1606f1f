import { memo } from 'react'
import type { ConnectionState } from '../../../shared/model'
import { HealthIcon } from '../../components/Icons'
import { uiDriverOf } from '../../drivers'
import { useConnectionsStore } from '../../stores/connections-store'
import { formatCount, formatTimestamp } from '../../lib/format'
import { useSystemStore } from '../../stores/system-store'
import { useUiStore } from '../../stores/ui-store'
import { waitsForCertificate } from '../engineering/certificates'
import { DiagnosticsButton } from './DiagnosticsButton'
import { SinkChip, StoreChip } from './SyncChips'
import { SyncPanel } from './SyncPanel'
import { actingPrincipal, useAuthStore } from '../../stores/auth-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import './status-bar.css'

const SYNC_TEXT = { idle: '', loading: 'loading workspace…', saving: 'saving…', saved: 'workspace saved', error: 'workspace not saved' } as const

/** Who is at the console (or the kiosk), and where the workspace is kept: saved per user on the server, or in this browser. */
function UserChip() {
  // the kiosk's principal is made afresh on every read: select the status, derive from it
  const status = useAuthStore((s) => s.status)
  const sync = useWorkspaceStore((s) => s.sync)
  const who = actingPrincipal(status)
  if (!who) return null
  const kiosk = who.kind === 'kiosk'
  const text = kiosk ? 'workspace in this browser' : sync.state === 'error' && sync.error?.code === 'workspace.invalid' ? 'saved workspace unreadable: started fresh' : SYNC_TEXT[sync.state]
  const tip = kiosk
    ? 'The read-only kiosk: tabs and trends are kept in this browser. Sign in to keep them per user on the server.'
    : `${who.user} (${who.roles.join(', ')}): tabs, trends and theme are kept per user on the server${sync.savedAt ? `, last saved ${formatTimestamp(sync.savedAt)}` : ''}${sync.error ? `\n[${sync.error.code}] ${sync.error.message}` : ''}`
  return (
    <span className={`user-chip${sync.state === 'error' ? ' is-error' : ''}`} data-testid="status-user" data-user={who.user} data-workspace={kiosk ? 'browser' : sync.state} title={tip}>
      <strong>{kiosk ? 'Kiosk' : who.user}</strong>
      {text && <span className="ws-state"> · {text}</span>}
      {sync.error && !kiosk && <code> [{sync.error.code}]</code>}
    </span>
  )
}

const HEALTH_TEXT = { connected: 'Connected', connecting: 'Connecting', degraded: 'Degraded', error: 'Error', stopped: 'Stopped' } as const

const ConnectionChip = memo(function ConnectionChip({ c }: { c: ConnectionState }) {
  const tip = [
    `${c.name} (${uiDriverOf(c.kind)?.label ?? c.kind}) — ${c.target}`,
    `${HEALTH_TEXT[c.health]} since ${formatTimestamp(c.since)}`,
    c.reason ? `Reason: ${c.reason}` : undefined,
    c.detail,
    `Samples since start: ${c.samples.toLocaleString('en-US')} received, ${c.stored.toLocaleString('en-US')} stored, ${c.rejected.toLocaleString('en-US')} rejected, ${c.duplicates.toLocaleString('en-US')} duplicates`,
  ]
    .filter(Boolean)
    .join('\n')
  return (
    <li
      className={`chip h-${c.health}`}
      data-testid={`connection-${c.id}`}
      data-health={c.health}
      title={tip}
      tabIndex={0}
      aria-label={`${c.name}: ${HEALTH_TEXT[c.health]}${c.reason ? `, ${c.reason}` : ''}`}
    >
      <HealthIcon health={c.health} />
      <span className="name">{c.name}</span>
      <span className="health">{HEALTH_TEXT[c.health]}</span>
      {c.health !== 'connected' && c.reason && <span className="reason">{c.reason}</span>}
      {waitsForCertificate(c) && (
        <button className="cert-link" data-testid={`connection-certificate-${c.id}`} onClick={() => useUiStore.getState().openEngineering('certificates')}>
          Review certificate
        </button>
      )}
      <span className="counters tabular" data-testid={`connection-counters-${c.id}`}>
        {formatCount(c.samples)} in · {formatCount(c.stored)} stored
        {c.rejected > 0 ? <span className="rejected"> · {formatCount(c.rejected)} rejected</span> : ' · 0 rejected'}
        {c.duplicates > 0 && <span className="dups"> · {formatCount(c.duplicates)} dup</span>}
      </span>
    </li>
  )
})

/** One chip per data connection: calm when connected; shape, colour and the reason when not. */
export function StatusBar() {
  const list = useConnectionsStore((s) => s.list)
  const error = useConnectionsStore((s) => s.error)
  const loaded = useConnectionsStore((s) => s.loaded)
  const via = useSystemStore((s) => s.via)
  const linkUp = useSystemStore((s) => s.link.state === 'open')
  const store = useSystemStore((s) => s.store)
  const sync = useSystemStore((s) => s.sync)
  return (
    <footer className="status-bar" data-testid="status-bar" aria-label="Connections">
      <span className={`link ${linkUp ? '' : 'down'}`} title={via === 'ipc' ? 'Desktop: in-process core' : 'Browser: WebSocket to the Plantdeck server'}>
        {via === 'ipc' ? 'Desktop' : 'Server'}: {linkUp ? 'online' : 'OFFLINE'}
      </span>
      {store?.state === 'full' && (
        <span
          className="chip h-error store-full"
          role="alert"
          data-testid="store-full"
          title={`Since ${formatTimestamp(store.since)}: ${store.reason ?? 'no room on disk'}\nNew samples are not stored (QoS 1 MQTT messages stay unacknowledged); trends still show what is stored. Writing resumes by itself once there is room.`}
        >
          Store full — writing paused
        </span>
      )}
      {error && (
        <span className="chip h-error" role="alert">
          Connections unavailable [{error.code}] {error.message}
        </span>
      )}
      {!error && list.length === 0 && <span className="none">{loaded ? 'No data connections configured' : 'Connections not known yet'}</span>}
      <ul className={`chips${linkUp ? '' : ' last-known'}`} title={linkUp ? undefined : 'Last known state: no link to the server'}>
        {list.map((c) => (
          <ConnectionChip key={c.id} c={c} />
        ))}
      </ul>
      {sync && <StoreChip sync={sync} />}
      {sync?.sinks.map((s) => (
        <SinkChip key={s.id} s={s} />
      ))}
      {sync && <SyncPanel sync={sync} />}
      <DiagnosticsButton />
      <UserChip />
    </footer>
  )
}
