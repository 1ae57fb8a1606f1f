import { useMemo, useState } from 'react'
import type { ConnectionState } from '../../../../shared/model'
import { draftMapping, type MappingDraft } from '../json-fields'
import { useRpc } from '../use-rpc'
import { MappingForm } from './MappingForm'
import { MappingsPanel } from './MappingsPanel'
import { PayloadView } from './PayloadView'
import { RejectionsPanel } from './RejectionsPanel'
import { TopicList } from './TopicList'
import './mqtt.css'

/** One MQTT connection: topics | last payload | mapping form, with mappings and rejections below. Click topic, click field, Add. */
export function MqttBrowser({ connection }: { connection: ConnectionState }) {
  const id = connection.id
  const [topic, setTopic] = useState<string>()
  const [draft, setDraft] = useState<MappingDraft & { seq: number }>()
  const [saved, setSaved] = useState<{ id: string; note: string }>()
  const mappings = useRpc((rpc) => rpc.call('mqtt.mappings.list', { connection: id }), id)
  const taken = useMemo(() => new Set(mappings.data?.mappings.map((m) => m.id)), [mappings.data])
  const mapped = useMemo(() => new Set(mappings.data?.mappings.filter((m) => m.topic === topic && !m.metric).map((m) => m.path ?? '')), [mappings.data, topic])
  const selectTopic = (t: string) => {
    setTopic(t)
    setDraft(undefined)
  }
  return (
    <div className="mqtt-browser" data-testid={`mqtt-browser-${id}`}>
      {connection.health !== 'connected' && (
        <div className="eng-warn wide" role="status">
          ▲ {connection.name} is {connection.health}: {connection.reason ?? 'not connected'} — the topic tree shows what was received before.
        </div>
      )}
      <TopicList connection={id} selected={topic} onSelect={selectTopic} />
      {topic ? (
        <PayloadView
          connection={id}
          topic={topic}
          mapped={mapped}
          picked={draft?.path}
          onPick={(path, value) => {
            setSaved(undefined)
            setDraft({ ...draftMapping(id, topic, path, value, taken), seq: Date.now() })
          }}
        />
      ) : (
        <section className="panel eng-panel payload">
          <div className="empty">
            <strong>Select a topic</strong>
            Its whole last payload appears here.
          </div>
        </section>
      )}
      <section className="panel eng-panel map-panel" aria-label="New mapping">
        <div className="panel-head">
          <h2>New mapping</h2>
        </div>
        <div className="panel-body">
          {saved && (
            <p className="eng-result" role="status" data-testid="mqtt-mapping-saved">
              ✓ Signal <code>{saved.id}</code> added: it is in the asset tree under “{id} (mapped)”. {saved.note}
            </p>
          )}
          {draft ? (
            <MappingForm
              key={draft.seq}
              connection={id}
              draft={draft}
              note={mappings.data?.mappings.find((m) => m.topic === draft.topic && !m.metric && (m.path ?? '') === draft.path)?.id}
              onSaved={(sig, note) => {
                setSaved({ id: sig, note })
                setDraft(undefined)
                void mappings.reload()
              }}
            />
          ) : (
            !saved && <p className="muted pad">Click a field of a JSON payload to prefill a mapping.</p>
          )}
        </div>
      </section>
      <MappingsPanel connection={id} mappings={mappings} highlight={saved?.id} />
      <RejectionsPanel connection={id} />
    </div>
  )
}
