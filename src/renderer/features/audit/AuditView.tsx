import { useEffect, useState } from 'react'
import type { AuditRecord, AuditVerifyResult } from '../../../shared/contract/audit'
import type { ErrorShape } from '../../../shared/model'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { ErrorNotice } from '../../components/ErrorNotice'
import { VirtualList } from '../../components/VirtualList'
import { formatTimestamp } from '../../lib/format'
import { EMPTY_FILTER, resultClass, toFilter, valueText, verifyText, type AuditFilterText } from './audit-view'
import './audit.css'

const PAGE = 500

/** The audit trail: filters, a windowed list newest first (pages of 500), the selected entry in full, CSV export, the chain check. */
export function AuditView() {
  const [filters, setFilters] = useState<AuditFilterText>(EMPTY_FILTER)
  const [items, setItems] = useState<AuditRecord[]>()
  const [next, setNext] = useState<number | null>(null)
  const [error, setError] = useState<ErrorShape>()
  const [selected, setSelected] = useState<AuditRecord>()
  const [verify, setVerify] = useState<AuditVerifyResult | 'running'>()
  const [note, setNote] = useState<string>()

  const load = async (more: boolean) => {
    setError(undefined)
    try {
      const r = await getApi().rpc.call('audit.search', { ...toFilter(filters), limit: PAGE, ...(more && next !== null ? { before: next } : {}) })
      setItems(more ? [...(items ?? []), ...r.items] : r.items)
      setNext(r.next)
      if (!more) setSelected(undefined)
    } catch (e) {
      setError(toErrorShape(e))
    }
  }
  const csv = async () => {
    setError(undefined)
    try {
      const r = await getApi().rpc.call('audit.csv', toFilter(filters))
      const url = URL.createObjectURL(new Blob([r.text], { type: 'text/csv' }))
      const a = document.createElement('a')
      a.href = url
      a.download = 'audit-trail.csv'
      a.click()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      setNote(`${r.rows.toLocaleString('en')} rows exported${r.truncated ? ' (cut at the export limit: narrow the filter)' : ''}`)
    } catch (e) {
      setError(toErrorShape(e))
    }
  }
  const check = async () => {
    setVerify('running')
    try {
      setVerify(await getApi().rpc.call('audit.verify', {}))
    } catch (e) {
      setVerify(undefined)
      setError(toErrorShape(e))
    }
  }
  useEffect(() => {
    void load(false)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  const set = (k: keyof AuditFilterText) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFilters({ ...filters, [k]: e.target.value })

  return (
    <section className="panel audit-view" aria-label="Audit trail" data-testid="audit-view">
      <form className="panel-head audit-tools" onSubmit={(e) => (e.preventDefault(), void load(false))}>
        <h2>Audit trail</h2>
        <span className="spacer" />
        <input type="datetime-local" value={filters.from} onChange={set('from')} aria-label="From" title="From" />
        <input type="datetime-local" value={filters.to} onChange={set('to')} aria-label="To" title="To" />
        <input placeholder="User" value={filters.user} onChange={set('user')} aria-label="User" data-testid="audit-user" size={10} />
        <input placeholder="Action (raw., model.…)" value={filters.action} onChange={set('action')} aria-label="Action" data-testid="audit-action" size={14} />
        <input type="search" placeholder="Target contains" value={filters.target} onChange={set('target')} aria-label="Target" data-testid="audit-target" size={14} />
        <select value={filters.result} onChange={set('result')} aria-label="Result" data-testid="audit-result">
          <option value="">Any result</option>
          <option value="ok">ok</option>
          <option value="pending">pending</option>
          <option value="failed">refused or failed</option>
        </select>
        <button type="submit" data-testid="audit-search">
          Search
        </button>
        <button type="button" onClick={() => void csv()} data-testid="audit-csv">
          Export CSV
        </button>
        <button type="button" onClick={() => void check()} disabled={verify === 'running'} data-testid="audit-verify">
          {verify === 'running' ? 'Checking…' : 'Verify chain'}
        </button>
      </form>
      {verify && verify !== 'running' && (
        <div className={`audit-verify ${verify.ok ? 'ok' : 'broken'}`} role="status" data-testid="audit-verify-result" data-ok={String(verify.ok)}>
          <strong>{verify.ok ? '✓' : '✗'}</strong> {verifyText(verify)}
          <span className="muted"> · checked {formatTimestamp(verify.at)}</span>
        </div>
      )}
      {note && (
        <div className="audit-note muted" role="status">
          {note}
        </div>
      )}
      {error && <ErrorNotice title="The audit trail could not be read" error={error} onRetry={() => void load(false)} />}
      <div className="audit-body">
        <div className="audit-list" data-testid="audit-list">
          <div className="audit-row audit-header" role="row">
            <span>#</span>
            <span>Time</span>
            <span>User</span>
            <span>From</span>
            <span>Action</span>
            <span>Target</span>
            <span>Value</span>
            <span>Result</span>
          </div>
          {items && items.length > 0 && (
            <VirtualList
              items={items}
              rowRem={1.75}
              itemKey={(r) => String(r.id)}
              label="Audit entries"
              role="list"
              testid="audit-rows"
              render={(r) => (
                <button
                  type="button"
                  className={`audit-row${selected?.id === r.id ? ' selected' : ''}`}
                  onClick={() => setSelected(r)}
                  data-testid={`audit-${r.id}`}
                  data-action={r.action}
                  data-result={r.result}
                  title={r.detail ?? ''}
                >
                  <span className="tabular muted">{r.id}</span>
                  <span className="tabular nowrap">{formatTimestamp(r.at)}</span>
                  <span className="ellip">{r.user ?? '—'}</span>
                  <span className="ellip muted">{r.from}</span>
                  <span className="mono ellip">{r.action}</span>
                  <span className="mono ellip" title={r.target ?? ''}>{r.target ?? ''}</span>
                  {valueText(r) ? <span className="mono ellip">{valueText(r)}</span> : <span className="ellip of">{r.detail ?? ''}</span>}
                  <span className={`audit-result r-${resultClass(r.result)}`}>{r.result}</span>
                </button>
              )}
            />
          )}
          {items?.length === 0 && <p className="muted pad">No entries match.</p>}
          {next !== null && (
            <button className="audit-more" onClick={() => void load(true)} data-testid="audit-more">
              Older entries…
            </button>
          )}
        </div>
        {selected && (
          <aside className="audit-detail" aria-label="Audit entry" data-testid="audit-detail">
            <h3>
              #{selected.id} · <span className="mono">{selected.action}</span>
            </h3>
            <dl>
              <dt>When</dt>
              <dd className="tabular">{new Date(selected.at).toISOString()}</dd>
              <dt>Who</dt>
              <dd>{selected.user ?? '— (nobody known)'}</dd>
              <dt>From</dt>
              <dd>{selected.from}</dd>
              <dt>Target</dt>
              <dd className="mono">{selected.target ?? '—'}</dd>
              {selected.oldValue !== undefined && (
                <>
                  <dt>Old value</dt>
                  <dd>
                    <pre>{JSON.stringify(selected.oldValue, null, 2)}</pre>
                  </dd>
                </>
              )}
              {selected.newValue !== undefined && (
                <>
                  <dt>New value</dt>
                  <dd>
                    <pre>{JSON.stringify(selected.newValue, null, 2)}</pre>
                  </dd>
                </>
              )}
              <dt>Result</dt>
              <dd className={`audit-result r-${resultClass(selected.result)}`}>{selected.result}</dd>
              {selected.detail && (
                <>
                  <dt>Detail</dt>
                  <dd>{selected.detail}</dd>
                </>
              )}
              <dt>Hash</dt>
              <dd className="mono hash">{selected.hash}</dd>
              <dt>Previous</dt>
              <dd className="mono hash">{selected.prevHash || '(first entry)'}</dd>
            </dl>
          </aside>
        )}
      </div>
    </section>
  )
}
