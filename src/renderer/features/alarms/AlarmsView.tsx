import { useEffect, useMemo, useState } from 'react'
import type { Alarm, AlarmPriority, AlarmState, JournalEntry, NotificationRuleStatus } from '../../../shared/contract/alarms'
import type { ErrorShape } from '../../../shared/model'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { ErrorNotice } from '../../components/ErrorNotice'
import { VirtualList } from '../../components/VirtualList'
import { formatTimestamp } from '../../lib/format'
import { byUrgency, isUnack, PRIORITIES, useAlarmsStore } from '../../stores/alarms-store'
import { PriorityMark, STATE_TEXT } from './priority'
import './alarms.css'
import { LastError } from '../../components/LastError'

type Sort = 'urgency' | 'time' | 'path' | 'state'
const SORTS: Record<Sort, (a: Alarm, b: Alarm) => number> = {
  urgency: byUrgency,
  time: (a, b) => (b.raisedAt ?? b.changedAt) - (a.raisedAt ?? a.changedAt),
  path: (a, b) => a.path.localeCompare(b.path) || a.attribute.localeCompare(b.attribute),
  state: (a, b) => a.state.localeCompare(b.state) || byUrgency(a, b),
}
const fmtValue = (a: Alarm) => (a.value === undefined || a.value === null ? '' : `${typeof a.value === 'number' ? a.value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(a.value)}${a.unit ? ` ${a.unit}` : ''}`)

/** The alarm summary and the journal, as one view. */
export function AlarmsView() {
  const [tab, setTab] = useState<'summary' | 'journal' | 'notifications'>('summary')
  return (
    <main className="alarms-view" data-testid="alarms-view">
      <div className="alarm-tabs tab-strip" role="tablist">
        <button role="tab" aria-selected={tab === 'summary'} className={tab === 'summary' ? 'on' : ''} onClick={() => setTab('summary')} data-testid="alarms-tab-summary">
          Summary
        </button>
        <button role="tab" aria-selected={tab === 'journal'} className={tab === 'journal' ? 'on' : ''} onClick={() => setTab('journal')} data-testid="alarms-tab-journal">
          Journal
        </button>
        <button role="tab" aria-selected={tab === 'notifications'} className={tab === 'notifications' ? 'on' : ''} onClick={() => setTab('notifications')} data-testid="alarms-tab-notifications">
          Notifications
        </button>
      </div>
      {tab === 'summary' ? <Summary /> : tab === 'journal' ? <Journal /> : <Notifications />}
    </main>
  )
}

type Action = { kind: 'ack' } | { kind: 'shelve' } | { kind: 'service'; inService: boolean }

function Summary() {
  const byKey = useAlarmsStore((s) => s.byKey)
  const error = useAlarmsStore((s) => s.error)
  const [sort, setSort] = useState<Sort>('urgency')
  const [prio, setPrio] = useState<Record<AlarmPriority, boolean>>({ critical: true, high: true, medium: true, low: true })
  const [only, setOnly] = useState<'all' | 'unack' | 'active' | 'shelved'>('all')
  const [text, setText] = useState('')
  const [picked, setPicked] = useState<Record<string, boolean>>({})
  const [action, setAction] = useState<Action>()
  const [result, setResult] = useState<string>()
  const rows = useMemo(() => {
    const t = text.trim().toLowerCase()
    return Object.values(byKey)
      .filter((a) => prio[a.priority])
      .filter((a) => (only === 'unack' ? isUnack(a) : only === 'active' ? a.active : only === 'shelved' ? a.state === 'shelved' || a.state === 'suppressed' || a.state === 'out_of_service' : true))
      .filter((a) => !t || `${a.path} ${a.attribute} ${a.message}`.toLowerCase().includes(t))
      .sort(SORTS[sort])
  }, [byKey, prio, only, text, sort])
  const chosen = rows.filter((a) => picked[a.key])
  const all = rows.length > 0 && chosen.length === rows.length
  return (
    <section className="panel alarm-summary" aria-label="Alarm summary">
      <div className="panel-head alarm-tools">
        <h2>Alarm summary</h2>
        <span className="sub tabular" data-testid="alarm-summary-count" data-count={rows.length}>
          {rows.length} shown
        </span>
        <span className="spacer" />
        {PRIORITIES.map((p) => (
          <label key={p} className="prio-filter">
            <input type="checkbox" checked={prio[p]} onChange={(e) => setPrio({ ...prio, [p]: e.target.checked })} /> <PriorityMark priority={p} />
          </label>
        ))}
        <select value={only} onChange={(e) => setOnly(e.target.value as typeof only)} aria-label="Which alarms">
          <option value="all">All not normal</option>
          <option value="unack">Unacknowledged</option>
          <option value="active">Active</option>
          <option value="shelved">Shelved, suppressed, out of service</option>
        </select>
        <input type="search" placeholder="Filter asset, attribute, message" value={text} onChange={(e) => setText(e.target.value)} aria-label="Filter alarms" />
      </div>
      <div className="alarm-actions">
        <button className="primary" disabled={!chosen.some(isUnack)} onClick={() => setAction({ kind: 'ack' })} data-testid="alarm-ack">
          Acknowledge{chosen.length ? ` (${chosen.filter(isUnack).length})` : ''}…
        </button>
        <button disabled={chosen.length === 0} onClick={() => setAction({ kind: 'shelve' })} data-testid="alarm-shelve">
          Shelve…
        </button>
        <button disabled={!chosen.some((a) => a.state === 'shelved')} onClick={() => void run('unshelve', chosen, setResult)} data-testid="alarm-unshelve">
          Unshelve
        </button>
        <button disabled={chosen.length === 0} onClick={() => setAction({ kind: 'service', inService: false })}>
          Out of service…
        </button>
        <button disabled={!chosen.some((a) => a.state === 'out_of_service')} onClick={() => void run('service', chosen, setResult)}>
          Back in service
        </button>
        {result && (
          <span className="muted" role="status" data-testid="alarm-result">
            {result}
          </span>
        )}
      </div>
      {error && <ErrorNotice title="Alarms could not be loaded" error={error} />}
      <div className="alarm-grid-head" role="row">
        <span>
          <input type="checkbox" aria-label="Select all shown" checked={all} onChange={(e) => setPicked(e.target.checked ? Object.fromEntries(rows.map((a) => [a.key, true])) : {})} />
        </span>
        <SortHead sort={sort} setSort={setSort} id="urgency" label="Priority" />
        <SortHead sort={sort} setSort={setSort} id="time" label="Raised" />
        <SortHead sort={sort} setSort={setSort} id="path" label="Asset · attribute" />
        <span>Message</span>
        <span className="num">Value</span>
        <SortHead sort={sort} setSort={setSort} id="state" label="State" />
      </div>
      {rows.length === 0 ? (
        <div className="empty" data-testid="alarm-summary-empty">
          No alarms match.
        </div>
      ) : (
        <VirtualList
          items={rows}
          rowRem={2}
          itemKey={(a) => a.key}
          className="alarm-grid"
          testid="alarm-summary"
          render={(a) => (
            <div className={`alarm-row s-${a.state}${isUnack(a) ? ' unack' : ''}${picked[a.key] ? ' picked' : ''}`} data-testid={`alarm-row-${a.key}`} data-state={a.state} role="row" onClick={() => setPicked({ ...picked, [a.key]: !picked[a.key] })}>
              <span>
                <input type="checkbox" checked={!!picked[a.key]} aria-label={`Select ${a.path} ${a.attribute}`} onChange={() => setPicked({ ...picked, [a.key]: !picked[a.key] })} onClick={(e) => e.stopPropagation()} />
              </span>
              <span>
                <PriorityMark priority={a.priority} unack={isUnack(a)} />
              </span>
              <span className="tabular">{a.raisedAt ? formatTimestamp(a.raisedAt) : '—'}</span>
              <span className="a-path" title={`${a.path} · ${a.attribute}`}>
                {a.path} · {a.attribute}
              </span>
              <span className="a-msg" title={a.guidance ? `What to do: ${a.guidance}` : a.message}>
                {a.message}
                {a.guidance ? <span className="a-guide"> · {a.guidance}</span> : null}
              </span>
              <span className="num tabular">{fmtValue(a)}</span>
              <span className="a-state" title={a.shelvedUntil ? `Until ${formatTimestamp(a.shelvedUntil)}${a.shelveReason ? ` · ${a.shelveReason}` : ''}` : undefined}>
                {STATE_TEXT[a.state]}
                {a.active ? '' : a.state === 'rtn_unack' ? '' : ' · cleared'}
              </span>
            </div>
          )}
        />
      )}
      {action && <ActionDialog action={action} alarms={chosen} onClose={() => setAction(undefined)} onDone={(text) => (setResult(text), setPicked({}))} />}
    </section>
  )
}

function SortHead({ sort, setSort, id, label }: { sort: Sort; setSort(s: Sort): void; id: Sort; label: string }) {
  return (
    <button className={`sort${sort === id ? ' on' : ''}`} onClick={() => setSort(id)} aria-pressed={sort === id}>
      {label}
      {sort === id ? ' ▾' : ''}
    </button>
  )
}

/** Unshelve, or back in service: no question to ask first. */
async function run(method: 'unshelve' | 'service', list: Alarm[], done: (text: string) => void): Promise<void> {
  const keys = list.map((a) => a.key)
  try {
    const r = method === 'unshelve' ? await getApi().rpc.call('alarms.unshelve', { keys }) : await getApi().rpc.call('alarms.service', { keys, inService: true })
    done(`${r.done.length} done${r.refused.length ? ` · ${r.refused.length} refused: ${r.refused.slice(0, 3).map((x) => `[${x.code}] ${x.reason}`).join('; ')}` : ''}`)
  } catch (e) {
    const err = toErrorShape(e)
    done(`Refused [${err.code}]: ${err.message}`)
  }
}

/** Acknowledge (with a note, required where the definition says so), shelve (reason and time) or take out of service. */
function ActionDialog({ action, alarms, onClose, onDone }: { action: Action; alarms: Alarm[]; onClose(): void; onDone(text: string): void }) {
  const [note, setNote] = useState('')
  const [minutes, setMinutes] = useState(60)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorShape>()
  const targets = action.kind === 'ack' ? alarms.filter(isUnack) : alarms
  const noteRequired = action.kind === 'ack' ? targets.some((a) => a.ackNote) : true
  const title = action.kind === 'ack' ? `Acknowledge ${targets.length} alarm(s)` : action.kind === 'shelve' ? `Shelve ${targets.length} alarm(s)` : `Take ${targets.length} alarm(s) out of service`
  const ok = async () => {
    setBusy(true)
    setError(undefined)
    try {
      const keys = targets.map((a) => a.key)
      const r =
        action.kind === 'ack'
          ? await getApi().rpc.call('alarms.ack', { keys, ...(note.trim() ? { note: note.trim() } : {}) })
          : action.kind === 'shelve'
            ? await getApi().rpc.call('alarms.shelve', { keys, reason: note.trim(), minutes })
            : await getApi().rpc.call('alarms.service', { keys, inService: false, ...(note.trim() ? { reason: note.trim() } : {}) })
      onDone(`${title}: ${r.done.length} done${r.refused.length ? ` · ${r.refused.length} refused: ${r.refused.slice(0, 3).map((x) => `[${x.code}] ${x.reason}`).join('; ')}` : ''}`)
      onClose()
    } catch (e) {
      setError(toErrorShape(e))
      setBusy(false)
    }
  }
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} data-testid="alarm-dialog">
        <h3>{title}</h3>
        <ul className="alarm-targets">
          {targets.slice(0, 8).map((a) => (
            <li key={a.key}>
              <PriorityMark priority={a.priority} /> {a.path} · {a.attribute} — {a.message}
            </li>
          ))}
          {targets.length > 8 && <li className="muted">… and {targets.length - 8} more</li>}
        </ul>
        <div className="model-form">
          <label htmlFor="alarm-note">{action.kind === 'ack' ? `Note${noteRequired ? ' (required)' : ''}` : 'Reason (required)'}</label>
          <input id="alarm-note" value={note} onChange={(e) => setNote(e.target.value)} data-testid="alarm-note" />
          {action.kind === 'shelve' && (
            <>
              <label htmlFor="alarm-minutes">For (minutes)</label>
              <input id="alarm-minutes" type="number" min={1} max={1440} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} data-testid="alarm-minutes" />
            </>
          )}
        </div>
        {error && <ErrorNotice title="Refused" error={error} />}
        <div className="modal-actions">
          <button onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button className="primary" onClick={() => void ok()} disabled={busy || (noteRequired && !note.trim())} data-testid="alarm-dialog-ok">
            {busy ? 'Working…' : action.kind === 'ack' ? 'Acknowledge' : action.kind === 'shelve' ? 'Shelve' : 'Out of service'}
          </button>
        </div>
      </div>
    </div>
  )
}

const EVENT_TEXT: Record<JournalEntry['event'], string> = {
  raise: 'Raised',
  clear: 'Cleared',
  ack: 'Acknowledged',
  shelve: 'Shelved',
  unshelve: 'Unshelved',
  expire: 'Shelve expired',
  suppress: 'Suppressed',
  unsuppress: 'Unsuppressed',
  out_of_service: 'Out of service',
  in_service: 'In service',
}

/** The journal, newest first: filters, pages of 200, CSV of what the filters select. */
function Journal() {
  const [filters, setFilters] = useState<{ text: string; who: string; priority: AlarmPriority | ''; state: AlarmState | ''; from: string; to: string }>({ text: '', who: '', priority: '', state: '', from: '', to: '' })
  const [items, setItems] = useState<JournalEntry[]>()
  const [next, setNext] = useState<number | null>(null)
  const [error, setError] = useState<ErrorShape>()
  const query = () => ({
    ...(filters.text.trim() ? { text: filters.text.trim() } : {}),
    ...(filters.who.trim() ? { who: filters.who.trim() } : {}),
    ...(filters.priority ? { priority: [filters.priority] } : {}),
    ...(filters.state ? { state: [filters.state] } : {}),
    ...(filters.from ? { from: new Date(filters.from).getTime() } : {}),
    ...(filters.to ? { to: new Date(filters.to).getTime() } : {}),
  })
  const load = async (more: boolean) => {
    setError(undefined)
    try {
      const r = await getApi().rpc.call('alarms.journal', { ...query(), limit: 200, ...(more && next !== null ? { before: next } : {}) })
      setItems(more ? [...(items ?? []), ...r.items] : r.items)
      setNext(r.next)
    } catch (e) {
      setError(toErrorShape(e))
    }
  }
  const csv = async () => {
    try {
      const r = await getApi().rpc.call('alarms.journalCsv', query())
      const url = URL.createObjectURL(new Blob([r.text], { type: 'text/csv' }))
      const a = document.createElement('a')
      a.href = url
      a.download = 'alarm-journal.csv'
      a.click()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (e) {
      setError(toErrorShape(e))
    }
  }
  const set = (k: keyof typeof filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFilters({ ...filters, [k]: e.target.value })
  // the newest page when the tab opens
  useEffect(() => {
    void load(false)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  return (
    <section className="panel alarm-journal" aria-label="Alarm journal" data-testid="alarm-journal">
      <form className="panel-head alarm-tools" onSubmit={(e) => (e.preventDefault(), void load(false))}>
        <h2>Journal</h2>
        <span className="spacer" />
        <input type="search" placeholder="Asset, message" value={filters.text} onChange={set('text')} aria-label="Text" />
        <input placeholder="Who" value={filters.who} onChange={set('who')} aria-label="Who" />
        <select value={filters.priority} onChange={set('priority')} aria-label="Priority">
          <option value="">Any priority</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <select value={filters.state} onChange={set('state')} aria-label="State">
          <option value="">Any state</option>
          {Object.entries(STATE_TEXT).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
        <input type="datetime-local" value={filters.from} onChange={set('from')} aria-label="From" />
        <input type="datetime-local" value={filters.to} onChange={set('to')} aria-label="To" />
        <button type="submit" data-testid="journal-search">
          Search
        </button>
        <button type="button" onClick={() => void csv()} data-testid="journal-csv">
          Export CSV
        </button>
      </form>
      {error && <ErrorNotice title="The journal could not be read" error={error} onRetry={() => void load(false)} />}
      <div className="panel-body">
        <table className="eng-table journal-table" data-testid="journal-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Priority</th>
              <th>Event</th>
              <th>Asset · attribute</th>
              <th>Message</th>
              <th>State</th>
              <th>Who</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {items?.map((j) => (
              <tr key={j.id} data-testid={`journal-${j.id}`} data-event={j.event} data-key={j.key}>
                <td className="tabular nowrap">{formatTimestamp(j.at)}</td>
                <td>
                  <PriorityMark priority={j.priority} unack={false} />
                </td>
                <td>{EVENT_TEXT[j.event]}</td>
                <td className="mono">
                  {j.path} · {j.attribute}
                </td>
                <td>{j.message}</td>
                <td>{STATE_TEXT[j.state]}</td>
                <td>{j.who}</td>
                <td>{j.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {items?.length === 0 && <p className="muted pad">No entries match.</p>}
        {next !== null && (
          <button onClick={() => void load(true)} data-testid="journal-more">
            Older entries…
          </button>
        )}
      </div>
    </section>
  )
}

/** How often the notifications tab asks again while it is open. */
const NOTIFICATIONS_REFRESH_MS = 5000

/** The notification rules with their counters and last error, so a failing rule is seen (read again every 5 s while open). */
function Notifications() {
  const [rules, setRules] = useState<NotificationRuleStatus[]>()
  const [error, setError] = useState<ErrorShape>()
  const load = async () => {
    try {
      setRules((await getApi().rpc.call('alarms.notifications', {})).rules)
      setError(undefined)
    } catch (e) {
      setError(toErrorShape(e))
    }
  }
  useEffect(() => {
    void load()
    const t = setInterval(() => void load(), NOTIFICATIONS_REFRESH_MS)
    return () => clearInterval(t)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  return (
    <section className="panel alarm-notifications" aria-label="Alarm notifications" data-testid="alarm-notifications">
      <div className="panel-head alarm-tools">
        <h2>Notifications</h2>
        <span className="sub">counters since start</span>
        <span className="spacer" />
        <button type="button" onClick={() => void load()} data-testid="notifications-refresh">
          Refresh
        </button>
      </div>
      {error && <ErrorNotice title="The notification status could not be read" error={error} onRetry={() => void load()} />}
      <div className="panel-body">
        {rules?.length === 0 && (
          <p className="muted pad" data-testid="notifications-none">
            No notification rules. They are set in the configuration file under <code>alarms.notifications</code>.
          </p>
        )}
        {rules && rules.length > 0 && (
          <table className="eng-table notifications-table" data-testid="notifications-table">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Target</th>
                <th className="num">Matched</th>
                <th className="num">Sent</th>
                <th className="num">Failed</th>
                <th className="num">Retried</th>
                <th className="num">Dropped</th>
                <th className="num">In flight</th>
                <th>Last sent</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id} data-testid={`notification-${r.id}`} data-failed={r.failed} data-sent={r.sent} className={r.failed > 0 || r.dropped > 0 ? 'notify-bad' : ''}>
                  <td className="mono">
                    {r.id}
                    {!r.enabled && <span className="muted"> (off)</span>}
                  </td>
                  <td className="mono">
                    {r.action.kind} · {r.action.target}
                  </td>
                  <td className="num tabular">{r.matched}</td>
                  <td className="num tabular">{r.sent}</td>
                  <td className="num tabular" data-testid="notification-failed">{r.failed}</td>
                  <td className="num tabular">{r.retried}</td>
                  <td className="num tabular">{r.dropped}</td>
                  <td className="num tabular">{r.inFlight}</td>
                  <td className="tabular nowrap">{r.lastSentAt === null ? '—' : formatTimestamp(r.lastSentAt)}</td>
                  <td data-testid="notification-error">
                    <LastError error={r.lastError} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  )
}
