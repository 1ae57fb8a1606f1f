import { formatTimeOfDay } from '../../../lib/format'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { useRpc } from '../use-rpc'

const REASON_TEXT: Record<string, string> = {
  not_json: 'not JSON',
  missing_field: 'field missing',
  wrong_type: 'wrong type',
  bad_utf8: 'not UTF-8',
  too_large: 'too large',
  bad_timestamp: 'bad timestamp',
  future_timestamp: 'timestamp too far ahead',
  bad_path: 'bad path',
  not_sparkplug: 'not Sparkplug',
  sparkplug_no_birth: 'no birth',
  sparkplug_out_of_sequence: 'out of sequence',
  topic_limit: 'topic limit',
}

/** Inputs the connection rejected: counters per reason and the last few with their payload. */
export function RejectionsPanel({ connection }: { connection: string }) {
  const r = useRpc((rpc) => rpc.call('mqtt.rejections', { connection }), connection, 5000)
  const reasons = Object.entries(r.data?.byReason ?? {}).filter(([, n]) => n)
  return (
    <section className="panel eng-panel rejections" aria-label="Rejected inputs" data-testid="mqtt-rejections">
      <div className="panel-head">
        <h2>Rejected inputs</h2>
        {r.data && <span className="sub">{r.data.total} in total</span>}
      </div>
      <div className="panel-body">
        {r.error && <ErrorNotice title="Rejections could not be read" error={r.error} onRetry={() => void r.reload()} />}
        {r.data && r.data.total === 0 && <p className="muted pad">Every message matched its mapping.</p>}
        {reasons.length > 0 && (
          <p className="pad reason-counts">
            {reasons.map(([k, n]) => (
              <span key={k} className="tag warn">
                ▲ {REASON_TEXT[k] ?? k}: {n}
              </span>
            ))}
          </p>
        )}
        {r.data && r.data.last.length > 0 && (
          <table className="eng-table">
            <tbody>
              {r.data.last
                .slice()
                .reverse()
                .slice(0, 50)
                .map((x, i) => (
                  <tr key={`${x.at}-${i}`} title={x.preview}>
                    <td className="tabular nowrap">{formatTimeOfDay(x.at)}</td>
                    <td>
                      <div>
                        <strong>{REASON_TEXT[x.reason] ?? x.reason}</strong> <code>[{x.reason}]</code> {x.signal && <span className="muted">{x.signal}</span>}
                      </div>
                      <div className="muted mono m-src">{x.topic} · {x.preview.slice(0, 80)}</div>
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
