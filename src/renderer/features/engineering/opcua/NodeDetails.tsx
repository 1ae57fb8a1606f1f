import { useState } from 'react'
import type { NodeAttributes } from '../../../../shared/contract'
import { getApi } from '../../../api/client'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { reloadAssets } from '../../../session/actions'
import { savedNote } from '../saved-note'
import { useRpc } from '../use-rpc'

const RANK: Record<string, string> = { '-3': 'scalar or 1-D array', '-2': 'any', '-1': 'scalar', '0': 'one or more dimensions', '1': '1-D array' }

function showValue(v: unknown): string {
  if (v === undefined) return '—'
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)
  return s.length > 400 ? `${s.slice(0, 400)}…` : s
}

function AttributeTable({ a }: { a: NodeAttributes }) {
  const rows: [string, React.ReactNode][] = [
    ['NodeId', <code>{a.nodeId}</code>],
    ['NodeClass', a.nodeClass],
    ['BrowseName', a.browseName],
    ['DataType', a.dataType ?? '—'],
    ['ValueRank', a.valueRank === undefined ? '—' : `${a.valueRank} (${RANK[String(a.valueRank)] ?? `${a.valueRank} dimensions`})`],
    ['AccessLevel', a.accessLevel ? (a.accessLevel.length ? a.accessLevel.join(', ') : 'none') : '—'],
    ['EngineeringUnits', a.engineeringUnits ?? '—'],
    ['EURange', a.euRange ? `${a.euRange[0]} … ${a.euRange[1]}` : '—'],
    ['Description', a.description ?? '—'],
  ]
  if (a.minimumSamplingInterval !== undefined) rows.push(['Min. sampling', `${a.minimumSamplingInterval} ms`])
  if (a.nodeClass === 'Variable') {
    rows.push([
      'Value',
      <span className="attr-value">
        <span className="mono">{showValue(a.value)}</span> {a.engineeringUnits && <span className="unit">{a.engineeringUnits}</span>}
        {a.status && a.status !== 'Good' && <span className="status-bad">◆ {a.status}</span>}
        {a.status === 'Good' && <span className="muted"> · Good</span>}
      </span>,
    ])
  }
  return (
    <table className="attr-table" data-testid="opcua-attributes">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k} data-attr={k}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

type AddResult = { added: number; skipped: number; failed: number; truncated: boolean; saved: string }

/** Attributes of the selected node, refreshed every 2 s (the value moves), and "add subtree as signals". */
export function NodeDetails({ connection, nodeId }: { connection: string; nodeId: string }) {
  const attrs = useRpc((rpc) => rpc.call('opcua.attributes', { connection, nodeId }), `${connection}|${nodeId}`, 2000)
  const [confirm, setConfirm] = useState(false)
  const [result, setResult] = useState<AddResult & { nodeId: string }>()
  const name = attrs.data?.displayName ?? nodeId
  return (
    <section className="panel eng-panel node-details" aria-label="Node attributes">
      <div className="panel-head">
        <h2>{name}</h2>
        <span className="sub">{attrs.data?.nodeClass}</span>
        <span className="spacer" />
        <button data-testid="opcua-add-subtree" onClick={() => setConfirm(true)} title="Every Variable under this node becomes a signal, in a new asset folder">
          Add subtree as signals…
        </button>
      </div>
      <div className="panel-body">
        {attrs.error && <ErrorNotice title="Attributes could not be read" error={attrs.error} onRetry={() => void attrs.reload()} />}
        {!attrs.data && !attrs.error && <div className="empty">Reading attributes…</div>}
        {attrs.data && <AttributeTable a={attrs.data} />}
        {result && result.nodeId === nodeId && (
          <p className="eng-result" role="status" data-testid="opcua-add-result">
            Added {result.added} signal(s), {result.skipped} already known{result.failed ? `, ${result.failed} refused by the server (see below)` : ''}
            {result.truncated ? ' — stopped at the limit: add smaller subtrees for the rest' : ''}. The asset tree is updated. {result.saved}
          </p>
        )}
      </div>
      {confirm && (
        <ConfirmDialog
          title={`Add the subtree of “${name}” as signals?`}
          okLabel="Add signals"
          onClose={() => setConfirm(false)}
          onConfirm={async () => {
            const r = await getApi().rpc.call('opcua.add', { connection, root: nodeId })
            setResult({ nodeId, added: r.added.length, skipped: r.skipped, failed: r.failed.length, truncated: r.truncated, saved: savedNote(r) })
            await reloadAssets()
          }}
        >
          <dl>
            <dt>Connection</dt>
            <dd>{connection}</dd>
            <dt>Root node</dt>
            <dd className="mono">{nodeId}</dd>
          </dl>
          <p>Every Variable below this node (up to 5,000) becomes a signal and is subscribed. Variables already known are skipped; the result lists how many were added, skipped and refused.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
