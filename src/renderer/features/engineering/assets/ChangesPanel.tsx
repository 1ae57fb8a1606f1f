import { useState } from 'react'
import type { ChangeEntry } from '../../../../shared/contract/asset-model'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { formatTimestamp } from '../../../lib/format'
import { useRpc } from '../use-rpc'

const PAGE = 100

/** The change log, newest first: who changed what and when, each with the assets it touched before and after. */
export function ChangesPanel({ version }: { version: number }) {
  const [before, setBefore] = useState<number>()
  const list = useRpc((rpc) => rpc.call('model.changes', { limit: PAGE, ...(before !== undefined ? { before } : {}) }), `model.changes:${version}:${before ?? ''}`)
  const [open, setOpen] = useState<number>()
  const items = list.data?.items ?? []
  return (
    <div className="model-changes panel-body" data-testid="model-changes">
      {list.error && <ErrorNotice title="The change log could not be read" error={list.error} onRetry={() => void list.reload()} />}
      <table className="eng-table">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
            <th>Summary</th>
            <th className="num">Assets before → after</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <Row key={c.id} c={c} open={open === c.id} toggle={() => setOpen(open === c.id ? undefined : c.id)} />
          ))}
        </tbody>
      </table>
      {list.data && items.length === 0 && <p className="muted pad">No changes yet.</p>}
      <div className="editor-actions">
        {before !== undefined && <button onClick={() => setBefore(undefined)}>Newest</button>}
        {items.length === PAGE && <button onClick={() => setBefore(items[items.length - 1]!.id)}>Older…</button>}
      </div>
    </div>
  )
}

function Row({ c, open, toggle }: { c: ChangeEntry; open: boolean; toggle(): void }) {
  const paths = (side: ChangeEntry['before']) => side.slice(0, 10).map((a) => a.path).join(', ')
  return (
    <>
      <tr className={c.undone ? 'muted' : ''} data-testid={`model-change-${c.id}`} onClick={toggle} style={{ cursor: 'pointer' }} title="Show what it touched">
        <td className="num tabular">{c.id}</td>
        <td className="tabular nowrap">{formatTimestamp(c.at)}</td>
        <td>{c.who}</td>
        <td>
          {c.op}
          {c.undone ? ' (undone)' : ''}
        </td>
        <td>{c.summary}</td>
        <td className="num tabular">
          {c.beforeCount} → {c.afterCount}
        </td>
      </tr>
      {open && (
        <tr className="change-detail">
          <td colSpan={6}>
            {c.beforeCount > 0 && (
              <div>
                <strong>Before:</strong> <span className="mono">{paths(c.before)}</span>
                {c.beforeCount > 10 ? ` … and ${c.beforeCount - 10} more` : ''}
              </div>
            )}
            {c.afterCount > 0 && (
              <div>
                <strong>After:</strong> <span className="mono">{paths(c.after)}</span>
                {c.afterCount > 10 ? ` … and ${c.afterCount - 10} more` : ''}
              </div>
            )}
            {c.templates && (
              <div>
                <strong>Templates:</strong> {[...new Set([...c.templates.before, ...c.templates.after].map((t) => t.name))].join(', ')}
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  )
}
