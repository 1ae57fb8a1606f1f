import { useState } from 'react'
import type { MqttMapping } from '../../../../shared/contract'
import { getApi } from '../../../api/client'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { reloadAssets } from '../../../session/actions'
import { savedNote } from '../saved-note'
import { mappingChanges } from './mapping-changes'
import { TypeAndUnit } from './MappingForm'

/**
 * Edits a mapping of a running connection: the next message is read with it; a changed data type applies to new
 * samples. Saved where `add` saves (the config file, or the data folder's edits file).
 */
export function EditMappingDialog({ connection, mapping, onClose, onSaved }: { connection: string; mapping: MqttMapping; onClose(): void; onSaved(note: string): void }) {
  const [d, setD] = useState({ name: mapping.name, path: mapping.path ?? '', dataType: mapping.dataType, unit: mapping.unit ?? '' })
  const set = (k: keyof typeof d) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setD({ ...d, [k]: e.target.value })
  return (
    <ConfirmDialog
      title={`Edit mapping ${mapping.id}`}
      okLabel="Save"
      onClose={onClose}
      onConfirm={async () => {
        const changes = mappingChanges(mapping, d)
        if (!changes) return
        const r = await getApi().rpc.call('mqtt.mappings.update', { connection, signal: mapping.id, changes })
        await reloadAssets()
        onSaved(savedNote(r))
      }}
    >
      <div className="mapping-form" data-testid="mqtt-edit-form">
        <label>
          Topic
          <input value={mapping.topic} readOnly className="mono" />
        </label>
        <label>
          Name
          <input value={d.name} onChange={set('name')} required maxLength={128} data-testid="mqtt-edit-name" />
        </label>
        {mapping.metric === undefined ? (
          <label>
            JSON path
            <input value={d.path} onChange={set('path')} className="mono" placeholder="(whole payload)" maxLength={256} data-testid="mqtt-edit-path" />
          </label>
        ) : (
          <label>
            Sparkplug metric
            <input value={mapping.metric} readOnly className="mono" />
          </label>
        )}
        <TypeAndUnit dataType={d.dataType} unit={d.unit} onType={set('dataType')} onUnit={set('unit')} testid="mqtt-edit" />
        <p className="muted">The next message is read with these settings; samples already stored keep theirs.</p>
      </div>
    </ConfirmDialog>
  )
}
