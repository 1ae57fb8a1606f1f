import { useState } from 'react'
import type { MqttMapping } from '../../../../shared/contract'
import { getApi } from '../../../api/client'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { ErrorNotice } from '../../../components/ErrorNotice'
import type { Loaded } from '../use-rpc'
import { EditMappingDialog } from './EditMappingDialog'

const SHOWN = 200

/** The connection's mappings, filterable; edit changes one while connected; remove stops mapping (the signal keeps its history). */
export function MappingsPanel({ connection, mappings, highlight }: { connection: string; mappings: Loaded<{ mappings: MqttMapping[] }>; highlight?: string }) {
  const [filter, setFilter] = useState('')
  const [remove, setRemove] = useState<MqttMapping>()
  const [edit, setEdit] = useState<MqttMapping>()
  const [edited, setEdited] = useState<{ id: string; note: string }>()
  const all = mappings.data?.mappings ?? []
  const f = filter.trim().toLowerCase()
  const matching = f ? all.filter((m) => `${m.id} ${m.topic} ${m.path ?? ''} ${m.metric ?? ''}`.toLowerCase().includes(f)) : all
  // The mapping just added comes first, where the engineer sees it.
  const list = highlight ? [...matching.filter((m) => m.id === highlight), ...matching.filter((m) => m.id !== highlight)] : matching
  return (
    <section className="panel eng-panel mappings" aria-label="Mappings" data-testid="mqtt-mappings">
      <div className="panel-head">
        <h2>Mappings</h2>
        <span className="sub">{mappings.data ? `${all.length}` : ''}</span>
        <span className="spacer" />
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter…" aria-label="Filter mappings" className="head-filter" />
      </div>
      <div className="panel-body">
        {mappings.error && <ErrorNotice title="Mappings could not be read" error={mappings.error} onRetry={() => void mappings.reload()} />}
        {mappings.data && all.length === 0 && <p className="muted pad">No mappings yet: click a topic, then a field.</p>}
        {edited && (
          <p className="eng-result" role="status" data-testid="mqtt-mapping-edited">
            ✓ Mapping <code>{edited.id}</code> changed: the next message is read with it. {edited.note}
          </p>
        )}
        <table className="eng-table">
          <tbody>
            {list.slice(0, SHOWN).map((m) => (
              <tr key={m.id} className={m.id === highlight ? 'selected' : ''} data-testid={`mqtt-mapping-${m.id}`}>
                <td title={`${m.id}\n${m.topic}${m.metric ? ` # ${m.metric}` : ''}${m.path ? ` : ${m.path}` : ''}`}>
                  {/* the panel is the connection's: its prefix would only push the distinguishing end of the id to a second line */}
                  <div className="m-id">{m.id.startsWith(`${connection}/`) ? m.id.slice(connection.length + 1) : m.id}</div>
                  <div className="muted m-src">
                    {m.topic.split('/').slice(-2).join('/')} · {m.metric ?? m.path ?? '(whole)'} · {m.dataType}
                    {m.unit ? ` · ${m.unit}` : ''}
                  </div>
                </td>
                <td className="act">
                  <button onClick={() => setEdit(m)} aria-label={`Edit mapping ${m.id}`} data-testid={`mqtt-mapping-edit-${m.id}`}>
                    Edit…
                  </button>{' '}
                  <button onClick={() => setRemove(m)} aria-label={`Remove mapping ${m.id}`}>
                    Remove…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.length > SHOWN && <p className="muted pad">Showing {SHOWN} of {list.length}: filter to narrow.</p>}
      </div>
      {edit && (
        <EditMappingDialog
          connection={connection}
          mapping={edit}
          onClose={() => setEdit(undefined)}
          onSaved={(note) => {
            setEdited({ id: edit.id, note })
            void mappings.reload()
          }}
        />
      )}
      {remove && (
        <ConfirmDialog
          title="Remove this mapping?"
          okLabel="Remove"
          onClose={() => setRemove(undefined)}
          onConfirm={async () => {
            await getApi().rpc.call('mqtt.mappings.remove', { connection, signal: remove.id })
            await mappings.reload()
          }}
        >
          <dl>
            <dt>Signal</dt>
            <dd className="mono">{remove.id}</dd>
            <dt>Topic</dt>
            <dd className="mono">{remove.topic}</dd>
            <dt>Field</dt>
            <dd className="mono">{remove.metric ?? remove.path ?? '(whole payload)'}</dd>
          </dl>
          <p>New messages are no longer mapped; the signal stays in the catalog with its history.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
