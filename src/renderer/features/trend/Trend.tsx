import { useEffect, useMemo, useRef, useState } from 'react'
import type { ConnectionState } from '../../../shared/model'
import { ErrorNotice } from '../../components/ErrorNotice'
import { carries, dropped, isSignal, SIGNAL_MIME } from '../../lib/drag'
import { decimalsFor, formatNumber, stateKeys } from '../../lib/format'
import { toCsv } from '../../lib/trend-csv'
import { windowOf, panWindow, zoomWindow } from '../../lib/trend-range'
import { statsBetween } from '../../lib/trend-stats'
import { formatZoned, fromLocalInput, isTimeZone, toLocalInput } from '../../lib/trend-time'
import { parseViewFile, penColor, viewFile, type Compare, type PenConfig } from '../../lib/trend-view'
import { useAssetsStore } from '../../stores/assets-store'
import { isPeriodic } from '../../stores/condition-context'
import { useConnectionsStore } from '../../stores/connections-store'
import { serverNow, useSystemStore } from '../../stores/system-store'
import { compareKey, RANGE_PRESETS, useTrendStore } from '../../stores/trend-store'
import { useUiStore } from '../../stores/ui-store'
import { useWorkspaceStore } from '../../stores/workspace-store'
import { fmt, TrendChart, type ChartHandle, type ChartPen } from './TrendChart'
import { penFor } from './pens'
import { useTrendData } from './use-trend-data'
import './trend.css'

const COMPARE_TEXT: Record<Compare, string> = { none: 'No compare', '1d': 'vs yesterday', '7d': 'vs last week' }

function download(name: string, blob: Blob) {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
}

const fileStamp = (ms: number, tz: string) => formatZoned(ms, tz).replace(/[: ]/g, '-')

/** The pens as the chart draws them: the model's current unit and labels where loaded, the pen's saved ones otherwise. */
function useChartPens(): { all: ChartPen[]; visible: ChartPen[] } {
  const pens = useTrendStore((s) => s.pens)
  const catalog = useAssetsStore((s) => s.catalog)
  // each connection's kind only: the list itself changes with every state and counter update, and a new pen list
  // rebuilds the chart
  const kinds = useConnectionsStore((s) => s.list.map((c) => `${c.id}\n${c.kind}`).join('\n'))
  const theme = useUiStore((s) => s.theme)
  return useMemo(() => {
    const parts = kinds ? kinds.split('\n') : []
    const kindOf = new Map<string, ConnectionState['kind']>()
    for (let i = 0; i + 1 < parts.length; i += 2) kindOf.set(parts[i]!, parts[i + 1] as ConnectionState['kind'])
    const all = pens.map((pen): ChartPen => {
      const info = catalog[pen.signal]
      const unit = info?.unit ?? pen.unit ?? ''
      const range = info?.range ?? pen.range
      const kind = info?.connection !== undefined ? kindOf.get(info.connection) : undefined
      const dataType = info?.dataType ?? pen.dataType ?? 'number'
      return {
        pen,
        color: penColor(pen, theme),
        label: pen.label,
        unit,
        decimals: decimalsFor({ range, decimals: info?.decimals ?? pen.decimals }),
        range,
        isBool: dataType === 'boolean',
        ...(info?.enumeration && (dataType === 'number' || dataType === 'boolean') && stateKeys(info.enumeration).length > 0 ? { states: info.enumeration } : {}),
        holdLast: info ? !isPeriodic(kind) : false,
      }
    })
    return { all, visible: all.filter((p) => !p.pen.hidden && (catalog[p.pen.signal]?.dataType ?? p.pen.dataType) !== 'string') }
  }, [pens, catalog, kinds, theme])
}

/**
 * Multi-pen trend: live or a stretch of history, min/max bands, gaps, cursors, compare, export and saved views.
 * `follow`: the faceplate's selected row is the main pen (under the asset tabs); a trend tab's pens stay as they are.
 */
export function Trend({ follow = true, title }: { follow?: boolean; title?: string } = {}) {
  const signal = useAssetsStore((s) => s.selectedSignalId)
  const info = useAssetsStore((s) => (signal ? s.catalog[signal] : undefined))
  const index = useAssetsStore((s) => s.index)
  const treeReady = useAssetsStore((s) => s.status === 'ready')
  const catalog = useAssetsStore((s) => s.catalog)
  const range = useTrendStore((s) => s.range)
  const cursors = useTrendStore((s) => s.cursors)
  const timeZone = useTrendStore((s) => s.timeZone)
  const axes = useTrendStore((s) => s.axes)
  const views = useTrendStore((s) => s.views)
  const statuses = useTrendStore((s) => s.pens.map((p) => s.data[p.signal]?.status ?? 'loading').join(','))
  const error = useTrendStore((s) => Object.values(s.data).find((d) => d.status === 'error')?.error)
  /** Compared periods across a daylight-saving change: which hour vanishes or repeats, and what the overlay does there. */
  const dstText = useTrendStore((s) => {
    const seen = new Set<string>()
    for (const p of s.pens) if (p.compare && p.compare !== 'none' && !p.hidden) for (const n of s.compare[compareKey(p.signal, p.compare)]?.dst ?? []) seen.add(n.text)
    return [...seen].join('\n')
  })
  const linkUp = useSystemStore((s) => s.link.state === 'open')
  const theme = useUiStore((s) => s.theme)
  const { all, visible } = useChartPens()
  /** Another asset tab's trend shown: its selected pen is set again. */
  const owner = useWorkspaceStore((s) => s.trendOwner)
  const bodyRef = useRef<HTMLDivElement>(null)
  const handle = useRef<ChartHandle | undefined>(undefined)
  const [retry, setRetry] = useState(0)
  const [note, setNote] = useState<{ code?: string; text: string } | undefined>()
  const [custom, setCustom] = useState<{ from: string; to: string } | undefined>()
  const [viewName, setViewName] = useState('')
  const [dropping, setDropping] = useState(false)
  const fileRef = useRef<HTMLInputElement>(null)

  const holdOf = useMemo(() => new Map(all.map((p) => [p.pen.signal, p.holdLast])), [all])
  useTrendData(() => bodyRef.current?.clientWidth ?? 800, retry, (s) => !holdOf.get(s))

  // The faceplate's selected row is the main pen (a click on a row moves it); "+ trend" pins more.
  useEffect(() => {
    if (follow && signal && info) useTrendStore.getState().setMain(penFor(signal))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [follow, signal, info?.unit, info?.dataType, index, owner])

  const mainSignal = all.find((p) => p.pen.main)?.pen.signal ?? all[0]?.pen.signal
  const win = () => windowOf(useTrendStore.getState().range, serverNow())
  const setRange = useTrendStore.getState().setRange

  const onKey = (e: React.KeyboardEvent) => {
    const w = win()
    if (e.key === 'ArrowLeft') setRange(panWindow(w, e.shiftKey ? -0.5 : -0.1))
    else if (e.key === 'ArrowRight') setRange(panWindow(w, e.shiftKey ? 0.5 : 0.1))
    else if (e.key === '+' || e.key === '=') setRange(zoomWindow(w, 0.5))
    else if (e.key === '-' || e.key === '_') setRange(zoomWindow(w, 2))
    else if (e.key === 'Escape' || e.key === 'l' || e.key === 'L') useTrendStore.getState().backToLive()
    else return
    e.preventDefault()
  }

  const onDrop = (e: React.DragEvent) => {
    setDropping(false)
    const d = dropped(e, SIGNAL_MIME, isSignal)
    if (!d) return
    e.preventDefault()
    const r = useTrendStore.getState().addPen(penFor(d.signal))
    setNote(r.ok ? undefined : { code: 'trend.too_many_pens', text: r.reason! })
  }

  const exportCsv = () => {
    const h = handle.current
    if (!h) return
    const w = h.window()
    const cols = visible.flatMap((p) => {
      const label = `${p.label}${p.unit ? ` [${p.unit}]` : ''}`
      const main = { label, buf: h.buffer(p.pen.signal) ?? { t: [], v: [] }, decimals: p.decimals }
      const cmp = p.pen.compare && p.pen.compare !== 'none' ? h.compareBuffer(p.pen.signal) : undefined
      return cmp ? [main, { label: `${label} (${p.pen.compare === '1d' ? 'yesterday' : 'last week'}, shifted)`, buf: cmp, decimals: p.decimals }] : [main]
    })
    download(`trend-${fileStamp(w.from, timeZone)}.csv`, new Blob([toCsv(cols, w.from / 1000, w.to / 1000, timeZone)], { type: 'text/csv' }))
  }

  const exportPng = () => {
    const h = handle.current
    const canvas = h?.canvas()
    if (!h || !canvas) return
    const w = h.window()
    const dpr = devicePixelRatio
    const legendH = Math.ceil(visible.length / 2) * 20 * dpr
    const out = document.createElement('canvas')
    out.width = canvas.width
    out.height = canvas.height + (34 * dpr + legendH)
    const ctx = out.getContext('2d')!
    const css = getComputedStyle(document.documentElement)
    ctx.fillStyle = css.getPropertyValue('--panel').trim() || '#23272b'
    ctx.fillRect(0, 0, out.width, out.height)
    ctx.fillStyle = css.getPropertyValue('--text').trim() || '#ddd'
    ctx.font = `${13 * dpr}px system-ui, sans-serif`
    ctx.fillText(`Plantdeck trend · ${formatZoned(w.from, timeZone)} – ${formatZoned(w.to, timeZone)} (${timeZone})`, 8 * dpr, 20 * dpr)
    ctx.drawImage(canvas, 0, 28 * dpr)
    visible.forEach((p, i) => {
      const x = (8 + (i % 2) * 420) * dpr
      const y = canvas.height + 28 * dpr + (Math.floor(i / 2) * 20 + 16) * dpr
      ctx.fillStyle = p.color
      ctx.fillRect(x, y - 8 * dpr, 16 * dpr, 4 * dpr)
      ctx.fillStyle = css.getPropertyValue('--text').trim() || '#ddd'
      ctx.fillText(`${p.label}${p.unit ? ` [${p.unit}]` : ''}${p.pen.compare && p.pen.compare !== 'none' ? ` · dashed: ${COMPARE_TEXT[p.pen.compare]}` : ''}`, x + 22 * dpr, y)
    })
    out.toBlob((b) => b && download(`trend-${fileStamp(w.from, timeZone)}.png`, b), 'image/png')
  }

  const saveView = () => {
    const name = viewName.trim()
    if (!name) return setNote({ text: 'Give the view a name first.' })
    if (all.length === 0) return setNote({ text: 'Add a pen before saving a view.' })
    useTrendStore.getState().saveView(name)
    setNote({ text: `Saved view “${name}”.` })
  }
  const openView = (name: string) => {
    const v = useTrendStore.getState().views.find((x) => x.name === name)
    if (!v) return
    useTrendStore.getState().applyView(v.view)
    setViewName(name)
    setNote({ text: `Opened view “${name}”.` })
  }
  const downloadView = () => {
    const name = viewName.trim() || 'trend view'
    if (all.length === 0) return setNote({ text: 'Add a pen before downloading a view.' })
    const file = viewFile(name, useTrendStore.getState().currentView())
    download(`${name.replace(/[^\w.-]+/g, '_')}.trend.json`, new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }))
  }
  const uploadView = async (f: File | undefined) => {
    if (!f) return
    const r = parseViewFile(await f.text())
    if (fileRef.current) fileRef.current.value = ''
    if (!r.ok) return setNote({ code: r.code, text: `“${f.name}” was not opened: ${r.message}.` })
    useTrendStore.getState().applyView(r.file.view)
    useTrendStore.getState().saveView(r.file.name)
    setViewName(r.file.name)
    setNote({ text: `Opened view “${r.file.name}” from ${f.name}.` })
  }

  const liveSpan = range.kind === 'live' ? range.spanMs : undefined
  const w = windowOf(range, serverNow())
  return (
    <section
      className="panel trend-panel"
      aria-label="Trend"
      data-testid="trend"
      data-signal={mainSignal}
      data-pens={all.length}
      data-range-kind={range.kind}
      data-status={statuses.includes('error') ? 'error' : statuses.includes('loading') ? 'loading' : all.length ? 'ready' : 'idle'}
    >
      <div className="panel-head trend-head">
        <h2 title={title}>{title ? `Trend · ${title}` : 'Trend'}</h2>
        <div className="trend-ranges" role="group" aria-label="Range">
          {RANGE_PRESETS.map((p) => (
            <button key={p.id} data-testid={`trend-range-${p.id}`} aria-pressed={liveSpan === p.spanMs} onClick={() => setRange({ kind: 'live', spanMs: p.spanMs })}>
              {p.label}
            </button>
          ))}
          <button data-testid="trend-range-custom" aria-pressed={!!custom} onClick={() => setCustom(custom ? undefined : { from: toLocalInput(w.from, timeZone), to: toLocalInput(w.to, timeZone) })}>
            Custom…
          </button>
        </div>
        <span className={`trend-mode${range.kind === 'live' ? ' is-live' : ''}`} data-testid="trend-mode">
          {range.kind === 'live' ? (linkUp ? 'LIVE' : 'LIVE · PAUSED (no link)') : `History ${formatZoned(range.from, timeZone).slice(5, 16)} – ${formatZoned(range.to, timeZone).slice(5, 16)}`}
        </span>
        {range.kind === 'fixed' && (
          <button className="primary" data-testid="trend-back-live" onClick={() => useTrendStore.getState().backToLive()}>
            Back to live
          </button>
        )}
        <span className="spacer" />
        {follow && (
          <button data-testid="trend-open-tab" disabled={all.length === 0} title="This trend as a tab of its own: its pens stay when the selection moves on" onClick={() => useWorkspaceStore.getState().openTrendTab()}>
            Open in tab
          </button>
        )}
        <button data-testid="trend-cursors" aria-pressed={!!cursors} title="Two cursors: each pen's delta, min, max and mean between them" onClick={() => useTrendStore.getState().setCursors(cursors ? undefined : { a: (w.from + (w.to - w.from) / 3) / 1000, b: (w.from + ((w.to - w.from) * 2) / 3) / 1000 })}>
          Cursors
        </button>
        <button data-testid="trend-export-csv" disabled={visible.length === 0} onClick={exportCsv} title="The visible data as CSV (times with the plant zone's offset)">
          CSV
        </button>
        <button data-testid="trend-export-png" disabled={visible.length === 0} onClick={exportPng} title="The chart as a PNG image">
          PNG
        </button>
      </div>
      {custom && (
        <form
          className="trend-custom"
          data-testid="trend-custom"
          onSubmit={(e) => {
            e.preventDefault()
            const from = fromLocalInput(custom.from, timeZone)
            const to = fromLocalInput(custom.to, timeZone)
            if (from === undefined || to === undefined || to <= from) return setNote({ code: 'trend.bad_range', text: 'The custom range needs a start before its end.' })
            setRange({ kind: 'fixed', from, to })
            setCustom(undefined)
          }}
        >
          <label>
            From <input type="datetime-local" data-testid="trend-custom-from" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.target.value })} />
          </label>
          <label>
            to <input type="datetime-local" data-testid="trend-custom-to" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.target.value })} />
          </label>
          <span className="sub">{timeZone}</span>
          <button type="submit" data-testid="trend-custom-apply">
            Show
          </button>
        </form>
      )}
      <div
        className={`panel-body trend-body${dropping ? ' is-dropping' : ''}`}
        ref={bodyRef}
        tabIndex={0}
        aria-label="Trend chart: drag to zoom, shift-drag or wheel to pan and zoom, arrow keys pan, + and − zoom, Escape back to live"
        onKeyDown={onKey}
        onDragOver={(e) => {
          if (!carries(e, SIGNAL_MIME)) return
          e.preventDefault()
          e.dataTransfer.dropEffect = 'copy'
          setDropping(true)
        }}
        onDragLeave={() => setDropping(false)}
        onDrop={onDrop}
        data-testid="trend-drop"
      >
        {all.length === 0 && (
          <div className="empty">
            <strong>No pens on the trend</strong>
            <span>Click a row in the faceplate to trend it, press “+” on a row to add it as a pen, or drag a row here.</span>
          </div>
        )}
        {error && <ErrorNotice title="Trend history could not be loaded" error={error} onRetry={() => setRetry((n) => n + 1)} />}
        {visible.length > 0 && <TrendChart pens={visible} theme={theme} timeZone={timeZone} axes={axes} handle={handle} />}
        {all.length > 0 && visible.length === 0 && <div className="empty"><strong>All pens are hidden</strong><span>Show one in the legend below.</span></div>}
        {statuses.includes('loading') && linkUp && <div className="trend-loading">Loading history…</div>}
      </div>
      {all.length > 0 && (
        <table className="trend-legend" data-testid="trend-legend">
          <thead>
            <tr>
              <th />
              <th>Pen</th>
              <th className="num">Now</th>
              <th className="num">
                At cursor <span data-readout-time className="sub" />
              </th>
              {cursors && (
                <>
                  <th className="num">Δ B−A</th>
                  <th className="num">Min</th>
                  <th className="num">Max</th>
                  <th className="num">Mean</th>
                </>
              )}
              <th>Compare</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {all.map((p, i) => (
              <LegendRow key={p.pen.signal} p={p} first={i === 0} last={i === all.length - 1} removed={treeReady && !catalog[p.pen.signal]} cursors={cursors} />
            ))}
          </tbody>
        </table>
      )}
      {dstText && (
        <div className="trend-dst" data-testid="trend-compare-dst" role="note">
          <strong>Daylight saving in the compare:</strong>
          {dstText.split('\n').map((t) => (
            <span key={t}>{t}</span>
          ))}
        </div>
      )}
      <div className="trend-foot">
        <label>
          Zone{' '}
          <input
            className="tz"
            data-testid="trend-tz"
            defaultValue={timeZone}
            onBlur={(e) => {
              const tz = e.target.value.trim()
              if (isTimeZone(tz)) useTrendStore.getState().setTimeZone(tz)
              else {
                e.target.value = timeZone
                setNote({ code: 'trend.bad_zone', text: `“${tz}” is not a time zone this browser knows (e.g. Europe/Berlin, UTC).` })
              }
            }}
          />
        </label>
        <span className="spacer" />
        <select data-testid="trend-views" value="" onChange={(e) => openView(e.target.value)} aria-label="Open a saved view">
          <option value="">{views.length ? 'Open view…' : 'No saved views'}</option>
          {views.map((v) => (
            <option key={v.name} value={v.name}>
              {v.name}
            </option>
          ))}
        </select>
        <input data-testid="trend-view-name" placeholder="View name" value={viewName} onChange={(e) => setViewName(e.target.value)} />
        <button data-testid="trend-view-save" onClick={saveView}>
          Save view
        </button>
        <button data-testid="trend-view-download" onClick={downloadView} title="The view as a file to share">
          Download view
        </button>
        <button data-testid="trend-view-open-file" onClick={() => fileRef.current?.click()}>
          Open file…
        </button>
        <input ref={fileRef} type="file" accept=".json,application/json" hidden data-testid="trend-view-file" onChange={(e) => void uploadView(e.target.files?.[0])} />
      </div>
      {note && (
        <div className={`trend-note${note.code ? ' is-error' : ''}`} data-testid="trend-note" role={note.code ? 'alert' : 'status'}>
          {note.text} {note.code && <code>[{note.code}]</code>}
          <button className="link" onClick={() => setNote(undefined)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </section>
  )
}

function LegendRow({ p, first, last, removed, cursors }: { p: ChartPen; first: boolean; last: boolean; removed: boolean; cursors?: { a: number; b: number } | undefined }) {
  const s = useTrendStore.getState()
  const id = p.pen.signal
  return (
    <tr data-testid={`trend-pen-${id}`} data-signal={id} className={p.pen.hidden ? 'is-hidden' : ''}>
      <td>
        <button className="swatch" aria-pressed={!p.pen.hidden} title={p.pen.hidden ? 'Show this pen' : 'Hide this pen'} data-testid={`trend-pen-toggle-${id}`} onClick={() => s.toggleHidden(id)}>
          <span className="stripe" style={{ background: p.pen.hidden ? 'transparent' : p.color, borderColor: p.color }} />
          <span className="sr-only">{p.pen.hidden ? 'Show' : 'Hide'}</span>
        </button>
      </td>
      <td className="pen-name" title={id}>
        {p.label}
        {p.unit && <span className="sub"> [{p.unit}]</span>}
        {p.pen.main && <span className="badge">selected</span>}
        {removed && <span className="badge warn">signal no longer exists</span>}
      </td>
      <td className="num now" data-now={id} />
      <td className="num" data-readout={id} />
      {cursors && <CursorCells p={p} cursors={cursors} />}
      <td>
        <select data-testid={`trend-pen-compare-${id}`} value={p.pen.compare ?? 'none'} onChange={(e) => s.setCompare(id, e.target.value as Compare)} aria-label={`Compare ${p.label}`}>
          {(['none', '1d', '7d'] as const).map((c) => (
            <option key={c} value={c}>
              {COMPARE_TEXT[c]}
            </option>
          ))}
        </select>
      </td>
      <td className="pen-actions">
        <button disabled={first} onClick={() => s.movePen(id, -1)} title="Move up" data-testid={`trend-pen-up-${id}`}>
          ↑
        </button>
        <button disabled={last} onClick={() => s.movePen(id, 1)} title="Move down" data-testid={`trend-pen-down-${id}`}>
          ↓
        </button>
        <button
          onClick={() => {
            s.removePen(id)
            if (p.pen.main) useAssetsStore.getState().selectSignal(undefined)
          }}
          title="Remove from the trend"
          data-testid={`trend-pen-remove-${id}`}
        >
          ✕
        </button>
      </td>
    </tr>
  )
}

/** Delta, min, max and mean between the cursors; recomputed when a cursor moves and once a second (new samples). */
function CursorCells({ p, cursors }: { p: ChartPen; cursors: { a: number; b: number } }) {
  const [, tick] = useState(0)
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000)
    return () => clearInterval(t)
  }, [])
  const buf = useTrendStore.getState().data[p.pen.signal]?.buf
  const st = buf ? statsBetween(buf, cursors.a, cursors.b) : undefined
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '—' : fmt(p, v))
  const d = st?.delta
  return (
    <>
      <td className="num" data-testid={`trend-stat-delta-${p.pen.signal}`}>
        {d === null || d === undefined ? '—' : p.isBool || p.states ? (d === 0 ? 'no change' : 'changed') : `${d > 0 ? '+' : ''}${formatNumber(d, p.decimals)}${p.unit ? ` ${p.unit}` : ''}`}
      </td>
      <td className="num" data-testid={`trend-stat-min-${p.pen.signal}`}>{f(st?.min)}</td>
      <td className="num" data-testid={`trend-stat-max-${p.pen.signal}`}>{f(st?.max)}</td>
      <td className="num" data-testid={`trend-stat-mean-${p.pen.signal}`}>{p.states ? '—' : f(st?.mean)}</td>
    </>
  )
}

export type { PenConfig }
