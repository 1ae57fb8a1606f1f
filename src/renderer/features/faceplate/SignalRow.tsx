import { Fragment, memo } from 'react'
import { ConditionIcon } from '../../components/Icons'
import { useAssetsStore } from '../../stores/assets-store'
import { formatAccount, formatAge, formatSampleTimes, formatTimestamp, formatValue } from '../../lib/format'
import { useSignalView } from '../../stores/use-signal-view'
import { useSignalAccount } from './use-signal-account'
import { alarmOn, useAlarmsStore } from '../../stores/alarms-store'
import { AlarmMark } from '../alarms/priority'
import { dragSignal } from '../../lib/drag'
import { useTrendStore } from '../../stores/trend-store'
import { penFor } from '../trend/pens'

const QUALITY_TEXT = { good: 'Good', uncertain: 'Uncertain', bad: 'Bad' } as const

/**
 * One signal: attribute, value (right-aligned, fixed decimals), unit, quality as icon + word, age.
 * Subscribes to its own signal only, so a batch re-renders just the rows whose value changed (plus the 1 Hz age tick).
 */
export const SignalRow = memo(function SignalRow({ assetId, signalId, attribute, tabStop }: { assetId: string; signalId: string; attribute: string; tabStop: boolean }) {
  const alarm = useAlarmsStore((s) => alarmOn(s.byKey, assetId, attribute))
  const { sample, condition, stale, age } = useSignalView(signalId)
  const info = useAssetsStore((s) => s.catalog[signalId])
  const selected = useAssetsStore((s) => s.selectedSignalId === signalId)
  const v = formatValue(sample?.value, info, attribute)
  const account = useSignalAccount(signalId, selected)
  const when = sample
    ? `${formatTimestamp(sample.ts)} (source time)${sample.serverTs !== undefined ? `\n${formatTimestamp(sample.serverTs)} (server time)` : ''}`
    : 'No value received yet'

  const select = () => useAssetsStore.getState().selectSignal(signalId)
  const onKeyDown = (e: React.KeyboardEvent<HTMLTableRowElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      select()
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      const rows = [...(e.currentTarget.closest('.faceplate')?.querySelectorAll<HTMLElement>('tr[data-signal]') ?? [])]
      rows[rows.indexOf(e.currentTarget) + (e.key === 'ArrowDown' ? 1 : -1)]?.focus()
    }
  }

  return (
    <Fragment>
      <tr
        data-testid={`signal-row-${signalId}`}
        data-signal={signalId}
        data-condition={condition}
        data-stale={stale ? 'true' : undefined}
        className={`signal-row${selected ? ' selected' : ''} cond-${condition}`}
        tabIndex={tabStop ? 0 : -1}
        aria-current={selected ? 'true' : undefined}
        onClick={select}
        onKeyDown={onKeyDown}
        draggable={info?.dataType !== 'string'}
        onDragStart={(e) => dragSignal(e, { signal: signalId, label: attribute })}
      >
        <th scope="row" className="attr" title={`${info?.name ?? attribute}\n${signalId}${info?.description ? `\n${info.description}` : ''}`}>
          {attribute}
          {alarm && <AlarmMark mark={alarm} />}
          {selected && <span className="sr-only"> (trended)</span>}
          {info?.dataType !== 'string' && (
            <button
              className="add-trend"
              data-testid={`signal-add-trend-${signalId}`}
              title={`Add ${attribute} to the trend as another pen`}
              aria-label={`Add ${attribute} to the trend`}
              tabIndex={-1}
              onClick={(e) => {
                e.stopPropagation()
                useTrendStore.getState().addPen(penFor(signalId))
              }}
            >
              + trend
            </button>
          )}
        </th>
        <td className={`value kind-${v.kind}`} title={when}>
          {stale && (
            <span className="badge stale" title={`Stale: ${stale}`}>
              STALE
            </span>
          )}
          <span data-testid={`signal-value-${signalId}`} className="num">
            {v.text}
          </span>
        </td>
        <td className="unit">{v.kind === 'number' ? (info?.unit ?? '') : ''}</td>
        <td
          className={`quality q-${sample?.quality ?? 'none'}`}
          data-testid={`signal-quality-${signalId}`}
          data-quality={sample?.quality ?? 'none'}
          title={sample?.status ? `Status: ${sample.status}` : undefined}
        >
          <ConditionIcon condition={sample ? (sample.quality === 'good' ? 'good' : sample.quality) : 'nodata'} />
          <span className="q-text">
            {sample ? QUALITY_TEXT[sample.quality] : 'No data'}
            {sample && sample.quality !== 'good' && sample.status ? <span className="status"> · {sample.status}</span> : null}
          </span>
        </td>
        <td className={`age num${stale ? ' c-stale' : ''}`} title={`${when}${stale ? `\nStale: ${stale}` : ''}`}>
          {formatAge(age)}
        </td>
      </tr>
      {/* the trended signal shows its timestamps: source time, and the server's when it sent one */}
      {selected && sample && (
        <tr className="signal-times">
          <td colSpan={5} data-testid={`signal-times-${signalId}`}>
            {formatSampleTimes(sample)}
            {account && (
              <span className={`account${account.rejected > 0 ? ' has-rejected' : ''}`} data-testid={`signal-account-${signalId}`}>
                {' '}
                · {formatAccount(account)}
              </span>
            )}
          </td>
        </tr>
      )}
    </Fragment>
  )
})
