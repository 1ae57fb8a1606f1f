import { memo } from 'react'
import { ErrorNotice } from '../../components/ErrorNotice'
import { ConditionIcon, KindGlyph } from '../../components/Icons'
import { formatAge, formatValue } from '../../lib/format'
import { useOverviewStore, type KeyAttribute, type OverviewItem } from '../../session/overview'
import { alarmUnder, useAlarmsStore } from '../../stores/alarms-store'
import { useAssetsStore } from '../../stores/assets-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { useSignalView } from '../../stores/use-signal-view'
import { AlarmMark } from '../alarms/priority'
import './overview.css'

/**
 * The landing screen: the plant as cards (each line or area with its equipment), every piece with its key values
 * live — a level as a bar within its range, a pump's state and speed — and its alarm and quality marks. Calm grey
 * while all is well; colour only for what is abnormal. A click opens the faceplate.
 */
export function Overview() {
  const cards = useOverviewStore((s) => s.cards)
  const loaded = useOverviewStore((s) => s.loaded)
  const error = useOverviewStore((s) => s.error)
  return (
    <section className="panel overview" aria-label="Plant overview" data-testid="overview">
      <div className="panel-head">
        <h2>Plant overview</h2>
        <span className="sub">{cards.reduce((n, c) => n + c.items.length, 0)} pieces of equipment</span>
      </div>
      <div className="panel-body overview-body">
        {error && <ErrorNotice title="The overview could not be built" error={error} />}
        {!loaded && <div className="empty">Loading the plant…</div>}
        {loaded && !error && cards.length === 0 && (
          <div className="empty" data-testid="overview-empty">
            <strong>No equipment yet</strong>
            <span>An engineer builds the plant in Engineering › Asset model.</span>
          </div>
        )}
        <div className="ov-cards">
          {cards.map((c) => (
            <article key={c.id || 'top'} className="ov-card" data-testid={`ov-card-${c.path}`} aria-label={c.path || c.name}>
              <h3>
                {c.id ? (
                  <button className="link" onClick={() => open(c.id)}>
                    {c.name}
                  </button>
                ) : (
                  <span className="muted">{c.name}</span>
                )}
                {c.id && <CardAlarm path={c.path} />}
              </h3>
              <div className="ov-items">
                {c.items.map((i) => (
                  <Item key={i.id} item={i} />
                ))}
              </div>
              {c.more > 0 && <div className="muted ov-more">… and {c.more} more in the tree</div>}
            </article>
          ))}
        </div>
      </div>
    </section>
  )
}

const open = (id: string) => useWorkspaceStore.getState().openAssetTab(id, useAssetsStore.getState().index?.byId.get(id)?.name ?? id)

function CardAlarm({ path }: { path: string }) {
  const mark = useAlarmsStore((s) => alarmUnder(s.byKey, path))
  return mark ? <AlarmMark mark={mark} /> : null
}

const Item = memo(function Item({ item }: { item: OverviewItem }) {
  const mark = useAlarmsStore((s) => alarmUnder(s.byKey, item.path))
  return (
    <button className={`ov-item${mark ? ` has-alarm p-${mark.split(':')[0]}` : ''}`} onClick={() => open(item.id)} data-testid={`ov-item-${item.path}`} title={`${item.path} — open its faceplate`}>
      <span className="ov-name">
        <KindGlyph kind={item.kind} /> {item.name}
        {mark && <AlarmMark mark={mark} />}
      </span>
      {item.keys.map((k) => (
        <Key key={k.name} k={k} />
      ))}
    </button>
  )
})

/** One key value: a state word, a bar within the range (with the value and unit), or a plain value; quality marked. */
function Key({ k }: { k: KeyAttribute }) {
  if (!k.signal) {
    return (
      <span className="ov-key fixed" title={k.fixed}>
        <span className="ov-k">{k.name}</span> <span className="muted">{k.fixed && k.fixed.length < 12 ? k.fixed : '—'}</span>
      </span>
    )
  }
  return <LiveKey k={k} signal={k.signal} />
}

function LiveKey({ k, signal }: { k: KeyAttribute; signal: string }) {
  const { sample, condition, stale, age } = useSignalView(signal)
  const v = formatValue(sample?.value, { range: k.range ? [k.range.min, k.range.max] : undefined, decimals: k.decimals, enumeration: k.enumeration }, k.name)
  const abnormal = condition === 'bad' || condition === 'stale' || condition === 'uncertain'
  const title = `${k.name}: ${v.text}${k.unit ? ` ${k.unit}` : ''}${stale ? `\nStale: ${stale}` : ''}${sample?.status ? `\nStatus: ${sample.status}` : ''}${sample ? `\n${formatAge(age)} ago` : ''}`
  if (k.kind === 'state') {
    return (
      <span className={`ov-key state c-${condition}`} title={title} data-testid={`ov-value-${signal}`} data-condition={condition}>
        <span className="ov-state">{v.text}</span>
        {abnormal && <ConditionIcon condition={condition} />}
      </span>
    )
  }
  const n = typeof sample?.value === 'number' ? sample.value : undefined
  const frac = k.range && n !== undefined ? Math.max(0, Math.min(1, (n - k.range.min) / (k.range.max - k.range.min || 1))) : undefined
  const lim = k.limits
  const beyond = n !== undefined && lim ? (lim.hihi !== undefined && n >= lim.hihi) || (lim.lolo !== undefined && n <= lim.lolo) : false
  const near = n !== undefined && lim ? (lim.hi !== undefined && n >= lim.hi) || (lim.lo !== undefined && n <= lim.lo) : false
  return (
    <span className={`ov-key ${k.kind} c-${condition}`} title={title} data-testid={`ov-value-${signal}`} data-condition={condition}>
      <span className="ov-k">{k.name}</span>
      {frac !== undefined && (
        <span className={`ov-bar${beyond ? ' beyond' : near ? ' near' : ''}`} aria-hidden="true">
          <span className="ov-fill" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
        </span>
      )}
      <span className="ov-v tabular">
        {stale && <span className="badge stale">STALE</span>}
        {abnormal && !stale && <ConditionIcon condition={condition} />}
        {v.text}
        {v.kind === 'number' && k.unit ? <span className="ov-unit"> {k.unit}</span> : null}
      </span>
    </span>
  )
}
