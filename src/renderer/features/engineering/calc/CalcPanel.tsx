import type { ConnectionState } from '../../../../shared/model'
import { useAssetsStore } from '../../../stores/assets-store'

/** A calculation connection: its calculated signals (their expressions live in the configuration file). */
export function CalcPanel({ connection }: { connection: ConnectionState }): React.JSX.Element {
  const catalog = useAssetsStore((s) => s.catalog)
  const signals = Object.values(catalog).filter((s) => s.connection === connection.id)
  return (
    <div className="panel" data-testid={`calc-panel-${connection.id}`}>
      <div className="panel-head">
        <h2>{connection.name}</h2>
        <span className="sub">calculated from other signals · {connection.target}</span>
      </div>
      <div className="panel-body">
        {signals.length === 0 ? (
          <div className="empty">No calculated signals configured.</div>
        ) : (
          <table className="eng-table">
            <thead>
              <tr>
                <th>Signal</th>
                <th>Id</th>
                <th>Unit</th>
              </tr>
            </thead>
            <tbody>
              {signals.map((s) => (
                <tr key={s.id}>
                  <td>{s.name}</td>
                  <td className="mono">{s.id}</td>
                  <td>{s.unit ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">Each is computed again whenever one of its inputs changes, and stored like any signal.</p>
      </div>
    </div>
  )
}
