import { ErrorNotice } from '../../components/ErrorNotice'
import { KindGlyph } from '../../components/Icons'
import { useAssetsStore } from '../../stores/assets-store'
import { useLiveStore } from '../../stores/live-store'
import { ancestorsOf, faceplateGroups } from '../../lib/tree'
import { openAsset } from '../../session/model-view'
import { SignalTable } from './SignalTable'
import { CommandPanel } from '../commands/CommandPanel'
import './faceplate.css'

/** The selected asset's signals (and its direct children's), live. */
export function Faceplate() {
  const index = useAssetsStore((s) => s.index)
  const selectedId = useAssetsStore((s) => s.selectedAssetId)
  const liveError = useLiveStore((s) => s.liveError)
  const trended = useAssetsStore((s) => s.selectedSignalId)
  const node = selectedId ? index?.byId.get(selectedId) : undefined

  if (!node || !index) {
    return (
      <section className="panel faceplate is-empty" aria-label="Faceplate">
        <div className="panel-head">
          <h2>Faceplate</h2>
        </div>
        {index ? (
          <div className="empty" data-testid="faceplate-empty">
            <strong>Select an asset in the tree</strong>
            <span>
              Click it, or use <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>→</kbd> to open, <kbd>Enter</kbd> to select.
            </span>
          </div>
        ) : (
          <div className="empty" data-testid="faceplate-empty">
            <strong>Waiting for the asset tree…</strong>
          </div>
        )}
      </section>
    )
  }

  const path = ancestorsOf(node.id, index).map((id) => index.byId.get(id)?.name ?? id)
  const { groups, containers } = faceplateGroups(node)
  const shown = groups.flatMap((g) => g.signals.map((x) => x.signal))
  const tabStop = trended && shown.includes(trended) ? trended : shown[0]
  return (
    <section className="panel faceplate" aria-label={`Faceplate of ${node.name}`} data-testid="faceplate">
      <div className="panel-head">
        <KindGlyph kind={node.kind} />
        <h2>{node.name}</h2>
        <span className="sub">
          {node.kind}
          {path.length ? ` · ${path.join(' › ')}` : ''}
        </span>
      </div>
      <div className="panel-body">
        {liveError && <ErrorNotice title="Live values are not updating" error={liveError} />}
        {groups.length === 0 && containers.length === 0 && (
          <div className="empty">
            <strong>{node.name} has no attributes</strong>
          </div>
        )}
        {groups.length > 0 && (
          <div className={`groups${groups.length > 1 ? ' multi' : ''}`}>
            {groups.map((g) => (
              <SignalTable key={g.asset.id} group={g} titled={g.asset.id !== node.id} tabStop={tabStop} />
            ))}
          </div>
        )}
        <CommandPanel assetId={node.id} />
        {containers.length > 0 && (
          <div className="containers">
            <span className="label">Contains</span>
            {containers.map((c) => (
              <button key={c.id} onClick={() => void openAsset(c.id)}>
                <KindGlyph kind={c.kind} /> {c.name}
              </button>
            ))}
          </div>
        )}
      </div>
    </section>
  )
}
