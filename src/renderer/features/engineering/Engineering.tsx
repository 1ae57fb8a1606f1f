import type { ConnectionState } from '../../../shared/model'
import { HealthIcon } from '../../components/Icons'
import { useConnectionsStore } from '../../stores/connections-store'
import { useUiStore, type EngSection } from '../../stores/ui-store'
import { AssetModelPanel } from './assets/AssetModelPanel'
import { CertificatesPanel } from './CertificatesPanel'
import { waitsForCertificate } from './certificates'
import { uiDriverOf } from '../../drivers'
import { AuditView } from '../audit/AuditView'
import './engineering.css'

const HEALTH_TEXT = { connected: 'connected', connecting: 'connecting', degraded: 'degraded', error: 'error', stopped: 'stopped' } as const

function NavItem({ section, current, children, hint }: { section: EngSection; current: EngSection; children: React.ReactNode; hint?: string }) {
  const on = section === current
  return (
    <li>
      <button
        className={`eng-nav-item${on ? ' active' : ''}`}
        aria-current={on ? 'page' : undefined}
        data-testid={`eng-nav-${section}`}
        title={hint}
        onClick={() => useUiStore.setState({ engSection: section })}
      >
        {children}
      </button>
    </li>
  )
}

function ConnectionItem({ c, current }: { c: ConnectionState; current: EngSection }) {
  const section: EngSection = `${c.kind}:${c.id}`
  return (
    <NavItem section={section} current={current} hint={`${c.target}${c.reason ? `\n${c.reason}` : ''}`}>
      <span className={`h-${c.health}`}>
        <HealthIcon health={c.health} />
      </span>
      <span className="eng-nav-name">{c.name}</span>
      <span className="eng-nav-sub">
        {uiDriverOf(c.kind)?.browserLabel ?? c.kind} · {HEALTH_TEXT[c.health]}
        {waitsForCertificate(c) ? ' · certificate!' : ''}
      </span>
    </NavItem>
  )
}

/** The field engineer's workspace: certificates, the asset model and one browser per connection, beside a short navigation. */
export function Engineering() {
  const section = useUiStore((s) => s.engSection)
  const list = useConnectionsStore((s) => s.list)
  const waiting = list.filter(waitsForCertificate)
  const [kind, id] = section === 'certificates' || section === 'assets' || section === 'audit' ? [section, ''] : [section.slice(0, section.indexOf(':')), section.slice(section.indexOf(':') + 1)]
  const conn = list.find((c) => c.id === id && c.kind === kind)
  const Browser = uiDriverOf(conn?.kind)?.Browser
  return (
    <main className="engineering" data-testid="engineering">
      <nav className="panel eng-nav" aria-label="Engineering">
        <div className="panel-head">
          <h2>Engineering</h2>
        </div>
        <ul className="panel-body">
          <NavItem section="certificates" current={section} hint="Trust or reject OPC UA server certificates">
            <span className="eng-nav-name">Certificates</span>
            <span className="eng-nav-sub">{waiting.length ? `${waiting.length} connection(s) waiting` : 'OPC UA trust list'}</span>
          </NavItem>
          <NavItem section="assets" current={section} hint="Equipment, templates, import and export">
            <span className="eng-nav-name">Asset model</span>
            <span className="eng-nav-sub">equipment and templates</span>
          </NavItem>
          <NavItem section="audit" current={section} hint="Who did what, from where, with which result; export and chain check">
            <span className="eng-nav-name">Audit trail</span>
            <span className="eng-nav-sub">who did what · verify</span>
          </NavItem>
          <li className="eng-nav-group">Connections</li>
          {list.map((c) => (
            <ConnectionItem key={c.id} c={c} current={section} />
          ))}
          {list.length === 0 && <li className="eng-nav-group">none configured</li>}
        </ul>
      </nav>
      <div className="eng-main">
        {kind === 'certificates' && <CertificatesPanel />}
        {conn && Browser && <Browser key={conn.id} connection={conn} />}
        {kind === 'assets' && <AssetModelPanel />}
        {kind === 'audit' && <AuditView />}
        {kind !== 'certificates' && kind !== 'assets' && kind !== 'audit' && !conn && (
          <div className="panel">
            <div className="empty">
              <strong>Connection “{id}” is not configured</strong>
              Pick a connection on the left.
            </div>
          </div>
        )}
      </div>
    </main>
  )
}
