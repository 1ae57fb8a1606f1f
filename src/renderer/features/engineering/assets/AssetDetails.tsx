import type { Asset, AssetAttribute } from '../../../../shared/contract/asset-model'
import { ErrorNotice } from '../../../components/ErrorNotice'
import { useRpc } from '../use-rpc'

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

/** The selected asset: where it sits, what it is, and each attribute with its unit, range, limits and binding. */
export function AssetDetails({ id, version }: { id: string; version: number }) {
  const got = useRpc((rpc) => rpc.call('model.get', { id }), `model.get:${id}:${version}`)
  if (got.error?.code === 'model.unknown') return <p className="muted pad" data-testid="model-asset-gone">This asset no longer exists (deleted or undone).</p>
  if (got.error) return <ErrorNotice title="The asset could not be loaded" error={got.error} onRetry={() => void got.reload()} />
  if (!got.data) return <div className="empty">Loading…</div>
  return <Details a={got.data} />
}

function Details({ a }: { a: Asset }) {
  return (
    <div data-testid="model-asset" data-asset={a.id}>
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
            <td>{a.templateId ?? '—'}</td>
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
        <p className="muted pad">No attributes.</p>
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
            </tr>
          </thead>
          <tbody>
            {a.attributes.map((x) => (
              <tr key={x.name} data-attr={x.name}>
                <td>{x.name}</td>
                <td>{x.dataType}</td>
                <td>{x.unit ?? ''}</td>
                <td className="num">{x.range ? `${fmt(x.range.min)} … ${fmt(x.range.max)}` : '—'}</td>
                <td className="tabular nowrap">{limitsText(x.limits)}</td>
                <td className="mono m-src">{bindingText(x.binding)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
