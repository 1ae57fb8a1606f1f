import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { plotValue } from '../../../shared/model'
import { booleanLabels, formatNumber, stateKeys, stateLabel } from '../../lib/format'
import { nullRuns, shifted, trimBefore, withHeldValue, type TrendBuffer } from '../../lib/trend-buffer'
import { panWindow, selectionWindow, windowOf, zoomWindow } from '../../lib/trend-range'
import { valueAt } from '../../lib/trend-stats'
import { onPixelGrid } from '../../lib/trend-grid'
import { formatZonedClock, formatZonedDay, formatZoned } from '../../lib/trend-time'
import type { AxisLimits, PenConfig } from '../../lib/trend-view'
import { serverNow } from '../../stores/system-store'
import { useLiveStore } from '../../stores/live-store'
import { compareKey, useTrendStore, type CompareData } from '../../stores/trend-store'
import type { Theme } from '../../stores/ui-store'

/** One visible pen as the chart draws it. */
export interface ChartPen {
  pen: PenConfig
  color: string
  label: string
  unit: string
  decimals: number
  range?: [number, number] | undefined
  isBool: boolean
  /**
   * The attribute's states (enumeration key → label, e.g. 0 Stopped, 1 Running, 2 Tripped): the value is read as its
   * label, the axis ticks at the states, the line stepped. Booleans use keys 0 and 1. Set only when every key is a
   * number (`stateKeys` not empty).
   */
  states?: Record<string, string> | undefined
  /** Report by exception (OPC UA): the last value holds until now, and a silence is no outage. */
  holdLast: boolean
}

/** What the trend's toolbar needs of the chart: the canvas for PNG, the visible window and data for CSV. */
export interface ChartHandle {
  canvas(): HTMLCanvasElement | undefined
  window(): { from: number; to: number }
  buffer(signal: string): TrendBuffer | undefined
  compareBuffer(signal: string): TrendBuffer | undefined
}

interface Props {
  pens: ChartPen[]
  theme: Theme
  timeZone: string
  axes: AxisLimits
  handle: React.MutableRefObject<ChartHandle | undefined>
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()
const withAlpha = (hex: string, a: number) => `${hex}${Math.round(a * 255).toString(16).padStart(2, '0')}`
const hasStates = (p: ChartPen) => p.states !== undefined
/** Pens share a y-axis by unit; stated pens by their very states; booleans without states share one. */
const axisKey = (p: ChartPen) => (hasStates(p) ? `states ${JSON.stringify(p.states)}` : p.isBool ? 'state' : p.unit || '—')

/** The y-range of one unit's axis: fixed by the operator, else the union of the pens' engineering ranges widened by the data. */
function yRange(pens: ChartPen[], fixed: { min: number; max: number } | undefined): uPlot.Scale.Range {
  if (fixed) return () => [fixed.min, fixed.max]
  const keys = stateKeys(pens[0]?.states)
  if (keys.length > 0) {
    const pad = Math.max(0.15, (keys[keys.length - 1]! - keys[0]!) * 0.06)
    return () => [keys[0]! - pad, keys[keys.length - 1]! + pad]
  }
  if (pens.every((p) => p.isBool)) return () => [-0.15, 1.15]
  const ranged = pens.filter((p) => p.range)
  if (ranged.length === pens.length) {
    const lo = Math.min(...ranged.map((p) => p.range![0]))
    const hi = Math.max(...ranged.map((p) => p.range![1]))
    const pad = (hi - lo) * 0.03
    return (_u, min, max) => [Math.min(lo - pad, min ?? lo), Math.max(hi + pad, max ?? hi)]
  }
  return (_u, min, max) => uPlot.rangeNum(min ?? 0, max ?? 1, 0.1, true)
}

function makeOptions(pens: ChartPen[], tz: string, axes: AxisLimits, width: number, height: number, layout: { compareOf: Map<string, number>; mainOf: Map<string, number> }, hooks: uPlot.Hooks.Arrays, xRange: () => [number, number]): uPlot.Options {
  const text = cssVar('--muted')
  const grid = cssVar('--grid')
  const font = `${Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.85)}px system-ui, sans-serif`
  const units = [...new Set(pens.map(axisKey))]
  const series: uPlot.Series[] = [{ label: 'Time' }]
  const bands: uPlot.Band[] = []
  for (const p of pens) {
    const scale = `y:${axisKey(p)}`
    const step = p.isBool || hasStates(p) || p.holdLast ? uPlot.paths.stepped!({ align: 1 }) : undefined
    const main = series.length
    layout.mainOf.set(p.pen.signal, main)
    series.push({ label: p.label, scale, stroke: p.color, width: 1.6, spanGaps: false, ...(step ? { paths: step } : {}), points: { show: false } })
    // the band's edges: shown only while the pen's data is bucketed (raw, they would repeat the line for nothing)
    series.push({ label: `${p.label} min`, scale, show: false, stroke: 'transparent', width: 0, spanGaps: false, points: { show: false } })
    series.push({ label: `${p.label} max`, scale, show: false, stroke: 'transparent', width: 0, spanGaps: false, points: { show: false } })
    bands.push({ series: [main + 2, main + 1], fill: withAlpha(p.color, 0.22) })
    if (p.pen.compare && p.pen.compare !== 'none') {
      layout.compareOf.set(p.pen.signal, series.length)
      series.push({ label: `${p.label} (${p.pen.compare === '1d' ? 'yesterday' : 'last week'})`, scale, stroke: withAlpha(p.color, 0.75), width: 1.3, dash: [6, 4], spanGaps: false, ...(step ? { paths: step } : {}), points: { show: false } })
    }
  }
  const scales: uPlot.Scales = { x: { time: true, range: xRange } }
  const yAxes: uPlot.Axis[] = units.map((unit, k) => {
    const group = pens.filter((p) => axisKey(p) === unit)
    scales[`y:${unit}`] = { range: yRange(group, axes[unit]) }
    const isBool = unit === 'state'
    const states = hasStates(group[0]!) ? group[0]!.states : undefined
    const keys = stateKeys(states)
    const dec = Math.min(2, Math.max(...group.map((p) => p.decimals)))
    const [on, off] = booleanLabels(group[0]!.label)
    return {
      scale: `y:${unit}`,
      side: k % 2 === 0 ? 3 : 1,
      stroke: units.length > 1 ? group[0]!.color : text,
      font,
      labelFont: font,
      label: states || isBool ? 'state' : unit === '—' ? '' : unit,
      labelSize: 18,
      grid: { show: k === 0, stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      size: states ? Math.min(110, 22 + 7 * Math.max(...Object.values(states).map((l) => l.length))) : 58,
      ...(states ? { splits: () => keys } : isBool ? { splits: () => [0, 1] } : {}),
      values: (_u: uPlot, splits: number[]) => splits.map((v) => (states ? (stateLabel(states, v) ?? '') : isBool ? (v >= 0.5 ? on : off) : formatNumber(v, dec))),
    }
  })
  return {
    width,
    height,
    pxAlign: 0,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    legend: { show: false },
    scales,
    series,
    bands,
    axes: [
      {
        stroke: text,
        font,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, width: 1 },
        space: 70,
        // 24-hour time in the plant's zone; the date on midnight ticks of long ranges, seconds only off the whole minute.
        values: (u, splits) => {
          const span = (u.scales['x']?.max ?? 0) - (u.scales['x']?.min ?? 0)
          return splits.map((v) => {
            const ms = v * 1000
            const clock = formatZonedClock(ms, tz, Math.round(v) % 60 !== 0)
            return span > 36 * 3600 && clock === '00:00' ? formatZonedDay(ms, tz) : span > 36 * 3600 ? `${formatZonedDay(ms, tz)} ${clock}` : clock
          })
        },
      },
      ...yAxes,
    ],
    hooks,
  }
}

/**
 * uPlot fed from the trend store in its own animation-frame loop: live samples never go through React.
 * Redraws when data arrived (at most 10 times a second) and, live, as often as the window moves by a pixel.
 * Mouse: drag to zoom, shift-drag or shift-wheel to pan, wheel to zoom around the pointer; keys in Trend.
 */
export function TrendChart({ pens, theme, timeZone, axes, handle }: Props) {
  const hostRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const panel = host.closest<HTMLElement>('[data-testid="trend"]')
    const layout = { compareOf: new Map<string, number>(), mainOf: new Map<string, number>() }
    const banded = new Map<string, boolean>()
    const drawnBufs = new Map<string, TrendBuffer>()
    const drawnCompare = new Map<string, TrendBuffer>()
    const shiftedCache = new WeakMap<CompareData, TrendBuffer>()
    let win = windowOf(useTrendStore.getState().range, serverNow())

    const gapShade = cssVar('--gap-shade') || 'rgba(128,128,128,0.12)'
    const muted = cssVar('--muted')
    const cursorColour = cssVar('--text')
    const drawHook = (u: uPlot) => {
      const { ctx } = u
      const { left, top, width, height } = u.bbox
      ctx.save()
      ctx.beginPath()
      ctx.rect(left, top, width, height)
      ctx.clip()
      // gaps and bad quality of periodic pens: shaded, and labelled when wide enough to read
      ctx.fillStyle = gapShade
      ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`
      for (const p of pens) {
        if (p.holdLast) continue
        const buf = drawnBufs.get(p.pen.signal)
        if (!buf) continue
        for (const [a, b] of nullRuns(buf, win.from / 1000, win.to / 1000)) {
          const x0 = Math.max(left, u.valToPos(a, 'x', true))
          const x1 = Math.min(left + width, u.valToPos(b, 'x', true))
          if (x1 <= x0) continue
          ctx.fillStyle = gapShade
          ctx.fillRect(x0, top, x1 - x0, height)
          if (x1 - x0 > 70 * devicePixelRatio) {
            ctx.fillStyle = muted
            ctx.fillText('no data', x0 + 4 * devicePixelRatio, top + 14 * devicePixelRatio)
          }
        }
      }
      const c = useTrendStore.getState().cursors
      if (c) {
        ctx.strokeStyle = cursorColour
        ctx.fillStyle = cursorColour
        ctx.lineWidth = devicePixelRatio
        ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio])
        for (const [name, t] of [['A', c.a], ['B', c.b]] as const) {
          const x = u.valToPos(t, 'x', true)
          ctx.beginPath()
          ctx.moveTo(x, top)
          ctx.lineTo(x, top + height)
          ctx.stroke()
          ctx.fillText(name, x + 3 * devicePixelRatio, top + height - 4 * devicePixelRatio)
        }
      }
      ctx.restore()
    }
    const readout = (u: uPlot) => {
      if (!panel) return
      const left = u.cursor.left ?? -1
      const timeEl = panel.querySelector<HTMLElement>('[data-readout-time]')
      if (left < 0) {
        if (timeEl) timeEl.textContent = ''
        panel.querySelectorAll<HTMLElement>('[data-readout]').forEach((el) => (el.textContent = ''))
        return
      }
      const t = u.posToVal(left, 'x')
      if (timeEl) timeEl.textContent = formatZoned(t * 1000, timeZone)
      for (const p of pens) {
        const el = panel.querySelector<HTMLElement>(`[data-readout="${CSS.escape(p.pen.signal)}"]`)
        const buf = drawnBufs.get(p.pen.signal)
        if (!el) continue
        const v = buf ? valueAt(buf, t) : null
        el.textContent = v === null ? 'no data' : fmt(p, v)
      }
    }
    const zoomHook = (u: uPlot) => {
      const { left, width } = u.select
      if (width > 4) {
        const r = selectionWindow(u.posToVal(left, 'x') * 1000, u.posToVal(left + width, 'x') * 1000)
        if (r) useTrendStore.getState().setRange(r)
      }
      u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
    }

    const size = () => ({ width: Math.max(200, host.clientWidth), height: Math.max(80, host.clientHeight) })
    const { width, height } = size()
    const u = new uPlot(
      makeOptions(pens, timeZone, axes, width, height, layout, { draw: [drawHook], setCursor: [readout], setSelect: [zoomHook] }, () => [win.from / 1000, win.to / 1000]),
      [[], ...pens.flatMap((p) => (layout.compareOf.has(p.pen.signal) ? [[], [], [], []] : [[], [], []]))] as unknown as uPlot.AlignedData,
      host,
    )

    handle.current = {
      canvas: () => u.ctx.canvas,
      window: () => win,
      buffer: (s) => drawnBufs.get(s),
      compareBuffer: (s) => drawnCompare.get(s),
    }

    let drawnVersion = -1
    let drawnAt = 0
    let nowAt = 0
    let drawnRange: unknown
    let drawnCursors: unknown
    let raf = 0
    const redraw = () => {
      const s = useTrendStore.getState()
      const now = serverNow()
      win = windowOf(s.range, now)
      const live = s.range.kind === 'live'
      // one grid column per CSS pixel of the plot, anchored at multiples of its width so it stays put as the window scrolls
      const gridColumns = Math.max(1, Math.round(u.bbox.width / devicePixelRatio))
      const gridStep = (win.to - win.from) / 1000 / gridColumns
      const gridOrigin = Math.floor(win.from / 1000 / gridStep) * gridStep
      const tables: uPlot.AlignedData[] = []
      const modes: uPlot.JoinNullMode[][] = []
      /** Per table, the columns it gives the chart: 3 (value, low, high), 1 (a value without a band), 0 (a compare pen). */
      const shapes: number[] = []
      let mainPoints = 0
      let first = ''
      let last = ''
      for (const p of pens) {
        const d = s.data[p.pen.signal]
        let buf: TrendBuffer = d?.buf ?? { t: [], v: [] }
        if (live) trimBefore(buf, win.from / 1000)
        if (p.holdLast && live && d?.status === 'ready') {
          const cur = useLiveStore.getState().latest[p.pen.signal]
          buf = withHeldValue(buf, win.from / 1000, now / 1000, cur ? plotValue(cur.value, cur.quality) : null)
        }
        drawnBufs.set(p.pen.signal, buf)
        const band = !!buf.lo
        if ((banded.get(p.pen.signal) ?? false) !== band) {
          banded.set(p.pen.signal, band)
          const i = layout.mainOf.get(p.pen.signal)!
          u.setSeries(i + 1, { show: band })
          u.setSeries(i + 2, { show: band })
        }
        const row = panel?.querySelector<HTMLElement>(`[data-testid="trend-pen-${CSS.escape(p.pen.signal)}"]`)
        if (row) row.dataset.firstT = d?.buf.t.length ? String(Math.round(d.buf.t[0]! * 1000)) : ''
        if (p.pen.main || !first) {
          mainPoints = buf.t.length
          first = buf.t.length ? String(Math.round(buf.t[0]! * 1000)) : ''
          last = buf.t.length ? String(Math.round(buf.t[buf.t.length - 1]! * 1000)) : ''
        }
        // a pen without a band joins one column, not three: its (hidden) band series take the same joined column
        if (band) {
          // live: on the pixel grid too (history is bucketed already)
          const g = live ? onPixelGrid(buf, gridOrigin, gridStep) : buf
          tables.push([g.t, g.v, g.lo ?? g.v, g.hi ?? g.v] as uPlot.AlignedData)
          modes.push([1, 1, 1, 1])
        } else {
          // live: drawn on the pixel grid (every pen on the same instants, each column's extremes kept)
          const g = live ? onPixelGrid(buf, gridOrigin, gridStep) : buf
          tables.push([g.t, g.v] as uPlot.AlignedData)
          modes.push([1, 1])
        }
        shapes.push(band ? 3 : 1)
        if (layout.compareOf.has(p.pen.signal)) {
          const c = s.compare[compareKey(p.pen.signal, p.pen.compare!)]
          let cb: TrendBuffer = { t: [], v: [] }
          if (c) {
            cb = shiftedCache.get(c) ?? shifted(c.buf, c.shiftSec)
            shiftedCache.set(c, cb)
          }
          drawnCompare.set(p.pen.signal, cb)
          tables.push([cb.t, cb.v] as uPlot.AlignedData)
          modes.push([1, 1])
          shapes.push(0)
        }
      }
      const joined = tables.length ? uPlot.join(tables, modes) : ([[]] as unknown as uPlot.AlignedData)
      // back to the chart's series layout: per pen value, low, high (a pen without a band: its value column three times),
      // then its compare pen's value
      let data = joined
      if (shapes.some((n) => n === 1)) {
        const cols: uPlot.AlignedData[number][] = [joined[0]]
        let k = 1
        for (const n of shapes) {
          if (n === 3) cols.push(joined[k]!, joined[k + 1]!, joined[k + 2]!), (k += 3)
          else if (n === 1) cols.push(joined[k]!, joined[k]!, joined[k]!), (k += 1)
          else cols.push(joined[k]!), (k += 1)
        }
        data = cols as unknown as uPlot.AlignedData
      }
      u.setData(data)
      if (panel) {
        // For tests and diagnostics, without a React render: what the chart holds and shows (epoch ms).
        panel.dataset.points = String(mainPoints)
        panel.dataset.firstT = first
        panel.dataset.lastT = last
        panel.dataset.from = String(Math.round(win.from))
        panel.dataset.to = String(Math.round(win.to))
        panel.dataset.drawn = String(data[0].length)
        panel.dataset.comparePoints = String([...drawnCompare.values()].reduce((n, b) => n + b.t.length, 0))
      }
      placeHandles()
      if (performance.now() - nowAt > 250) {
        nowAt = performance.now()
        writeNowValues()
      }
      drawnVersion = s.version
      drawnRange = s.range
      drawnCursors = s.cursors
      drawnAt = performance.now()
    }

    const writeNowValues = () => {
      if (!panel) return
      const latest = useLiveStore.getState().latest
      for (const p of pens) {
        const el = panel.querySelector<HTMLElement>(`[data-now="${CSS.escape(p.pen.signal)}"]`)
        if (!el) continue
        const smp = latest[p.pen.signal]
        const v = smp ? plotValue(smp.value, smp.quality) : null
        const text = !smp ? 'no value yet' : smp.quality === 'bad' ? 'BAD' : v === null ? String(smp.value) : fmt(p, v)
        if (el.textContent !== text) el.textContent = text
        el.dataset.quality = smp?.quality ?? 'none'
      }
    }

    // Cursor handles: dragged along the time axis; positioned by the frame loop, never by React.
    const handles = (['a', 'b'] as const).map((k) => {
      const el = document.createElement('div')
      el.className = 'trend-cursor-handle'
      el.dataset.testid = `trend-cursor-${k}`
      el.setAttribute('data-testid', `trend-cursor-${k}`)
      el.title = `Cursor ${k.toUpperCase()}: drag along the time axis`
      el.textContent = k.toUpperCase()
      el.addEventListener('mousedown', (e) => {
        e.stopPropagation()
        e.preventDefault()
        const rect = u.over.getBoundingClientRect()
        const move = (m: MouseEvent) => {
          const c = useTrendStore.getState().cursors
          if (!c) return
          const t = u.posToVal(Math.min(rect.width, Math.max(0, m.clientX - rect.left)), 'x')
          useTrendStore.getState().setCursors({ ...c, [k]: t })
        }
        const up = () => {
          window.removeEventListener('mousemove', move)
          window.removeEventListener('mouseup', up)
        }
        window.addEventListener('mousemove', move)
        window.addEventListener('mouseup', up)
      })
      u.over.appendChild(el)
      return el
    })
    const placeHandles = () => {
      const c = useTrendStore.getState().cursors
      handles.forEach((el, i) => {
        if (!c) {
          el.style.display = 'none'
          return
        }
        const x = u.valToPos(i === 0 ? c.a : c.b, 'x')
        el.style.display = x >= 0 && x <= u.over.clientWidth ? 'block' : 'none'
        el.style.left = `${x}px`
      })
    }

    // Shift-drag pans; the wheel zooms around the pointer (shift-wheel or a sideways wheel pans).
    const onDown = (e: MouseEvent) => {
      if (!e.shiftKey || e.button !== 0) return
      e.stopPropagation()
      e.preventDefault()
      const start = e.clientX
      const w0 = windowOf(useTrendStore.getState().range, serverNow())
      const px = u.over.clientWidth || 1
      const move = (m: MouseEvent) => useTrendStore.getState().setRange(panWindow(w0, -(m.clientX - start) / px))
      const up = () => {
        window.removeEventListener('mousemove', move)
        window.removeEventListener('mouseup', up)
      }
      window.addEventListener('mousemove', move)
      window.addEventListener('mouseup', up)
    }
    const onWheel = (e: WheelEvent) => {
      e.preventDefault()
      const w0 = windowOf(useTrendStore.getState().range, serverNow())
      const dx = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX
      if (dx !== 0 && (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY))) {
        useTrendStore.getState().setRange(panWindow(w0, Math.sign(dx) * 0.1))
        return
      }
      const rect = u.over.getBoundingClientRect()
      useTrendStore.getState().setRange(zoomWindow(w0, e.deltaY < 0 ? 0.8 : 1.25, (e.clientX - rect.left) / (rect.width || 1)))
    }
    u.over.addEventListener('mousedown', onDown, { capture: true })
    u.over.addEventListener('wheel', onWheel, { passive: false })

    const loop = () => {
      raf = requestAnimationFrame(loop)
      const s = useTrendStore.getState()
      const t = performance.now()
      const live = s.range.kind === 'live'
      const msPerPx = s.range.kind === 'live' ? s.range.spanMs / Math.max(1, u.bbox.width / devicePixelRatio) : Infinity
      const due =
        s.range !== drawnRange ||
        s.cursors !== drawnCursors ||
        // live samples at most 10 times a second; a load (history is never appended to) at once
        (s.version !== drawnVersion && (t - drawnAt >= 100 || !live)) ||
        (live && t - drawnAt >= Math.min(1000, Math.max(50, msPerPx))) ||
        t - drawnAt >= 1000
      if (due) redraw()
      // the legend's live values follow the stream within a quarter second, not only when the chart redraws
      else if (t - nowAt > 250) {
        nowAt = t
        writeNowValues()
      }
    }
    redraw()
    raf = requestAnimationFrame(loop)

    const ro = new ResizeObserver(() => {
      const next = size()
      if (next.width !== u.width || next.height !== u.height) u.setSize(next)
    })
    ro.observe(host)
    return () => {
      cancelAnimationFrame(raf)
      ro.disconnect()
      u.over.removeEventListener('mousedown', onDown, { capture: true })
      u.over.removeEventListener('wheel', onWheel)
      handle.current = undefined
      u.destroy()
    }
  }, [pens, theme, timeZone, axes, handle])

  return <div className="trend-chart" ref={hostRef} data-testid="trend-chart" />
}

/** A value with its unit (a state as its label, booleans as their words). */
export function fmt(p: ChartPen, v: number): string {
  const state = stateLabel(p.states, v)
  if (state !== undefined) return state
  if (p.isBool) {
    const [on, off] = booleanLabels(p.label)
    return v >= 0.5 ? on : off
  }
  return `${formatNumber(v, p.decimals)}${p.unit ? ` ${p.unit}` : ''}`
}
