import { useState } from 'react'
import type { DataType, ErrorShape } from '../../../../shared/model'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { reloadAssets } from '../../../session/actions'
import type { MappingDraft } from '../json-fields'
import { savedNote } from '../saved-note'

interface Props {
  connection: string
  draft: MappingDraft
  /** The signal this field is mapped to already, if any: adding makes a second signal of the same field. */
  note?: string
  /** `saved`: where the mapping was saved, or why not. */
  onSaved(signalId: string, saved: string): void
}

/** The prefilled mapping, editable; Save adds it to the running connection and the signal to the asset tree. */
export function MappingForm({ connection, draft, note, onSaved }: Props) {
  const [d, setD] = useState(draft)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorShape>()
  const set = (k: keyof MappingDraft) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setD({ ...d, [k]: e.target.value })
  const save = async () => {
    setBusy(true)
    setError(undefined)
    try {
      const r = await getApi().rpc.call('mqtt.mappings.add', {
        connection,
        mapping: { id: d.id.trim(), name: d.name.trim(), topic: d.topic, dataType: d.dataType as DataType, ...(d.path ? { path: d.path } : {}), ...(d.unit.trim() ? { unit: d.unit.trim() } : {}) },
      })
      await reloadAssets()
      onSaved(r.signal.id, savedNote(r))
    } catch (e) {
      setError(toErrorShape(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form
      className="mapping-form"
      data-testid="mqtt-mapping-form"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      {note && (
        <p className="muted form-note">
          Already mapped as <code>{note}</code>: adding makes a second signal of this field.
        </p>
      )}
      <label>
        Signal id
        <input value={d.id} onChange={set('id')} required maxLength={256} data-testid="mqtt-mapping-id" />
      </label>
      <label>
        Name
        <input value={d.name} onChange={set('name')} required maxLength={128} />
      </label>
      <label>
        Topic
        <input value={d.topic} readOnly className="mono" />
      </label>
      <label>
        JSON path
        <input value={d.path} onChange={set('path')} className="mono" placeholder="(whole payload)" maxLength={256} />
      </label>
      <TypeAndUnit dataType={d.dataType} unit={d.unit} onType={set('dataType')} onUnit={set('unit')} />
      {error && <ErrorNotice title="Mapping not added" error={error} />}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !d.id.trim() || !d.name.trim()} data-testid="mqtt-mapping-save">
          {busy ? 'Adding…' : 'Add mapping'}
        </button>
      </div>
    </form>
  )
}

type Change = (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => void

/** The data type and unit of a mapping, side by side (the new-mapping form and the edit dialog). */
export function TypeAndUnit({ dataType, unit, onType, onUnit, testid }: { dataType: string; unit: string; onType: Change; onUnit: Change; testid?: string }) {
  return (
    <div className="form-row">
      <label>
        Data type
        <select value={dataType} onChange={onType} data-testid={testid && `${testid}-type`}>
          <option value="number">number</option>
          <option value="boolean">boolean</option>
          <option value="string">string</option>
        </select>
      </label>
      <label>
        Unit
        <input value={unit} onChange={onUnit} maxLength={32} placeholder="none" data-testid={testid && `${testid}-unit`} />
      </label>
    </div>
  )
}
