import { useMemo, useRef, useState } from 'react'
import { ErrorNotice } from '../../components/ErrorNotice'
import { ConditionIcon } from '../../components/Icons'
import { useAssetsStore } from '../../stores/assets-store'
import { isPeriodic } from '../../stores/condition-context'
import { useConnectionsStore } from '../../stores/connections-store'
import { formatTimestamp, formatValue } from '../../lib/format'
import { useSystemStore } from '../../stores/system-store'
import { useTrendStore } from '../../stores/trend-store'
import { useSignalView } from '../../stores/use-signal-view'
import { useUiStore } from '../../stores/ui-store'
import { TrendChart } from './TrendChart'
import { useTrendData } from './use-trend-data'
import './trend.css'

/** Which asset shows `signal` and under what attribute: the selected asset or one of its children. */
function useOwner(signal: string | undefined) {
  const index = useAssetsStore((s) => s.index)
  const selectedId = useAssetsStore((s) => s.selectedAssetId)
  return useMemo(() => {
    const node = signal && selectedId ? index?.byId.get(selectedId) : undefined
    for (const a of node ? [node, ...node.children] : []) {
      const hit = a.signals.find((x) => x.signal === signal)
      if (hit) return { assetName: a.name, attribute: hit.attribute }
    }
    return undefined
  }, [signal, index, selectedId])
}

function LiveReadout({ signal, attribute }: { signal: string; attribute: string }) {
  const { sample, stale } = useSignalView(signal)
  const info = useAssetsStore((s) => s.catalog[signal])
  if (!sample) return null
  const v = formatValue(sample.value, info, attribute)
  return (
    <span className={`readout tabular${stale ? ' is-stale' : ''}`} title={`${formatTimestamp(sample.ts)}${stale ? `\nStale: ${stale}` : ''}`}>
      {stale && <span className="badge stale">STALE</span>} {sample.quality !== 'good' && <ConditionIcon condition={sample.quality} />} {v.text}
      {v.kind === 'number' && info?.unit ? ` ${info.unit}` : ''}
    </span>
  )
}

/** Live trend of the selected signal: the last 10 minutes from history, then live. */
export function Trend() {
  const signal = useAssetsStore((s) => s.selectedSignalId)
  const info = useAssetsStore((s) => (signal ? s.catalog[signal] : undefined))
  const owner = useOwner(signal)
  const sourceKind = useConnectionsStore((s) => (info ? s.list.find((c) => c.id === info.connection)?.kind : undefined))
  const status = useTrendStore((s) => s.status)
  const hasData = useTrendStore((s) => s.buffer.t.length > 0)
  const linkUp = useSystemStore((s) => s.link.state === 'open')
  const error = useTrendStore((s) => s.error)
  const theme = useUiStore((s) => s.theme)
  const bodyRef = useRef<HTMLDivElement>(null)
  const [retry, setRetry] = useState(0)
  const trendable = info && info.dataType !== 'string'
  useTrendData(trendable ? signal : undefined, () => bodyRef.current?.clientWidth ?? 800, retry)

  const attribute = owner?.attribute ?? info?.name ?? signal ?? ''
  return (
    <section className="panel trend-panel" aria-label="Trend" data-testid="trend" data-signal={signal} data-status={status}>
      <div className="panel-head">
        <h2>Trend</h2>
        {signal && (
          <span className="sub" title={signal}>
            {owner ? `${owner.assetName} · ${owner.attribute}` : (info?.name ?? signal)}
          </span>
        )}
        {signal && <LiveReadout signal={signal} attribute={attribute} />}
        <span className="spacer" />
        {signal && trendable && <span className="sub">{linkUp ? 'last 10 min · live' : 'last 10 min · PAUSED (no link)'}</span>}
      </div>
      <div className="panel-body trend-body" ref={bodyRef}>
        {!signal && (
          <div className="empty">
            <strong>No signal trended</strong>
            <span>Click a row in the faceplate (or focus it and press Enter) to trend it here.</span>
          </div>
        )}
        {signal && !info && (
          <div className="empty">
            <strong>{signal} is not in the signal catalog</strong>
          </div>
        )}
        {info && !trendable && (
          <div className="empty">
            <strong>Text values cannot be trended</strong>
            <span>{attribute} carries text; its latest value is shown in the faceplate.</span>
          </div>
        )}
        {status === 'error' && error && <ErrorNotice title="Trend history could not be loaded" error={error} onRetry={() => setRetry((n) => n + 1)} />}
        {info && trendable && status !== 'error' && <TrendChart key={info.id} info={info} attribute={attribute} theme={theme} holdLast={!isPeriodic(sourceKind)} />}
        {status === 'loading' && !hasData && linkUp && <div className="trend-loading">Loading the last 10 minutes…</div>}
      </div>
    </section>
  )
}
