import { useEffect, useState } from 'react'
import { formatCount } from '../../lib/format'
import { refreshDiagnostics, totalRejected, useDiagnosticsStore } from '../../stores/diagnostics-store'

const MB = 1024 * 1024

/**
 * The API's own counters for an engineer: sessions, calls in progress, rejected messages by code, server memory.
 * The status bar shows the total rejected; the panel lists each code (a flood or a broken client shows up here,
 * the log only samples it).
 */
export function DiagnosticsButton() {
  const diag = useDiagnosticsStore((s) => s.diag)
  const error = useDiagnosticsStore((s) => s.error)
  const [open, setOpen] = useState(false)
  useEffect(() => {
    if (!open) return
    void refreshDiagnostics()
    const t = setInterval(() => void refreshDiagnostics(), 2000)
    return () => clearInterval(t)
  }, [open])
  const rejected = totalRejected(diag)
  const refused = diag?.http?.refused
  const refusedTotal = refused ? refused.host + refused.origin + refused.token + refused.path : 0
  const codes = Object.entries(diag?.rpc.rejected ?? {}).sort((a, b) => b[1] - a[1])
  return (
    <div className="diagnostics">
      <button
        className={`diag-toggle${rejected + refusedTotal > 0 ? ' has-rejected' : ''}`}
        data-testid="rpc-diagnostics"
        aria-expanded={open}
        title="API diagnostics: sessions, calls in progress, rejected messages by code, requests the server refused"
        onClick={() => setOpen(!open)}
      >
        API · {diag ? `${formatCount(rejected)} rejected` : 'no diagnostics'}
        {refusedTotal > 0 && <span data-testid="http-refused"> · {formatCount(refusedTotal)} refused</span>}
      </button>
      {open && (
        <section className="diag-panel" data-testid="diagnostics-panel" aria-label="API diagnostics">
          <h3>API diagnostics</h3>
          {error && <p className="diag-error">Diagnostics unavailable [{error.code}] {error.message}</p>}
          {diag && (
            <>
              <dl className="tabular">
                <dt>Sessions</dt>
                <dd data-testid="diag-sessions">{diag.rpc.sessions}</dd>
                <dt>Calls in progress</dt>
                <dd>
                  {diag.rpc.inFlight} (at most {diag.rpc.maxInFlightPerSession} per session)
                </dd>
                <dt>Answered busy</dt>
                <dd>{diag.rpc.busy.toLocaleString('en-US')}</dd>
                {refused && (
                  <>
                    <dt>Requests refused</dt>
                    <dd data-testid="diag-refused">
                      {refused.host} wrong host name (DNS rebinding?), {refused.origin} another site's page, {refused.token} no or wrong token,{' '}
                      {refused.path} unknown path
                    </dd>
                  </>
                )}
                {diag.memory && (
                  <>
                    <dt>Server heap</dt>
                    <dd>
                      {(diag.memory.heapUsed / MB).toFixed(0)} MB used, {(diag.memory.rss / MB).toFixed(0)} MB resident
                    </dd>
                  </>
                )}
                {diag.log && (
                  <>
                    <dt>Log file</dt>
                    <dd data-testid="diag-log">
                      {diag.log.written.toLocaleString('en-US')} lines written, {diag.log.dropped.toLocaleString('en-US')} dropped
                      {diag.log.lastError ? `; last error ${diag.log.lastError}` : ''}
                      {diag.log.failing ? ' (failing now)' : ''}
                    </dd>
                  </>
                )}
                {diag.store && (
                  <>
                    <dt>Store</dt>
                    <dd data-testid="diag-store">
                      {diag.store.state === 'full' ? 'full — writing paused' : 'ok'}
                      {diag.store.diskBytes !== null ? `, ${(diag.store.diskBytes / MB).toFixed(1)} MB on disk` : ''}
                    </dd>
                  </>
                )}
              </dl>
              <table className="tabular">
                <thead>
                  <tr>
                    <th>Rejected: code</th>
                    <th>Count</th>
                  </tr>
                </thead>
                <tbody>
                  {codes.length === 0 && (
                    <tr>
                      <td colSpan={2}>none since the server started</td>
                    </tr>
                  )}
                  {codes.map(([code, n]) => (
                    <tr key={code} data-testid={`diag-rejected-${code}`}>
                      <td>{code}</td>
                      <td>{n.toLocaleString('en-US')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      )}
    </div>
  )
}
