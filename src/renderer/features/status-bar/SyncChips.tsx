import type { SinkStatus, SyncStatus } from '../../../shared/contract'
import { formatCount, formatTimestamp } from '../../lib/format'

const STATE_TEXT: Record<SinkStatus['state'], string> = {
  starting: 'starting',
  live: 'live',
  draining: 'draining',
  backoff: 'retrying',
  error: 'error',
  stopped: 'stopped',
}

/** Bytes as KB/MB/GB (powers of 1024, one decimal). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`
}

/** The local store: size against the budget, and the oldest sample it still holds. */
export function StoreChip({ sync }: { sync: SyncStatus }) {
  const { diskBytes, diskBudgetBytes, oldestTs, undeliveredDropped } = sync.store
  if (diskBytes === null) return null
  const near = diskBudgetBytes !== null && diskBytes > 0.9 * diskBudgetBytes
  const tip = [
    `Local store: ${formatBytes(diskBytes)} on disk${diskBudgetBytes !== null ? ` of a ${formatBytes(diskBudgetBytes)} budget (oldest data deleted first beyond it)` : ', no disk budget'}`,
    oldestTs !== null ? `Oldest sample kept: ${formatTimestamp(oldestTs)}` : 'No sample kept yet',
    undeliveredDropped > 0 ? `${undeliveredDropped.toLocaleString('en-US')} samples deleted by the budget before every sync sink had them` : undefined,
  ]
    .filter(Boolean)
    .join('\n')
  return (
    <span className={`chip store-size${near || undeliveredDropped > 0 ? ' h-degraded' : ''}`} data-testid="store-size" title={tip} tabIndex={0}>
      Store {formatBytes(diskBytes)}
      {diskBudgetBytes !== null && <> / {formatBytes(diskBudgetBytes)}</>}
      {oldestTs !== null && <span className="counters tabular"> · since {formatTimestamp(oldestTs)}</span>}
    </span>
  )
}

/** One chip per sync sink: calm when live; the backlog, its age and the drain rate when behind; the error code when failing. */
export function SinkChip({ s }: { s: SinkStatus }) {
  const failing = s.state === 'backoff' || s.state === 'error'
  const health = s.state === 'error' ? 'h-error' : failing || s.state === 'draining' ? 'h-degraded' : 'h-connected'
  const tip = [
    `Sync ${s.id} (${s.kind}) — ${s.endpoint ?? 'no endpoint yet'}`,
    `State: ${STATE_TEXT[s.state]}`,
    `Backlog: ${s.backlog.samples.toLocaleString('en-US')} samples, ${formatBytes(s.backlog.bytes)}${s.backlog.oldestTs !== null ? `, oldest ${formatTimestamp(s.backlog.oldestTs)}` : ''}`,
    `Delivering ${formatCount(Math.round(s.drainRate))} samples/s; ${s.delivered.toLocaleString('en-US')} delivered since start, ${s.dropped.toLocaleString('en-US')} refused by the backend`,
    s.lastError ? `Last error [${s.lastError.code}] ${s.lastError.message} at ${formatTimestamp(s.lastError.at)}` : undefined,
    s.nextAttemptAt !== null ? `Next attempt ${formatTimestamp(s.nextAttemptAt)}` : undefined,
  ]
    .filter(Boolean)
    .join('\n')
  return (
    <span className={`chip sync-sink ${health}`} data-testid={`sync-${s.id}`} data-state={s.state} title={tip} tabIndex={0}>
      <span className="name">Sync {s.id}</span>
      <span className="health">{STATE_TEXT[s.state]}</span>
      {failing && s.lastError && <span className="reason">{s.lastError.code}</span>}
      {s.backlog.samples > 0 && (
        <span className="counters tabular" data-testid={`sync-backlog-${s.id}`}>
          {formatCount(s.backlog.samples)} behind
          {s.backlog.oldestTs !== null && <> since {formatTimestamp(s.backlog.oldestTs)}</>}
          {s.drainRate > 0 && <> · {formatCount(Math.round(s.drainRate))}/s</>}
        </span>
      )}
    </span>
  )
}
