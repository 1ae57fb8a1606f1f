import { useState } from 'react'
import type { SinkStatus, SyncStatus } from '../../../shared/contract'
import { formatCount, formatTimestamp } from '../../lib/format'
import { formatBytes } from './SyncChips'
import { LastError } from '../../components/LastError'

const STATE_TEXT: Record<SinkStatus['state'], string> = {
  starting: 'Starting',
  live: 'Live',
  draining: 'Draining backlog',
  backoff: 'Retrying',
  error: 'Error',
  stopped: 'Stopped',
}

/**
 * The sync panel: every sink's state, endpoint in use, backlog (samples, bytes, oldest), drain rate, what it
 * delivered and refused, its last error and next attempt; and the local store against its budget. The chips say
 * the same in brief; this is where an engineer reads it whole (`sync.status`, pushed about once a second).
 */
export function SyncPanel({ sync }: { sync: SyncStatus }) {
  const [open, setOpen] = useState(false)
  if (sync.sinks.length === 0) return null
  const failing = sync.sinks.some((s) => s.state === 'error' || s.state === 'backoff')
  const { diskBytes, diskBudgetBytes, oldestTs, undeliveredDropped } = sync.store
  return (
    <div className="sync-details">
      <button className={`diag-toggle${failing ? ' has-rejected' : ''}`} data-testid="sync-panel-toggle" aria-expanded={open} onClick={() => setOpen(!open)} title="Sync to the shared backend: each sink in full">
        Sync details
      </button>
      {open && (
        <section className="diag-panel sync-panel" data-testid="sync-panel" aria-label="Sync to the shared backend">
          <h3>Sync to the shared backend</h3>
          <p className="sync-store tabular" data-testid="sync-panel-store">
            Local store: {diskBytes === null ? 'size unknown' : formatBytes(diskBytes)}
            {diskBudgetBytes !== null ? ` of ${formatBytes(diskBudgetBytes)} budget` : ', no disk budget'}
            {oldestTs !== null && <> · oldest sample {formatTimestamp(oldestTs)}</>}
            {undeliveredDropped > 0 && <span className="bad"> · {undeliveredDropped.toLocaleString('en-US')} samples deleted by the budget before every sink had them</span>}
          </p>
          <table className="tabular">
            <thead>
              <tr>
                <th>Sink</th>
                <th>State</th>
                <th>Endpoint in use</th>
                <th>Backlog</th>
                <th>Rate</th>
                <th>Delivered · refused · failed writes</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {sync.sinks.map((s) => (
                <tr key={s.id} data-testid={`sync-row-${s.id}`} data-state={s.state} className={s.state === 'error' ? 'bad' : s.state === 'backoff' ? 'warn' : undefined}>
                  <td>
                    <strong>{s.id}</strong> <span className="muted">{s.kind}</span>
                  </td>
                  <td>
                    {STATE_TEXT[s.state]}
                    {s.nextAttemptAt !== null && <div className="muted">next try {formatTimestamp(s.nextAttemptAt)}</div>}
                  </td>
                  <td className="endpoint" title={s.endpoint ?? ''}>
                    {s.endpoint ?? '—'}
                  </td>
                  <td data-testid={`sync-row-backlog-${s.id}`}>
                    {s.backlog.samples === 0 ? (
                      'none'
                    ) : (
                      <>
                        {s.backlog.samples.toLocaleString('en-US')} samples · {formatBytes(s.backlog.bytes)}
                        {s.backlog.oldestTs !== null && <div className="muted">since {formatTimestamp(s.backlog.oldestTs)}</div>}
                      </>
                    )}
                  </td>
                  <td>{formatCount(Math.round(s.drainRate))}/s</td>
                  <td>
                    {s.delivered.toLocaleString('en-US')} · {s.dropped.toLocaleString('en-US')} · {s.failures.toLocaleString('en-US')}
                    {s.lastDeliveredAt !== null && <div className="muted">last {formatTimestamp(s.lastDeliveredAt)}</div>}
                  </td>
                  <td className="last-error" data-testid={`sync-row-error-${s.id}`}>
                    <LastError error={s.lastError} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  )
}
