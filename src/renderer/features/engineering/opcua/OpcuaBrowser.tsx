import { useState } from 'react'
import type { ConnectionState } from '../../../../shared/model'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { useUiStore } from '../../../stores/ui-store'
import { waitsForCertificate } from '../certificates'
import { useRpc } from '../use-rpc'
import { BrowseTree } from './BrowseTree'
import { NodeDetails } from './NodeDetails'
import { NodeSearch } from './NodeSearch'
import './opcua.css'

/** Items the server refused for this connection, with their status codes (refreshed every 5 s). */
function Failures({ connection }: { connection: string }) {
  const f = useRpc((rpc) => rpc.call('opcua.failures', { connection }), connection, 5000)
  return (
    <section className="panel eng-panel failures" aria-label="Refused items" data-testid="opcua-failures">
      <div className="panel-head">
        <h2>Refused items</h2>
        {f.data && <span className="sub">{f.data.monitored} monitored · {f.data.failed.length} refused</span>}
      </div>
      <div className="panel-body">
        {f.error && <ErrorNotice title="Refused items could not be read" error={f.error} onRetry={() => void f.reload()} />}
        {f.data && f.data.failed.length === 0 && <p className="muted pad">The server accepted every monitored item.</p>}
        {f.data && f.data.failed.length > 0 && (
          <table className="eng-table">
            <thead>
              <tr>
                <th>Signal</th>
                <th>NodeId</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {f.data.failed.slice(0, 200).map((x) => (
                <tr key={`${x.nodeId}|${x.signal ?? ''}`}>
                  <td>{x.signal ?? '—'}</td>
                  <td className="mono">{x.nodeId}</td>
                  <td className="status-bad">◆ {x.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  )
}

/** One OPC UA connection's address space: lazy tree and search | attributes of the selected node, refused items. */
export function OpcuaBrowser({ connection }: { connection: ConnectionState }) {
  const [selected, setSelected] = useState<{ id: string; name: string }>()
  const pick = (id: string, name: string) => setSelected({ id, name })
  return (
    <div className="eng-split opcua-browser" data-testid={`opcua-browser-${connection.id}`}>
      <section className="panel eng-panel" aria-label="Address space">
        <div className="panel-head">
          <h2>{connection.name}</h2>
          <span className="sub">{connection.target}</span>
        </div>
        {connection.health !== 'connected' && (
          <div className="eng-warn" role="status">
            ▲ {connection.health}: {connection.reason ?? 'not connected'} — browsing needs a session.{' '}
            {waitsForCertificate(connection) && (
              <button className="link" onClick={() => useUiStore.getState().openEngineering('certificates')}>
                Review the certificate
              </button>
            )}
          </div>
        )}
        <NodeSearch connection={connection.id} root={selected?.id} rootName={selected?.name ?? 'Objects'} onPick={pick} />
        <BrowseTree connection={connection.id} online={connection.health === 'connected'} selected={selected?.id} onSelect={pick} />
      </section>
      <div className="eng-col">
        {selected ? (
          <NodeDetails key={selected.id} connection={connection.id} nodeId={selected.id} />
        ) : (
          <section className="panel eng-panel">
            <div className="empty">
              <strong>Select a node</strong>
              Its DataType, ValueRank, AccessLevel, unit, range and value appear here.
            </div>
          </section>
        )}
        <Failures connection={connection.id} />
      </div>
    </div>
  )
}
