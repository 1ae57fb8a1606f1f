import { useEffect, useState } from 'react'
import type { Asset, AssetAttribute, LiveAttribute } from '../../../../shared/contract/asset-model'
import type { ErrorShape } from '../../../../shared/model'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { useRpc } from '../use-rpc'
import { AttributeEditor, DraftError, toAttribute, toDraft } from './AttributeEditor'

/** A binding as an engineer reads it: `kind connection address` (the address is the node id, topic or value). */
export function bindingText(b: AssetAttribute['binding']): string {
  if (!b) return '—'
  const { kind, connection, ...rest } = b as Record<string, unknown>
  const addr = Object.values(rest)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join(' ')
  return [kind, connection, addr].filter((x) => x !== undefined && x !== '').join(' ')
}

const fmt = (n: number | undefined) => (n === undefined ? '' : String(n))
function limitsText(l: AssetAttribute['limits']): string {
  if (!l) return '—'
  const parts = (['lolo', 'lo', 'hi', 'hihi'] as const).filter((k) => l[k] !== undefined).map((k) => `${k === 'lolo' ? 'LL' : k === 'hihi' ? 'HH' : k === 'lo' ? 'L' : 'H'} ${fmt(l[k])}`)
  return parts.join(' · ') || '—'
}

/** The selected asset: where it sits, what it is, and each attribute with its unit, range, limits, binding and live state; editable. */
export function AssetDetails({ id, version, onDone }: { id: string; version: number; onDone(text: string): void }) {
  const got = useRpc((rpc) => rpc.call('model.get', { id }), `model.get:${id}:${version}`)
  // how each attribute reaches a value now: asked again every few seconds (a source is collected after a change)
  const live = useRpc((rpc) => rpc.call('model.live', { ids: [id] }), `model.live:${id}:${version}`, 4000)
  const [editing, setEditing] = useState(false)
  useEffect(() => setEditing(false), [id])
  if (got.error?.code === 'model.unknown') return <p className="muted pad" data-testid="model-asset-gone">This asset no longer exists (deleted or undone).</p>
  if (got.error) return <ErrorNotice title="The asset could not be loaded" error={got.error} onRetry={() => void got.reload()} />
  if (!got.data) return <div className="empty">Loading…</div>
  if (editing) return <AssetEditor a={got.data} onClose={() => setEditing(false)} onDone={onDone} />
  return <Details a={got.data} live={live.data?.assets[id]} onEdit={() => setEditing(true)} />
}

const STATE_LABEL: Record<LiveAttribute['state'], string> = {
  live: 'Live',
  not_collected: 'Not collected',
  calculated: 'Calculated',
  constant: 'Constant',
  unbound: 'Not bound',
  bad_expression: 'Expression error',
}

function Details({ a, live, onEdit }: { a: Asset; live: LiveAttribute[] | undefined; onEdit(): void }) {
  const stateOf = new Map(live?.map((x) => [x.name, x]))
  const templates = useRpc((rpc) => rpc.call('model.templates.list', {}), 'model.templates.list')
  const template = a.templateId ? (templates.data?.items.find((t) => t.id === a.templateId)?.name ?? a.templateId) : undefined
  return (
    <div data-testid="model-asset" data-asset={a.id}>
      <div className="details-head">
        <button onClick={onEdit} data-testid="model-edit">
          Edit asset…
        </button>
      </div>
      <table className="attr-table">
        <tbody>
          <tr>
            <th>Path</th>
            <td className="mono" data-testid="model-asset-path">{a.path}</td>
          </tr>
          <tr>
            <th>Kind</th>
            <td>{a.kind || '—'}</td>
          </tr>
          <tr>
            <th>Template</th>
            <td title={a.templateId ?? undefined}>{template ?? '—'}</td>
          </tr>
          {a.description && (
            <tr>
              <th>Description</th>
              <td>{a.description}</td>
            </tr>
          )}
          {a.references.length > 0 && (
            <tr>
              <th>Also under</th>
              <td>{a.references.length} further parent(s)</td>
            </tr>
          )}
        </tbody>
      </table>
      <h3 className="eng-h3">Attributes ({a.attributes.length})</h3>
      {a.attributes.length === 0 ? (
        <p className="muted pad">No attributes. Drag a source from the right onto this asset in the tree, or edit the asset.</p>
      ) : (
        <table className="eng-table model-attrs" data-testid="model-attributes">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Unit</th>
              <th className="num">Range</th>
              <th>Limits</th>
              <th>Binding</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {a.attributes.map((x) => {
              const st = stateOf.get(x.name)
              return (
                <tr key={x.name} data-attr={x.name}>
                  <td>{x.name}</td>
                  <td>{x.dataType}</td>
                  <td>{x.unit ?? ''}</td>
                  <td className="num">{x.range ? `${fmt(x.range.min)} … ${fmt(x.range.max)}` : '—'}</td>
                  <td className="tabular nowrap">{limitsText(x.limits)}</td>
                  <td className="mono m-src clip" title={bindingText(x.binding)}>
                    {bindingText(x.binding)}
                  </td>
                  <td className={`m-state s-${st?.state ?? 'unknown'}`} data-testid={`model-attr-state-${x.name}`} data-state={st?.state} title={[st?.signal, st?.reason].filter(Boolean).join('\n') || undefined}>
                    {st ? STATE_LABEL[st.state] : '…'}
                    {st?.reason ? <span className="m-reason">{st.reason}</span> : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </div>
  )
}

/** Edits an asset's name, kind, description, template and attributes; saved in one `model.update` (one change, undoable). */
function AssetEditor({ a, onClose, onDone }: { a: Asset; onClose(): void; onDone(text: string): void }) {
  const templates = useRpc((rpc) => rpc.call('model.templates.list', {}), 'model.templates.list')
  const [name, setName] = useState(a.name)
  const [kind, setKind] = useState(a.kind)
  const [description, setDescription] = useState(a.description)
  const [templateId, setTemplateId] = useState(a.templateId ?? '')
  const [rows, setRows] = useState(() => a.attributes.map(toDraft))
  const [error, setError] = useState<ErrorShape>()
  const [draftError, setDraftError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const save = async () => {
    setError(undefined)
    setDraftError(undefined)
    let attributes
    try {
      attributes = rows.map(toAttribute)
    } catch (e) {
      if (!(e instanceof DraftError)) throw e
      return setDraftError(e.message)
    }
    setBusy(true)
    try {
      const r = await getApi().rpc.call('model.update', { id: a.id, name, kind, description, templateId: templateId || null, attributes })
      onDone(`Saved “${r.path}”: ${r.attributes.length} attribute(s)`)
      onClose()
    } catch (e) {
      setError(toErrorShape(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="asset-editor" data-testid="model-editor">
      <div className="model-form two">
        <label htmlFor="ed-name">Name</label>
        <input id="ed-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="model-ed-name" />
        <label htmlFor="ed-kind">Kind</label>
        <input id="ed-kind" value={kind} onChange={(e) => setKind(e.target.value)} list="ed-kinds" placeholder="site, area, line, pump…" />
        <datalist id="ed-kinds">
          {['site', 'area', 'line', 'unit', 'equipment', 'tank', 'pump', 'valve', 'meter', 'sensor', 'folder'].map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
        <label htmlFor="ed-template">Template</label>
        <select id="ed-template" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
          <option value="">(none)</option>
          {templates.data?.items.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
          {templateId && !templates.data?.items.some((t) => t.id === templateId) && <option value={templateId}>{templateId}</option>}
        </select>
        <label htmlFor="ed-desc">Description</label>
        <input id="ed-desc" value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <h3 className="eng-h3">Attributes</h3>
      <AttributeEditor rows={rows} onChange={setRows} testid="model-ed-attrs" />
      {error && <ErrorNotice title="Not saved" error={error} />}
      {draftError && (
        <p className="form-error" role="alert" data-testid="model-ed-error">
          Not saved: {draftError}
        </p>
      )}
      <div className="editor-actions">
        <button onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button className="primary" onClick={() => void save()} disabled={busy} data-testid="model-ed-save">
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </div>
  )
}
