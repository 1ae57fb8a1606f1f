import { useEffect, useState } from 'react'
import type { Result } from '../../../../shared/contract'
import type { Template } from '../../../../shared/contract/asset-model'
import type { ErrorShape } from '../../../../shared/model'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { useRpc } from '../use-rpc'
import { AttributeEditor, DraftError, toAttribute, toDraft, type AttributeDraft } from './AttributeEditor'

type Preview = Result<'model.templates.preview'>
const SHOWN = 50

/**
 * Engineering › Asset model › Templates: the templates with their instance counts; the selected one's name, base and
 * attributes (binding strings are patterns: `ns=2;s={asset}.Flow`). A change is previewed instance by instance, then
 * applied to the template and all its instances in one step (one undo reverts it).
 */
export function TemplatesPanel({ version, onDone }: { version: number; onDone(text: string): void }) {
  const list = useRpc((rpc) => rpc.call('model.templates.list', {}), `model.templates.list:${version}`)
  const [picked, setPicked] = useState<string | 'new'>()
  const items = list.data?.items ?? []
  const current = picked === 'new' ? undefined : (items.find((t) => t.id === picked) ?? items[0])
  return (
    <div className="model-split templates" data-testid="model-templates">
      <div className="model-left">
        <div className="tpl-head">
          <button onClick={() => setPicked('new')} data-testid="tpl-new">
            + New template
          </button>
        </div>
        {list.error && <ErrorNotice title="Templates could not be loaded" error={list.error} onRetry={() => void list.reload()} />}
        <ul className="tpl-list" role="listbox" aria-label="Templates">
          {items.map((t) => (
            <li key={t.id}>
              <button
                role="option"
                aria-selected={picked !== 'new' && current?.id === t.id}
                className={`b-row${picked !== 'new' && current?.id === t.id ? ' selected' : ''}`}
                onClick={() => setPicked(t.id)}
                data-testid={`tpl-${t.id}`}
              >
                <span className="name">{t.name}</span>
                <span className="m-kind">{t.base ? `← ${items.find((b) => b.id === t.base)?.name ?? t.base}` : ''}</span>
                <span className="m-count tabular" title={`${t.instanceCount} instance(s)`}>
                  {t.instanceCount} inst
                </span>
              </button>
            </li>
          ))}
        </ul>
        {list.data && items.length === 0 && <p className="muted pad">No templates yet.</p>}
      </div>
      <div className="model-right panel-body wide">
        {picked === 'new' ? (
          <TemplateEditor key="new" templates={items} onDone={(text, id) => (onDone(text), setPicked(id))} />
        ) : current ? (
          <TemplateEditor key={`${current.id}:${version}`} template={current} instanceCount={current.instanceCount} templates={items} onDone={onDone} />
        ) : (
          <div className="empty">Pick a template, or make a new one.</div>
        )}
      </div>
    </div>
  )
}

function TemplateEditor({ template, instanceCount = 0, templates, onDone }: { template?: Template; instanceCount?: number; templates: Template[]; onDone(text: string, id: string): void }) {
  const [name, setName] = useState(template?.name ?? '')
  const [description, setDescription] = useState(template?.description ?? '')
  const [base, setBase] = useState(template?.base ?? '')
  const [rows, setRows] = useState<AttributeDraft[]>(() => template?.attributes.map(toDraft) ?? [])
  const [preview, setPreview] = useState<Preview>()
  const [error, setError] = useState<ErrorShape>()
  const [draftError, setDraftError] = useState<string>()
  const [busy, setBusy] = useState(false)
  // any edit makes the shown preview stale: apply only what was previewed
  useEffect(() => setPreview(undefined), [name, description, base, rows])

  const change = () => {
    setDraftError(undefined)
    try {
      return { name: name.trim(), description, base: base || null, attributes: rows.map(toAttribute) }
    } catch (e) {
      if (!(e instanceof DraftError)) throw e
      setDraftError(e.message)
      return undefined
    }
  }
  const call = async (what: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await what()
    } catch (e) {
      setError(toErrorShape(e))
    } finally {
      setBusy(false)
    }
  }
  const create = () => {
    const c = change()
    if (c) void call(async () => {
      const t = await getApi().rpc.call('model.templates.create', c)
      onDone(`Created template “${t.name}” with ${t.attributes.length} attribute(s)`, t.id)
    })
  }
  const runPreview = () => {
    const c = change()
    if (c && template) void call(async () => setPreview(await getApi().rpc.call('model.templates.preview', { id: template.id, ...c })))
  }
  const apply = () => {
    const c = change()
    if (c && template) void call(async () => {
      const r = await getApi().rpc.call('model.templates.apply', { id: template.id, ...c })
      onDone(`Applied template “${r.template.name}”: ${r.instances.length} instance(s) changed (change #${r.change})`, r.template.id)
    })
  }
  return (
    <div className="tpl-editor" data-testid="tpl-editor">
      <div className="model-form two">
        <label htmlFor="tpl-name">Name</label>
        <input id="tpl-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="tpl-name" />
        <label htmlFor="tpl-base">Derives from</label>
        <select id="tpl-base" value={base} onChange={(e) => setBase(e.target.value)}>
          <option value="">(nothing)</option>
          {templates
            .filter((t) => t.id !== template?.id)
            .map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
        </select>
        <label htmlFor="tpl-desc">Description</label>
        <input id="tpl-desc" value={description} onChange={(e) => setDescription(e.target.value)} />
        <span className="muted">Id</span>
        <span className="mono">{template?.id ?? '(made when created)'}</span>
      </div>
      <h3 className="eng-h3">
        Attributes <span className="muted">· binding strings are patterns: {'{asset}'}, {'{parent}'}, {'{path}'}, {'{line}'} (the nearest ancestor of that kind)</span>
      </h3>
      <AttributeEditor rows={rows} onChange={setRows} testid="tpl-attrs" />
      {draftError && (
        <p className="form-error" role="alert">
          {draftError}
        </p>
      )}
      {error && <ErrorNotice title="Refused; nothing changed" error={error} />}
      <div className="editor-actions">
        {template ? (
          <>
            <button onClick={runPreview} disabled={busy} data-testid="tpl-preview">
              Preview changes
            </button>
            <button className="primary" onClick={apply} disabled={busy || !preview} title={preview ? '' : 'Preview first'} data-testid="tpl-apply">
              Apply to template and {preview ? preview.instanceCount : instanceCount} instance(s)
            </button>
          </>
        ) : (
          <button className="primary" onClick={create} disabled={busy || !name.trim()} data-testid="tpl-create">
            Create template
          </button>
        )}
      </div>
      {preview && <PreviewReport p={preview} />}
    </div>
  )
}

function PreviewReport({ p }: { p: Preview }) {
  const changed = p.instances.filter((i) => i.added.length || i.removed.length || Object.keys(i.changed).length)
  return (
    <div className="eng-result tpl-preview" data-testid="tpl-preview-report" data-changed={changed.length} data-count={p.instanceCount}>
      <div className="muted">
        Preview — nothing changed yet: {changed.length} of {p.instanceCount} instance(s) would change.
      </div>
      <table className="eng-table">
        <thead>
          <tr>
            <th>Instance</th>
            <th>Added</th>
            <th>Removed</th>
            <th>Changed</th>
          </tr>
        </thead>
        <tbody>
          {changed.slice(0, SHOWN).map((i) => (
            <tr key={i.assetId} data-testid={`tpl-preview-${i.path}`}>
              <td className="mono">{i.path}</td>
              <td>{i.added.join(', ')}</td>
              <td>{i.removed.join(', ')}</td>
              <td>
                {Object.entries(i.changed)
                  .map(([a, fields]) => `${a} (${fields.join(', ')})`)
                  .join('; ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {changed.length > SHOWN && <div className="muted">… and {changed.length - SHOWN} more</div>}
    </div>
  )
}
