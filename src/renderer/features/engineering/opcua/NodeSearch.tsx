import { useState } from 'react'
import type { SearchMatch } from '../../../../shared/contract'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ErrorNotice } from '../../../components/ErrorNotice'
import type { ErrorShape } from '../../../../shared/model'

type Found = { matches: SearchMatch[]; visited: number; truncated: boolean; text: string; rootName: string }

/** Browse names containing a text, under the selected node (or Objects), at most 100 matches. */
export function NodeSearch({ connection, root, rootName, onPick }: { connection: string; root?: string; rootName: string; onPick(nodeId: string, name: string): void }) {
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [found, setFound] = useState<Found>()
  const [error, setError] = useState<ErrorShape>()
  const run = async () => {
    if (!text.trim()) return
    setBusy(true)
    setError(undefined)
    try {
      const r = await getApi().rpc.call('opcua.search', { connection, text: text.trim(), max: 100, ...(root ? { root } : {}) })
      setFound({ ...r, text: text.trim(), rootName })
    } catch (e) {
      setError(toErrorShape(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="node-search">
      <form
        className="search-row"
        onSubmit={(e) => {
          e.preventDefault()
          void run()
        }}
      >
        <input
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={`Search in ${rootName}…`}
          aria-label={`Search browse names in ${rootName}`}
          data-testid="opcua-search"
          maxLength={128}
        />
        <button type="submit" disabled={busy || !text.trim()}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error && <ErrorNotice title="Search failed" error={error} />}
      {found && (
        <div className="search-results" data-testid="opcua-search-results">
          <div className="muted">
            {found.matches.length} match(es) for “{found.text}” in {found.rootName} · {found.visited} nodes visited
            {found.truncated ? ' · stopped early: narrow the search' : ''}{' '}
            <button className="link" onClick={() => setFound(undefined)}>
              Clear
            </button>
          </div>
          <ul>
            {found.matches.map((m) => (
              <li key={m.nodeId}>
                <button className="link" onClick={() => onPick(m.nodeId, m.path)} title={m.nodeId}>
                  {m.path}
                </button>{' '}
                <span className="muted">{m.nodeClass}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}
