import { useEffect, useRef, useState } from 'react'
import type { EventPayload } from '../../../../shared/contract'
import type { ImportMode, ImportReport } from '../../../../shared/contract/asset-model'
import type { ErrorShape } from '../../../../shared/model'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { formatBytes } from '../../../lib/format'
import { useRpc } from '../use-rpc'

/** Names one per line, blank lines and surrounding spaces dropped. */
export const namesOf = (text: string) => text.split('\n').map((s) => s.trim()).filter(Boolean)

/** One asset per name from a template, under `parent`, in one step; a pattern that cannot be filled refuses it all. */
export function InstantiateDialog({ parent, parentPath, onClose, onDone }: { parent: string | null; parentPath: string; onClose(): void; onDone(text: string): void }) {
  const list = useRpc((rpc) => rpc.call('model.templates.list', {}), 'model.templates.list')
  const [template, setTemplate] = useState('')
  const [names, setNames] = useState('')
  const chosen = template || list.data?.items[0]?.id || ''
  return (
    <ConfirmDialog
      title="Instantiate a template"
      okLabel="Instantiate"
      onClose={onClose}
      onConfirm={async () => {
        const n = namesOf(names)
        const r = await getApi().rpc.call('model.instantiate', { template: chosen, parent, names: n })
        onDone(`Created ${r.assets.length} asset(s) from “${chosen}”: ${r.assets.map((a) => a.path).join(', ')}`)
      }}
    >
      {list.error && <ErrorNotice title="Templates could not be loaded" error={list.error} />}
      <div className="model-form">
        <label htmlFor="model-inst-template">Template</label>
        <select id="model-inst-template" data-testid="model-inst-template" value={chosen} onChange={(e) => setTemplate(e.target.value)}>
          {list.data?.items.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.attributes.length} attributes, {t.instanceCount} instances)
            </option>
          ))}
        </select>
        <label htmlFor="model-inst-names">Names, one per line</label>
        <textarea id="model-inst-names" data-testid="model-inst-names" rows={6} value={names} onChange={(e) => setNames(e.target.value)} />
        <span className="muted">Under</span>
        <span className="mono">{parentPath || '(top level)'}</span>
      </div>
      {list.data?.items.length === 0 && <p className="muted">No templates yet: create one through the API or an import.</p>}
    </ConfirmDialog>
  )
}

const SHOWN = 8
function ReportList({ label, refs }: { label: string; refs: { path: string }[] }) {
  return (
    <div className="model-report-row" data-testid={`model-import-${label}`} data-count={refs.length}>
      <strong className="tabular">{refs.length}</strong> {label}
      {refs.length > 0 && (
        <span className="mono m-src">
          {' '}
          {refs.slice(0, SHOWN).map((r) => r.path).join(', ')}
          {refs.length > SHOWN ? ` … and ${refs.length - SHOWN} more` : ''}
        </span>
      )}
    </div>
  )
}

/** Import a JSON or CSV document under the selected asset: "Check" is a dry run that changes nothing, "Import" applies. */
export function ImportDialog({ under, underPath, onClose, onDone }: { under?: string; underPath: string; onClose(): void; onDone(text: string): void }) {
  const [text, setText] = useState('')
  const [format, setFormat] = useState<'json' | 'csv'>('json')
  const [mode, setMode] = useState<ImportMode>('by-path')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorShape>()
  const [report, setReport] = useState<ImportReport>()
  const [progress, setProgress] = useState<EventPayload<'model.importProgress'>>()
  // the core tells the importing session how far it got (at most ~5 times a second)
  useEffect(() => getApi().rpc.on('model.importProgress', (p) => setProgress(p)), [])
  // a document exported from the top (paths from the top) goes in at the top; a subtree of its own goes under the selection
  const [scoped, setScoped] = useState(!!under)
  // Escape closes even when focus fell to the page (the pressed button is disabled while a call runs)
  const busyRef = useRef(busy)
  busyRef.current = busy
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !busyRef.current && onClose()
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  const run = async (dryRun: boolean) => {
    setBusy(true)
    setError(undefined)
    setProgress(undefined)
    try {
      const r = await getApi().rpc.call('model.import', { text, format, mode, dryRun, ...(under && scoped ? { under } : {}) })
      if (dryRun) setReport(r)
      else {
        onDone(`Imported: ${r.create.length} created, ${r.update.length} updated, ${r.delete.length} deleted (change #${r.change ?? '—'})`)
        onClose()
        return
      }
    } catch (e) {
      setError(toErrorShape(e))
      setReport(undefined)
    }
    setBusy(false)
  }
  const pick = async (f: File | undefined) => {
    if (!f) return
    setText(await f.text())
    if (/\.csv$/i.test(f.name)) setFormat('csv')
    else if (/\.json$/i.test(f.name)) setFormat('json')
    setReport(undefined)
  }
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div className="modal model-import" role="dialog" aria-modal="true" aria-label="Import" data-testid="model-import-dialog">
        <h3>Import into the asset model</h3>
        <div className="model-form">
          <label htmlFor="model-import-file">File</label>
          <input id="model-import-file" type="file" accept=".json,.csv,application/json,text/csv" data-testid="model-import-file" onChange={(e) => void pick(e.target.files?.[0])} />
          <label htmlFor="model-import-format">Format</label>
          <select id="model-import-format" value={format} onChange={(e) => (setFormat(e.target.value as 'json' | 'csv'), setReport(undefined))}>
            <option value="json">JSON (full fidelity)</option>
            <option value="csv">CSV (one row per attribute)</option>
          </select>
          <label htmlFor="model-import-mode">Mode</label>
          <select id="model-import-mode" value={mode} onChange={(e) => (setMode(e.target.value as ImportMode), setReport(undefined))}>
            <option value="by-path">by path: match existing assets by their path</option>
            <option value="by-id">by id: match existing assets by their id</option>
            <option value="replace">replace: the subtree becomes the file (deletes the rest)</option>
          </select>
          <span className="muted">Into</span>
          <label className="model-check">
            <input type="checkbox" checked={scoped} disabled={!under} data-testid="model-import-under" onChange={(e) => (setScoped(e.target.checked), setReport(undefined))} />
            under <span className="mono">{underPath || '(nothing selected)'}</span>, else the top level
          </label>
        </div>
        <textarea className="model-import-text mono" rows={8} placeholder="…or paste the document here" value={text} data-testid="model-import-text" onChange={(e) => (setText(e.target.value), setReport(undefined))} />
        {busy && progress && (
          <div className="import-progress" role="status" data-testid="model-import-progress" data-phase={progress.phase} data-done={progress.done} data-total={progress.total}>
            <span>{progress.phase === 'check' ? 'Checking' : 'Writing'}</span>
            <progress max={progress.total || 1} value={progress.done} />
            <span className="tabular">
              {progress.done.toLocaleString('en-US')} / {progress.total.toLocaleString('en-US')} assets
            </span>
          </div>
        )}
        {error && <ErrorNotice title="The import was refused; nothing changed" error={error} />}
        {report && (
          <div className="eng-result" data-testid="model-import-report">
            <div className="muted">Dry run — nothing changed yet:</div>
            <ReportList label="created" refs={report.create} />
            <ReportList label="updated" refs={report.update} />
            <ReportList label="deleted" refs={report.delete} />
            {report.templates && (report.templates.create.length > 0 || report.templates.update.length > 0) && (
              <div className="model-report-row">
                Templates: {report.templates.create.length} created, {report.templates.update.length} updated
              </div>
            )}
          </div>
        )}
        <div className="modal-actions">
          <button onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button onClick={() => void run(true)} disabled={busy || !text} data-testid="model-import-check">
            Check
          </button>
          <button className="primary" onClick={() => void run(false)} disabled={busy || !text || !report} title={report ? '' : 'Check first'} data-testid="model-import-apply">
            {busy ? 'Working…' : 'Import'}
          </button>
        </div>
      </div>
    </div>
  )
}

/** A new asset under the selection (or at the top level): a name and a kind; attributes are added by editing or dragging. */
export function CreateDialog({ parent, onClose, onDone }: { parent: { id: string; path: string } | null; onClose(): void; onDone(text: string, id: string): void }) {
  const [name, setName] = useState('')
  const [kind, setKind] = useState('equipment')
  return (
    <ConfirmDialog
      title="New asset"
      okLabel="Create"
      onClose={onClose}
      onConfirm={async () => {
        const a = await getApi().rpc.call('model.create', { parent: parent?.id ?? null, name: name.trim(), kind: kind.trim() })
        onDone(`Created “${a.path}”`, a.id)
      }}
    >
      <div className="model-form">
        <label htmlFor="model-new-name">Name</label>
        <input id="model-new-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="model-new-name" />
        <label htmlFor="model-new-kind">Kind</label>
        <input id="model-new-kind" value={kind} onChange={(e) => setKind(e.target.value)} data-testid="model-new-kind" placeholder="site, area, line, pump…" />
        <span className="muted">Under</span>
        <span className="mono">{parent?.path ?? '(top level)'}</span>
      </div>
    </ConfirmDialog>
  )
}

/** Deleting says first what would go (the asset, its descendants, the references elsewhere), then deletes on confirm. */
export function DeleteDialog({ asset, onClose, onDone }: { asset: { id: string; path: string }; onClose(): void; onDone(text: string): void }) {
  const preview = useRpc((rpc) => rpc.call('model.delete', { id: asset.id }), `model.delete?${asset.id}`)
  const p = preview.data
  return (
    <ConfirmDialog
      title={`Delete “${asset.path}”?`}
      okLabel="Delete"
      danger
      onClose={onClose}
      onConfirm={async () => {
        const r = await getApi().rpc.call('model.delete', { id: asset.id, confirm: true })
        onDone(`Deleted ${r.assetCount} asset(s) under “${asset.path}”${r.unlinkedCount ? `, ${r.unlinkedCount} reference(s) removed` : ''} (change #${r.change ?? '—'}; Undo brings them back)`)
      }}
    >
      {preview.error && <ErrorNotice title="What it would delete could not be read" error={preview.error} />}
      {!p && !preview.error && <p className="muted">Reading what it would delete…</p>}
      {p && (
        <div data-testid="model-delete-preview" data-count={p.assetCount}>
          <p>
            <strong className="tabular">{p.assetCount}</strong> asset(s) would be deleted
            {p.unlinkedCount > 0 ? (
              <>
                , and <strong className="tabular">{p.unlinkedCount}</strong> asset(s) elsewhere lose a reference to them
              </>
            ) : null}
            .
          </p>
          <ul className="mono m-src">
            {p.assets.slice(0, SHOWN).map((r) => (
              <li key={r.id}>{r.path}</li>
            ))}
            {p.assetCount > SHOWN && <li className="muted">… and {p.assetCount - SHOWN} more</li>}
          </ul>
        </div>
      )}
    </ConfirmDialog>
  )
}

/** Restores a backup while running: the whole model (assets, templates, change log) becomes the backup's. */
export function RestoreDialog({ onClose, onDone }: { onClose(): void; onDone(text: string): void }) {
  const list = useRpc((rpc) => rpc.call('model.backups', {}), 'model.backups')
  const [picked, setPicked] = useState<string>()
  const items = list.data?.items ?? []
  const name = picked ?? items[0]?.name
  return (
    <ConfirmDialog
      title="Restore a backup of the asset model?"
      okLabel="Restore"
      danger
      onClose={onClose}
      onConfirm={async () => {
        if (!name) throw Object.assign(new Error('No backup chosen'), { code: 'model.bad_backup' })
        const r = await getApi().rpc.call('model.restore', { name })
        onDone(`Restored ${r.restored} (schema ${r.from}${r.to !== r.from ? ` → ${r.to}` : ''}); the model it replaced is kept as ${r.previous ?? '—'}`)
      }}
    >
      <p>
        The whole model — assets, templates and the change log — becomes the backup’s, for every window at once. The current one is kept as{' '}
        <span className="mono">app.db.bak</span>; Undo cannot revert a restore.
      </p>
      {list.error && <ErrorNotice title="Backups could not be listed" error={list.error} />}
      {list.data && items.length === 0 && <p className="muted">No backups yet: make one with Backup.</p>}
      <ul className="restore-list" data-testid="model-restore-list">
        {items.slice(0, 30).map((b) => (
          <li key={b.name}>
            <label>
              <input type="radio" name="backup" checked={name === b.name} onChange={() => setPicked(b.name)} /> <span className="mono">{b.name}</span>{' '}
              <span className="muted tabular">
                {new Date(b.at).toLocaleString('en-GB')} · {formatBytes(b.bytes)}
              </span>
            </label>
          </li>
        ))}
      </ul>
    </ConfirmDialog>
  )
}
