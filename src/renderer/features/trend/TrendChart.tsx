import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { plotValue, type SignalInfo } from '../../../shared/model'
import { booleanLabels, decimalsFor, formatClock, formatNumber, formatTimestamp } from '../../lib/format'
import { serverNow } from '../../stores/system-store'
import { useLiveStore } from '../../stores/live-store'
import { trimBefore, withHeldValue } from '../../lib/trend-buffer'
import { TREND_WINDOW_MS, useTrendStore } from '../../stores/trend-store'
import type { Theme } from '../../stores/ui-store'

const REDRAW_MS = 250

interface Props {
  info: SignalInfo
  attribute: string
  theme: Theme
  /** The source reports by exception (OPC UA): draw the last value on until now. */
  holdLast: boolean
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

function makeOptions(info: SignalInfo, attribute: string, width: number, height: number): uPlot.Options {
  const text = cssVar('--muted')
  const grid = cssVar('--grid')
  const pen = cssVar('--pen')
  const isBool = info.dataType === 'boolean'
  const dec = decimalsFor(info)
  const unit = info.unit ?? ''
  const [onText, offText] = booleanLabels(attribute)
  const fmt = (v: number | null | undefined) =>
    v == null ? '—' : isBool ? (v >= 0.5 ? onText : offText) : `${formatNumber(v, dec)}${unit ? ` ${unit}` : ''}`
  const font = `${Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.85)}px system-ui, sans-serif`
  const range: uPlot.Scale.Range = isBool
    ? [-0.15, 1.15]
    : info.range
      ? (_u, min, max) => {
          // The engineering range, widened only if the value leaves it: same scale every time, nothing clipped.
          const [lo, hi] = info.range!
          const pad = (hi - lo) * 0.03
          return [Math.min(lo - pad, min ?? lo), Math.max(hi + pad, max ?? hi)]
        }
      : (_u, min, max) => uPlot.rangeNum(min ?? 0, max ?? 1, 0.1, true)
  return {
    width,
    height,
    pxAlign: 0,
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
    legend: { show: true, live: true },
    scales: {
      x: {
        time: true,
        range: () => {
          const now = serverNow() / 1000
          return [now - TREND_WINDOW_MS / 1000, now]
        },
      },
      y: { range },
    },
    series: [
      { label: 'Time', value: (_u, v) => (v == null ? 'point at the chart for exact values' : formatTimestamp(v * 1000)) },
      {
        label: attribute,
        stroke: pen,
        width: 1.6,
        spanGaps: false,
        paths: isBool ? uPlot.paths.stepped!({ align: 1 }) : undefined,
        value: (_u, v) => fmt(v),
        points: { show: false },
      },
    ],
    axes: [
      {
        stroke: text,
        font,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, width: 1 },
        space: 90,
        // 24-hour local time, as on every control-room clock; seconds only off the whole minute.
        values: (_u, splits) => splits.map((v) => (Math.round(v) % 60 === 0 ? formatClock(v * 1000).slice(0, 5) : formatClock(v * 1000))),
      },
      {
        stroke: text,
        font,
        labelFont: font,
        label: isBool ? '' : unit,
        labelSize: unit ? 18 : 0,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, width: 1 },
        size: 62,
        splits: isBool ? () => [0, 1] : undefined,
        values: (_u, splits) => splits.map((v) => (isBool ? (v >= 0.5 ? onText : offText) : formatNumber(v, Math.min(dec, 2)))),
      },
    ],
  }
}

/**
 * uPlot fed from the trend store on its own timer (4 Hz): live samples never go through React.
 * The x window slides with the server clock; the chart follows its container's size.
 */
export function TrendChart({ info, attribute, theme, holdLast }: Props) {
  const hostRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const size = () => {
      const legend = host.querySelector<HTMLElement>('.u-legend')
      return { width: Math.max(200, host.clientWidth), height: Math.max(80, host.clientHeight - (legend?.offsetHeight ?? 26)) }
    }
    const { width, height } = size()
    const buf = useTrendStore.getState().buffer
    const u = new uPlot(makeOptions(info, attribute, width, height), [buf.t, buf.v], host)
    // The legend is only measurable once mounted.
    u.setSize(size())

    let drawn = -1
    let drawnAt = 0
    let drawnBuffer = buf
    const timer = setInterval(() => {
      const s = useTrendStore.getState()
      const now = Date.now()
      // Redraw on new data, and at least once a second so the window keeps sliding.
      if (s.version === drawn && s.buffer === drawnBuffer && now - drawnAt < 1000) return
      const nowSec = serverNow() / 1000
      const fromSec = nowSec - TREND_WINDOW_MS / 1000
      trimBefore(s.buffer, fromSec)
      let data = s.buffer
      if (holdLast && s.status === 'ready') {
        const cur = useLiveStore.getState().latest[info.id]
        data = withHeldValue(s.buffer, fromSec, nowSec, cur ? plotValue(cur.value, cur.quality) : null)
      }
      u.setData([data.t, data.v])
      // For tests and diagnostics, without a React render: what the chart holds (epoch ms).
      const panel = host.closest<HTMLElement>('[data-testid="trend"]')
      if (panel) {
        panel.dataset.points = String(s.buffer.t.length)
        panel.dataset.firstT = s.buffer.t.length ? String(Math.round(s.buffer.t[0]! * 1000)) : ''
        panel.dataset.lastT = s.buffer.t.length ? String(Math.round(s.buffer.t[s.buffer.t.length - 1]! * 1000)) : ''
      }
      drawn = s.version
      drawnBuffer = s.buffer
      drawnAt = now
    }, REDRAW_MS)

    const ro = new ResizeObserver(() => {
      const next = size()
      if (next.width !== u.width || next.height !== u.height) u.setSize(next)
    })
    ro.observe(host)
    return () => {
      clearInterval(timer)
      ro.disconnect()
      u.destroy()
    }
  }, [info, attribute, theme, holdLast])

  return <div className="trend-chart" ref={hostRef} />
}
