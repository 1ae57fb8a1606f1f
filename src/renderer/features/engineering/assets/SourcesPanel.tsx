import { useState } from 'react'
import { uiDriverOf } from '../../../drivers'
import { useConnectionsStore } from '../../../stores/connections-store'

/** Beside the model: one connection's sources (its protocol's browser), to drag onto an asset and bind. */
export function SourcesPanel() {
  const list = useConnectionsStore((s) => s.list)
  const offered = list.filter((c) => uiDriverOf(c.kind)?.Sources)
  const [picked, setPicked] = useState<string>()
  const c = offered.find((x) => x.id === picked) ?? offered[0]
  const d = c ? uiDriverOf(c.kind) : undefined
  return (
    <aside className="model-sources" aria-label="Sources" data-testid="model-sources">
      <div className="sources-head">
        <label>
          Sources{' '}
          <select value={c?.id ?? ''} onChange={(e) => setPicked(e.target.value)} data-testid="model-sources-connection">
            {offered.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name || x.id}
              </option>
            ))}
          </select>
        </label>
        <span className="muted hint">Drag onto an asset to bind</span>
      </div>
      {c && d?.Sources ? <d.Sources key={c.id} connection={c.id} online={c.health === 'connected'} /> : <p className="muted pad">No connection offers sources to drag.</p>}
    </aside>
  )
}
