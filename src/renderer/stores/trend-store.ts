import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'
import type { ErrorShape, Sample } from '../../shared/model'
import { appendSamples, emptyBuffer, type TrendBuffer } from '../lib/trend-buffer'
import { machineTimeZone } from '../lib/trend-time'
import type { TrendSlot } from '../../shared/contract/workspace'
import type { DstNote } from '../lib/trend-compare'
import { MAX_PENS, nextColorSlot, type AxisLimits, type Compare, type PenConfig, type TrendRange, type TrendView } from '../lib/trend-view'

export const TREND_WINDOW_MS = 10 * 60_000
export const RANGE_PRESETS = [
  { id: 'live', label: 'Live 10 min', spanMs: TREND_WINDOW_MS },
  { id: '1h', label: '1 h', spanMs: 3_600_000 },
  { id: '8h', label: '8 h', spanMs: 8 * 3_600_000 },
  { id: '24h', label: '24 h', spanMs: 24 * 3_600_000 },
  { id: '7d', label: '7 d', spanMs: 7 * 86_400_000 },
] as const

/** One pen's loaded data: history joined to live samples (mutated in place by `append`). */
export interface PenData {
  buf: TrendBuffer
  status: 'loading' | 'ready' | 'error'
  error?: ErrorShape
  /** Live points beyond this many ask for a fresh (decimated) query instead of growing without end. */
  cap: number
}

/** An earlier period of a pen, as loaded (times of the earlier period) and the shift that lays it over now. */
export interface CompareData {
  buf: TrendBuffer
  shiftSec: number
  status: 'loading' | 'ready' | 'error'
  /** The stretch of now-time it covers (seconds): outside it, a live window needs a fresh query. */
  coverTo: number
  /** Hours that vanish or repeat in the window or the compared period (daylight saving), in words. */
  dst?: DstNote[]
}

export interface SavedView {
  name: string
  view: TrendView
}

interface TrendState {
  /** The pens in drawing and legend order; `main` marks the one that follows the faceplate's selected row. */
  pens: (PenConfig & { main?: boolean })[]
  range: TrendRange
  /** The live span "Back to live" returns to. */
  liveSpanMs: number
  axes: AxisLimits
  /** The plant's time zone (IANA name); the machine's by default. */
  timeZone: string
  views: SavedView[]
  /** Two cursors (epoch seconds), or none. */
  cursors?: { a: number; b: number }

  data: Record<string, PenData>
  compare: Record<string, CompareData>
  /** Counts appends and loads: the chart's frame loop redraws when it moved. No React component reads it. */
  version: number
  /** Bumped when a live buffer passed its cap: the data hook re-queries. */
  refresh: number

  setMain(pen: PenConfig | undefined): void
  addPen(pen: PenConfig): { ok: boolean; reason?: string }
  removePen(signal: string): void
  toggleHidden(signal: string): void
  movePen(signal: string, by: -1 | 1): void
  setCompare(signal: string, c: Compare): void
  setRange(r: TrendRange): void
  backToLive(): void
  setTimeZone(tz: string): void
  setCursors(c: { a: number; b: number } | undefined): void
  applyView(v: TrendView): void
  currentView(): TrendView
  saveView(name: string): void
  deleteView(name: string): void
  /** The trend as a workspace slot (pens with their selected and pinned marks, range, axes). */
  snapshot(): TrendSlot
  /** Shows another slot (a workspace tab's trend): data of pens in both is kept, the rest is queried. */
  restore(slot: TrendSlot): void

  loading(signals: readonly string[]): void
  loaded(signal: string, buf: TrendBuffer, cap: number, live: boolean): void
  failed(signals: readonly string[], e: ErrorShape): void
  compareLoaded(key: string, c: CompareData): void
  append(batch: readonly Sample[]): void
}

export const compareKey = (signal: string, c: Compare) => `${signal}@${c}`

const safeStorage = () => {
  try {
    return window.localStorage
  } catch {
    return undefined as unknown as Storage
  }
}

export const useTrendStore = create<TrendState>()(
  persist(
    (set, get) => ({
      pens: [],
      range: { kind: 'live', spanMs: TREND_WINDOW_MS },
      liveSpanMs: TREND_WINDOW_MS,
      axes: {},
      timeZone: machineTimeZone(),
      views: [],
      data: {},
      compare: {},
      version: 0,
      refresh: 0,

      setMain(pen) {
        if (!pen) return
        const s = get()
        const at = s.pens.findIndex((p) => p.main)
        if (at >= 0 && s.pens[at]!.signal === pen.signal) {
          // same signal: keep its settings, refresh what the model says about it
          const cur = s.pens[at]!
          const next = { ...cur, ...pen, hidden: cur.hidden, compare: cur.compare, color: cur.color, main: true }
          if (JSON.stringify(next) === JSON.stringify(cur)) return
          const pens = [...s.pens]
          pens[at] = next
          return set({ pens })
        }
        const existing = s.pens.findIndex((p) => p.signal === pen.signal)
        let pens = s.pens.map((p) => (p.main ? { ...p, main: false } : p))
        // the old main pen goes unless it was pinned (added with "+ trend")
        if (at >= 0 && !s.pens[at]!.pinned) pens = pens.filter((_, i) => i !== at)
        if (existing >= 0) pens = pens.map((p) => (p.signal === pen.signal ? { ...p, main: true } : p))
        else if (pens.length < MAX_PENS) pens = [{ ...pen, color: nextColorSlot(pens), main: true }, ...pens]
        set({ pens })
      },
      addPen(pen) {
        const s = get()
        if (s.pens.some((p) => p.signal === pen.signal)) {
          set({ pens: s.pens.map((p) => (p.signal === pen.signal ? { ...p, pinned: true, hidden: false } : p)) })
          return { ok: true }
        }
        if (s.pens.length >= MAX_PENS) return { ok: false, reason: `a trend holds at most ${MAX_PENS} pens; remove one first` }
        set({ pens: [...s.pens, { ...pen, pinned: true, color: pen.color ?? nextColorSlot(s.pens) }] })
        return { ok: true }
      },
      removePen(signal) {
        set((s) => ({ pens: s.pens.filter((p) => p.signal !== signal) }))
      },
      toggleHidden(signal) {
        set((s) => ({ pens: s.pens.map((p) => (p.signal === signal ? { ...p, hidden: !p.hidden } : p)) }))
      },
      movePen(signal, by) {
        const pens = [...get().pens]
        const i = pens.findIndex((p) => p.signal === signal)
        const j = i + by
        if (i < 0 || j < 0 || j >= pens.length) return
        ;[pens[i], pens[j]] = [pens[j]!, pens[i]!]
        set({ pens })
      },
      setCompare(signal, compare) {
        set((s) => ({ pens: s.pens.map((p) => (p.signal === signal ? { ...p, compare } : p)) }))
      },
      setRange(range) {
        set(range.kind === 'live' ? { range, liveSpanMs: range.spanMs } : { range })
      },
      backToLive() {
        set((s) => ({ range: { kind: 'live', spanMs: s.liveSpanMs } }))
      },
      setTimeZone: (timeZone) => set({ timeZone }),
      setCursors: (cursors) => set({ cursors }),
      applyView(v) {
        const pens = v.pens.map((p, i) => ({ ...p, pinned: true, main: false, color: p.color ?? String(i) }))
        set({ pens, range: v.range, axes: v.axes, ...(v.range.kind === 'live' ? { liveSpanMs: v.range.spanMs } : {}) })
      },
      currentView() {
        const s = get()
        return { pens: s.pens.map(({ main: _m, pinned: _p, ...p }) => p), range: s.range, axes: s.axes }
      },
      saveView(name) {
        const s = get()
        const view = s.currentView()
        set({ views: [...s.views.filter((x) => x.name !== name), { name, view }].sort((a, b) => a.name.localeCompare(b.name)) })
      },
      deleteView: (name) => set((s) => ({ views: s.views.filter((x) => x.name !== name) })),
      snapshot() {
        const s = get()
        return { pens: s.pens, range: s.range, liveSpanMs: s.liveSpanMs, axes: s.axes }
      },
      restore(slot) {
        const s = get()
        const keep = new Set(slot.pens.map((p) => p.signal))
        const data = Object.fromEntries(Object.entries(s.data).filter(([k]) => keep.has(k)))
        const compare = Object.fromEntries(Object.entries(s.compare).filter(([k]) => keep.has(k.slice(0, k.lastIndexOf('@')))))
        set({ pens: slot.pens, range: slot.range, liveSpanMs: slot.liveSpanMs, axes: slot.axes, cursors: undefined, data, compare, version: s.version + 1 })
      },

      loading(signals) {
        const data = { ...get().data }
        for (const id of signals) data[id] = { ...(data[id] ?? { buf: emptyBuffer(), cap: 20_000 }), status: 'loading' }
        set({ data })
      },
      loaded(signal, buf, cap, live) {
        const s = get()
        const old = s.data[signal]
        if (live && old) {
          // Live samples that arrived while the query ran are newer than its last point: keep them.
          const t0 = buf.t.length ? buf.t[buf.t.length - 1]! : -Infinity
          for (let i = 0; i < old.buf.t.length; i++) {
            if (old.buf.t[i]! > t0) {
              buf.t.push(old.buf.t[i]!)
              buf.v.push(old.buf.v[i]!)
              buf.lo?.push(old.buf.v[i]!)
              buf.hi?.push(old.buf.v[i]!)
            }
          }
        }
        set({ data: { ...s.data, [signal]: { buf, status: 'ready', cap } }, version: s.version + 1 })
      },
      failed(signals, error) {
        const data = { ...get().data }
        for (const id of signals) data[id] = { ...(data[id] ?? { buf: emptyBuffer(), cap: 20_000 }), status: 'error', error }
        set({ data })
      },
      compareLoaded(key, c) {
        set((s) => ({ compare: { ...s.compare, [key]: c }, version: s.version + 1 }))
      },
      append(batch) {
        const s = get()
        if (s.range.kind !== 'live' || s.pens.length === 0) return
        let added = 0
        let over = false
        for (const p of s.pens) {
          const d = s.data[p.signal]
          if (!d || d.status !== 'ready') continue
          added += appendSamples(d.buf, batch, p.signal)
          if (d.buf.t.length > d.cap) {
            over = true
            d.cap = Infinity // once: the fresh query sets a new cap
          }
        }
        // Mutated in place: tell the chart through `version` without a new object (no React work per sample).
        if (added > 0 || over) useTrendStore.setState(over ? { version: s.version + 1, refresh: s.refresh + 1 } : { version: s.version + 1 })
      },
    }),
    {
      name: 'plantdeck.trend',
      version: 1,
      storage: createJSONStorage(safeStorage),
      partialize: (s) => ({ pens: s.pens, range: s.range, liveSpanMs: s.liveSpanMs, axes: s.axes, timeZone: s.timeZone, views: s.views }),
    },
  ),
)
