import { useMemo } from 'react'
import { formatTimeOfDay } from '../../../lib/format'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { jsonNodes, parseJson, previewValue } from '../json-fields'
import { useRpc } from '../use-rpc'

interface Props {
  connection: string
  topic: string
  /** Paths of this topic that are mapped already. */
  mapped: ReadonlySet<string>
  picked?: string
  onPick(path: string, value: unknown): void
}

/** The whole last payload, refreshed every 2 s. JSON is shown as a tree whose leaves are buttons: click one to map it. */
export function PayloadView({ connection, topic, mapped, picked, onPick }: Props) {
  const p = useRpc((rpc) => rpc.call('mqtt.payload', { connection, topic }), `${connection}|${topic}`, 2000)
  const parsed = useMemo(() => parseJson(p.data?.text), [p.data?.text])
  const nodes = useMemo(() => (parsed.ok ? jsonNodes(parsed.value) : []), [parsed])
  return (
    <section className="panel eng-panel payload" aria-label="Last payload" data-testid="mqtt-payload">
      <div className="panel-head">
        <h2 title={topic}>{topic.split('/').pop()}</h2>
        {p.data && (
          <span className="sub">
            {p.data.bytes} bytes{p.data.retained ? ' · retained' : ''} · {formatTimeOfDay(p.data.at)}
            {p.data.truncated ? ' · cut at the size bound' : ''}
          </span>
        )}
      </div>
      <div className="panel-body">
        {p.error && <ErrorNotice title="Payload could not be read" error={p.error} onRetry={() => void p.reload()} />}
        {p.data && parsed.ok && (
          <>
            <p className="muted pad">Click a field to map it to a signal.</p>
            {nodes.length === 0 && (
              <button className="json-leaf" data-testid="mqtt-field-" onClick={() => onPick('', parsed.value)}>
                {previewValue(parsed.value)} (whole payload)
              </button>
            )}
            <ul className="json-tree" role="list">
              {nodes.map((n) => (
                <li key={n.path} style={{ paddingLeft: `${0.6 + n.depth * 1.1}rem` }}>
                  {n.dataType ? (
                    <button
                      className={`json-leaf${picked === n.path ? ' picked' : ''}`}
                      data-testid={`mqtt-field-${n.path}`}
                      aria-pressed={picked === n.path}
                      onClick={() => onPick(n.path, n.value)}
                      title={`${n.path} (${n.dataType})`}
                    >
                      <span className="key">{n.key}</span>: <span className="val mono">{previewValue(n.value)}</span>
                      {mapped.has(n.path) && <span className="tag">mapped</span>}
                    </button>
                  ) : (
                    <span className="json-branch">
                      <span className="key">{n.key}</span> <span className="muted">{previewValue(n.value)}</span>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
        {p.data && !parsed.ok && (
          <>
            <p className="muted pad">
              Not JSON{p.data.text === undefined ? ' (binary: shown as base64)' : ''}.{' '}
              <button className="link" data-testid="mqtt-field-" onClick={() => onPick('', p.data?.text)}>
                Map the whole payload
              </button>
            </p>
            <pre className="payload-text">{p.data.text ?? p.data.base64}</pre>
          </>
        )}
      </div>
    </section>
  )
}
