import { useEffect, useRef, useState } from 'react'
import type { AssetSummary, ChangeEntry } from '../../../../shared/contract/asset-model'
import type { ErrorShape } from '../../../../shared/model'
import { getApi } from '../../../api/client'
import { toErrorShape } from '../../../api/errors'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { AssetDetails } from './AssetDetails'
import { formatBytes } from '../../../lib/format'
import type { DraggedSource } from '../../../lib/drag'
import { CreateDialog, DeleteDialog, ImportDialog, InstantiateDialog, RestoreDialog } from './ModelDialogs'
import { ChangesPanel } from './ChangesPanel'
import { SourcesPanel } from './SourcesPanel'
import { TemplatesPanel } from './TemplatesPanel'
import { ModelTree } from './ModelTree'
import './assets.css'

type Dialog = 'import' | 'instantiate' | 'undo' | 'create' | 'delete' | 'restore'

/** Offers text as a file download through a Blob URL (the previous one is released). */
function useDownload() {
  const url = useRef<string>(undefined)
  useEffect(
    () => () => {
      if (url.current) URL.revokeObjectURL(url.current)
    },
    [],
  )
  return (name: string, type: string, text: string) => {
    if (url.current) URL.revokeObjectURL(url.current)
    url.current = URL.createObjectURL(new Blob([text], { type }))
    const a = document.createElement('a')
    a.href = url.current
    a.download = name
    a.click()
  }
}

/** Engineering › Asset model: the tree (lazy, searchable) beside the selected asset, with bulk and template actions. */
export function AssetModelPanel() {
  const [version, setVersion] = useState(0)
  const [selected, setSelected] = useState<{ id: string; path: string }>()
  const [dialog, setDialog] = useState<Dialog>()
  const [tab, setTab] = useState<'assets' | 'templates' | 'changes'>('assets')
  const [result, setResult] = useState<string>()
  const [error, setError] = useState<{ title: string; e: ErrorShape }>()
  const download = useDownload()
  useEffect(() => getApi().rpc.on('model.changed', () => setVersion((v) => v + 1)), [])

  const select = async (id: string) => {
    try {
      const a = await getApi().rpc.call('model.get', { id })
      setSelected({ id, path: a.path })
    } catch (e) {
      setError({ title: 'The asset could not be opened', e: toErrorShape(e) })
    }
  }
  const exportAs = async (format: 'json' | 'csv') => {
    setError(undefined)
    try {
      const r = await getApi().rpc.call('model.export', { format, ...(selected ? { root: selected.id } : {}) })
      const base = `asset-model-${(selected?.path ?? 'all').replace(/[^\w.-]+/g, '_')}`
      if ('text' in r) download(`${base}.csv`, 'text/csv', r.text)
      else download(`${base}.json`, 'application/json', JSON.stringify(r, null, 2))
      setResult(`Exported ${selected ? `“${selected.path}”` : 'the whole model'} as ${format.toUpperCase()}: ${'text' in r ? `${r.rows} row(s)` : `${r.assets.length} asset(s)`}`)
    } catch (e) {
      setError({ title: 'Export failed', e: toErrorShape(e) })
    }
  }
  const done = (text: string) => {
    setResult(text)
    setError(undefined)
  }
  const bind = async (asset: { id: string; path: string }, source: DraggedSource) => {
    setError(undefined)
    setResult(`Binding ${source.label} to “${asset.path}”…`)
    try {
      const r = await getApi().rpc.call('model.bind', { asset: asset.id, source: source.binding })
      const failed = r.failed.length ? ` · ${r.failed.length} refused (${r.failed.slice(0, 3).map((f) => `${f.source}: ${f.reason}`).join('; ')})` : ''
      done(
        `Bound ${r.attributes.length} attribute(s) of “${r.asset.path}” to ${source.label}: ${r.attributes.slice(0, 8).join(', ')}${r.attributes.length > 8 ? '…' : ''}` +
          ` · ${r.collected} newly collected${r.truncated ? ' · more sources than the limit, the rest not bound' : ''}${failed}`,
      )
      await select(asset.id)
    } catch (e) {
      setResult(undefined)
      setError({ title: `${source.label} could not be bound to “${asset.path}”`, e: toErrorShape(e) })
    }
  }
  const move = async (asset: { id: string; path: string }, to: { id: string; path: string } | null) => {
    setError(undefined)
    try {
      const r = await getApi().rpc.call('model.move', { id: asset.id, parent: to?.id ?? null })
      done(`Moved “${asset.path}” to “${r.path}”`)
      await select(r.id)
    } catch (e) {
      setError({ title: `“${asset.path}” could not be moved ${to ? `under “${to.path}”` : 'to the top level'}`, e: toErrorShape(e) })
    }
  }
  const backup = async () => {
    setError(undefined)
    try {
      const r = await getApi().rpc.call('model.backup', {})
      done(`Backup written: ${r.file} (${formatBytes(r.bytes)}). Restore… brings it back.`)
    } catch (e) {
      setError({ title: 'Backup failed', e: toErrorShape(e) })
    }
  }
  return (
    <section className="panel eng-panel model-panel" data-testid="asset-model-panel" aria-label="Asset model">
      <div className="panel-head">
        <h2>Asset model</h2>
        <span className="sub mono">{selected?.path ?? 'nothing selected: actions apply to the whole model'}</span>
        <span className="spacer" />
        <button onClick={() => void exportAs('json')} data-testid="model-export-json" title="Export the selected subtree (or all) as JSON">
          Export JSON
        </button>
        <button onClick={() => void exportAs('csv')} data-testid="model-export-csv" title="Export the selected subtree (or all) as CSV, one row per attribute">
          Export CSV
        </button>
        <button onClick={() => setDialog('import')} data-testid="model-import">
          Import…
        </button>
        <button onClick={() => setDialog('instantiate')} data-testid="model-instantiate">
          Instantiate template…
        </button>
        <button onClick={() => setDialog('undo')} data-testid="model-undo">
          Undo last change
        </button>
        <button onClick={() => void backup()} data-testid="model-backup" title="An online copy of the application database (assets, templates, change log)">
          Backup
        </button>
        <button onClick={() => setDialog('restore')} data-testid="model-restore" title="Replace the model with one of its backups">
          Restore…
        </button>
      </div>
      <div className="model-tabs tab-strip" role="tablist">
        <button role="tab" aria-selected={tab === 'assets'} className={tab === 'assets' ? 'on' : ''} onClick={() => setTab('assets')} data-testid="model-tab-assets">
          Assets
        </button>
        <button role="tab" aria-selected={tab === 'templates'} className={tab === 'templates' ? 'on' : ''} onClick={() => setTab('templates')} data-testid="model-tab-templates">
          Templates
        </button>
        <button role="tab" aria-selected={tab === 'changes'} className={tab === 'changes' ? 'on' : ''} onClick={() => setTab('changes')} data-testid="model-tab-changes">
          Change log
        </button>
        {tab === 'assets' && (
          <>
            <span className="spacer" />
            <button onClick={() => setDialog('create')} data-testid="model-new">
              New asset{selected ? ' here' : ''}…
            </button>
            <button onClick={() => setDialog('delete')} disabled={!selected} data-testid="model-delete">
              Delete…
            </button>
          </>
        )}
      </div>
      {error && <ErrorNotice title={error.title} error={error.e} />}
      {result && (
        <div className="eng-result" role="status" data-testid="model-result">
          {result}
        </div>
      )}
      {tab === 'templates' ? (
        <TemplatesPanel version={version} onDone={done} />
      ) : tab === 'changes' ? (
        <ChangesPanel version={version} />
      ) : (
        <div className="model-split">
          <div className="model-left">
            <Search onSelect={(id) => void select(id)} version={version} />
            <ModelTree selected={selected?.id} onSelect={(id) => void select(id)} version={version} onDropSource={(a, src) => void bind(a, src)} onMove={(a, to) => void move(a, to)} />
          </div>
          <div className="model-right panel-body">
            {selected ? <AssetDetails id={selected.id} version={version} onDone={done} /> : <div className="empty">Pick an asset on the left to see its attributes.</div>}
          </div>
          <SourcesPanel />
        </div>
      )}
      {dialog === 'import' && <ImportDialog under={selected?.id} underPath={selected?.path ?? ''} onClose={() => setDialog(undefined)} onDone={done} />}
      {dialog === 'instantiate' && <InstantiateDialog parent={selected?.id ?? null} parentPath={selected?.path ?? ''} onClose={() => setDialog(undefined)} onDone={done} />}
      {dialog === 'undo' && <UndoDialog onClose={() => setDialog(undefined)} onDone={done} />}
      {dialog === 'restore' && <RestoreDialog onClose={() => setDialog(undefined)} onDone={(text) => (done(text), setSelected(undefined))} />}
      {dialog === 'create' && <CreateDialog parent={selected ?? null} onClose={() => setDialog(undefined)} onDone={(text, id) => (done(text), void select(id))} />}
      {dialog === 'delete' && selected && <DeleteDialog asset={selected} onClose={() => setDialog(undefined)} onDone={(text) => (done(text), setSelected(undefined))} />}
    </section>
  )
}

/** `2026-12-02 02:43:24`, local time, 24 h: the same reading on every machine of the control room. */
const pad2 = (n: number) => String(n).padStart(2, '0')
function stamp(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
}

/** Names the change it would revert (the newest not undone), then reverts it. */
function UndoDialog({ onClose, onDone }: { onClose(): void; onDone(text: string): void }) {
  const [last, setLast] = useState<ChangeEntry | null>()
  useEffect(() => {
    void getApi()
      .rpc.call('model.changes', { limit: 50 })
      .then((r) => setLast(r.items.find((c) => !c.undone && c.op !== 'undo') ?? null), () => setLast(null))
  }, [])
  return (
    <ConfirmDialog
      title="Undo the last change?"
      okLabel="Undo"
      danger
      onClose={onClose}
      onConfirm={async () => {
        const r = await getApi().rpc.call('model.undo', { count: 1 })
        onDone(r.undone.length ? `Undid change #${r.undone.join(', #')}${last ? `: ${last.op} — ${last.summary}` : ''}` : 'Nothing to undo.')
      }}
    >
      {last === undefined && <p className="muted">Reading the change log…</p>}
      {last === null && <p className="muted">No change found that could be undone.</p>}
      {last && (
        <dl data-testid="model-undo-preview">
          <dt>Change</dt>
          <dd className="tabular">#{last.id} · {last.op}</dd>
          <dt>What</dt>
          <dd>{last.summary}</dd>
          <dt>When, who</dt>
          <dd className="tabular">
            {stamp(last.at)} · {last.who}
          </dd>
          <dt>Assets</dt>
          <dd className="tabular">
            {last.beforeCount} before → {last.afterCount} after
          </dd>
        </dl>
      )}
    </ConfirmDialog>
  )
}

/** `model.search` (full text, prefix per word); results replace nothing, they sit above the tree. */
function Search({ onSelect, version }: { onSelect(id: string): void; version: number }) {
  const [q, setQ] = useState('')
  const [hits, setHits] = useState<{ q: string; items: AssetSummary[] }>()
  const [error, setError] = useState<ErrorShape>()
  const run = async (query: string) => {
    setError(undefined)
    if (!query.trim()) return setHits(undefined)
    try {
      const r = await getApi().rpc.call('model.search', { query: query.trim(), limit: 50 })
      setHits({ q: query, items: r.items })
    } catch (e) {
      setError(toErrorShape(e))
    }
  }
  const shown = hits?.q
  useEffect(() => {
    if (shown) void run(shown)
  }, [version]) // only on a change: typing alone does not search
  return (
    <div className="node-search">
      <form className="search-row" onSubmit={(e) => (e.preventDefault(), void run(q))}>
        <input type="search" placeholder="Search name, path, attribute, unit, template" value={q} onChange={(e) => setQ(e.target.value)} data-testid="model-search" aria-label="Search the asset model" />
        <button type="submit">Search</button>
      </form>
      {error && <ErrorNotice title="Search failed" error={error} />}
      {hits && (
        <div className="search-results" data-testid="model-search-results" data-count={hits.items.length}>
          <span className="muted">{hits.items.length === 0 ? 'No match.' : `${hits.items.length} match(es)`}</span>
          <ul>
            {hits.items.map((a) => (
              <li key={a.id}>
                <button className="link mono" onClick={() => onSelect(a.id)}>
                  {a.path}
                </button>{' '}
                <span className="muted">{a.kind}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}
