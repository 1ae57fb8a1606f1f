import { useState } from 'react'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { dragSource } from '../../../lib/drag'
import { formatCount, formatTimeOfDay } from '../../../lib/format'
import { useRpc } from '../use-rpc'

/** Topics per page: a broker with 10,000 topics under one level is read 200 at a time. */
const LIMIT = 200

interface Props {
  connection: string
  selected?: string
  onSelect(topic: string): void
  /** Topics with messages can be dragged onto an asset (binds the topic's value). */
  draggable?: boolean
}

/** One level of the live topic tree, refreshed every 2 s while shown; a breadcrumb leads back up. */
export function TopicList({ connection, selected, onSelect, draggable }: Props) {
  const [prefix, setPrefix] = useState('')
  const [offset, setOffset] = useState(0)
  const t = useRpc((rpc) => rpc.call('mqtt.topics', { connection, prefix, offset, limit: LIMIT }), `${connection}|${prefix}|${offset}`, 2000)
  const open = (p: string) => {
    setPrefix(p)
    setOffset(0)
  }
  const crumbs = prefix ? prefix.split('/') : []
  const total = t.data?.total ?? 0
  return (
    <section className="panel eng-panel topics" aria-label="Topics">
      <div className="panel-head">
        <h2>Topics</h2>
        {t.data && (
          <span className="sub">
            {formatCount(t.data.tracked)} tracked{t.data.untracked ? ` · ${formatCount(t.data.untracked)} not tracked (limit)` : ''}
          </span>
        )}
      </div>
      <nav className="crumbs" aria-label="Topic level">
        <button className="link" onClick={() => open('')} data-testid="mqtt-crumb-root">
          (top)
        </button>
        {crumbs.map((c, i) => (
          <span key={i}>
            {' / '}
            <button className="link" onClick={() => open(crumbs.slice(0, i + 1).join('/'))}>
              {c || '(empty)'}
            </button>
          </span>
        ))}
      </nav>
      <div className="panel-body">
        {t.error && <ErrorNotice title="Topics could not be read" error={t.error} onRetry={() => void t.reload()} />}
        {t.data && t.data.entries.length === 0 && <p className="muted pad">No messages under this level yet.</p>}
        {t.data && t.data.entries.length > 0 && (
          <table className="eng-table topic-table">
            <thead>
              <tr>
                <th>Topic</th>
                <th className="num">Msgs</th>
                <th className="num">Rate</th>
                <th>Last payload</th>
              </tr>
            </thead>
            <tbody>
              {t.data.entries.map((e) => {
                const act = () => (e.last ? onSelect(e.path) : e.hasChildren && open(e.path))
                return (
                  <tr
                    key={e.path}
                    tabIndex={0}
                    className={selected === e.path ? 'selected' : ''}
                    aria-selected={selected === e.path}
                    data-testid={`mqtt-topic-${e.path}`}
                    onClick={act}
                    draggable={draggable && !!e.last}
                    onDragStart={draggable && e.last ? (ev) => dragSource(ev, { label: e.path, binding: { kind: 'mqtt', connection, topic: e.path } }) : undefined}
                    onKeyDown={(k) => {
                      if (k.key === 'Enter' || k.key === ' ') act()
                      else if (k.key === 'ArrowRight' && e.hasChildren) open(e.path)
                      else return
                      k.preventDefault()
                    }}
                    title={`${e.path}\n${e.topics} topic(s) below · ${e.messages} messages${e.last ? `\nlast ${formatTimeOfDay(e.last.at)}, ${e.last.bytes} bytes` : ''}`}
                  >
                    <td className="topic-name">
                      {e.hasChildren ? (
                        <button
                          className="drill"
                          aria-label={`Open ${e.name}`}
                          data-testid={`mqtt-open-${e.path}`}
                          onClick={(ev) => {
                            ev.stopPropagation()
                            open(e.path)
                          }}
                        >
                          ▸
                        </button>
                      ) : (
                        <span className="drill" />
                      )}
                      <span className="name">{e.name || '(empty)'}</span>
                      {e.hasChildren && <span className="muted"> ({e.topics})</span>}
                      {e.last?.retained && <span className="tag" title="Retained message">R</span>}
                    </td>
                    <td className="num">{formatCount(e.last?.count ?? e.messages)}</td>
                    <td className="num">{e.last ? `${e.last.ratePerSec.toFixed(1)}/s` : ''}</td>
                    <td className="preview mono">{e.last ? `${e.last.preview}${e.last.truncated ? '…' : ''}` : ''}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
      </div>
      {total > LIMIT && (
        <div className="pager">
          <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LIMIT))}>
            ‹ Previous
          </button>
          <span className="tabular">
            {offset + 1}–{Math.min(total, offset + LIMIT)} of {formatCount(total)}
          </span>
          <button disabled={offset + LIMIT >= total} onClick={() => setOffset(offset + LIMIT)}>
            Next ›
          </button>
        </div>
      )}
    </section>
  )
}
