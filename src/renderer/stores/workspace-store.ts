import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'
import { MAX_WORKSPACE_TABS, Workspace, type TrendSlot, type WorkspaceTab } from '../../shared/contract/workspace'
import type { ErrorShape } from '../../shared/model'
import { useAssetsStore } from './assets-store'
import { TREND_WINDOW_MS, useTrendStore } from './trend-store'
import { useUiStore } from './ui-store'

/** Asset tabs beyond this many: the oldest one not shown is closed when another opens. */
export const MAX_ASSET_TABS = 12
export const OVERVIEW: WorkspaceTab = { kind: 'overview', id: 'overview' }
export const ALARMS: WorkspaceTab = { kind: 'alarms', id: 'alarms' }
export const emptySlot = (): TrendSlot => ({ pens: [], range: { kind: 'live', spanMs: TREND_WINDOW_MS }, liveSpanMs: TREND_WINDOW_MS, axes: {} })
export const assetTabId = (asset: string) => `asset:${asset}`

/** Where the workspace is kept and how its last save went (the status bar shows it). */
export interface WorkspaceSync {
  /** `server`: per user on the server; `browser`: the kiosk's, in this browser. */
  where: 'server' | 'browser'
  state: 'idle' | 'loading' | 'saving' | 'saved' | 'error'
  savedAt?: number | undefined
  error?: ErrorShape | undefined
}

type TrendTab = Extract<WorkspaceTab, { kind: 'asset' | 'trend' }>
const hasTrend = (t: WorkspaceTab | undefined): t is TrendTab => t?.kind === 'asset' || t?.kind === 'trend'

interface WorkspaceState {
  tabs: WorkspaceTab[]
  active: string
  /**
   * The tab whose trend the trend store shows now (the last asset or trend tab shown); the other tabs keep theirs in
   * `trend`. Under an asset tab the trend's selected pen follows the faceplate; a trend tab's pens stay.
   */
  trendOwner: string | undefined
  /** Numbers new trend tabs. */
  counter: number
  sync: WorkspaceSync
  /** Shows a tab: the trend store swaps to its trend when it has one. Unknown ids are ignored. */
  activate(id: string): void
  /** Opens (or shows) the asset's tab; beyond MAX_ASSET_TABS the oldest asset tab not shown closes. */
  openAssetTab(asset: string, title: string): void
  /** The selection moved elsewhere (a faceplate's "contains", a search): the shown asset tab follows it. */
  followSelection(asset: string, title: string): void
  /** The trend shown now, as a tab of its own (every pen pinned). */
  openTrendTab(title?: string): string
  openAlarmsTab(): void
  /** Closes a tab (never the overview); the one before it is shown when it was the shown one. */
  close(id: string): void
  setSync(s: Partial<WorkspaceSync>): void
  /** The whole workspace, with the trend shown now written into its tab. */
  toDoc(): Workspace
  /** Replaces the workspace with a saved one. */
  applyDoc(doc: Workspace): void
}

const safeStorage = () => {
  try {
    return window.localStorage
  } catch {
    return undefined as unknown as Storage
  }
}

/** The operator view's tabs and the trends they hold (persisted per browser; per user on the server, see session/workspace-sync). */
export const useWorkspaceStore = create<WorkspaceState>()(
  persist(
    (set, get) => {
      /** The tabs with the trend store's content written into its owner's tab. */
      const withHeld = (): WorkspaceTab[] => {
        const s = get()
        if (!s.trendOwner) return s.tabs
        const held = useTrendStore.getState().snapshot()
        return s.tabs.map((t) => (t.id === s.trendOwner && hasTrend(t) ? { ...t, trend: held } : t))
      }
      /** Swaps the trend store to `tab`'s trend, keeping the one it held in its own tab. */
      const swapTrend = (tab: TrendTab) => {
        const s = get()
        if (tab.id === s.trendOwner) return
        const tabs = withHeld()
        const next = (tabs.find((t) => t.id === tab.id) as TrendTab | undefined)?.trend ?? emptySlot()
        useTrendStore.getState().restore(next)
        set({ tabs, trendOwner: tab.id })
        // the faceplate's trended row is the tab's selected pen (the model view keeps it when the asset shows it)
        const main = tab.kind === 'asset' ? next.pens.find((p) => p.main)?.signal : undefined
        if (main) useAssetsStore.setState({ selectedSignalId: main })
      }
      return {
        tabs: [OVERVIEW],
        active: 'overview',
        trendOwner: undefined,
        counter: 0,
        sync: { where: 'browser', state: 'idle' },

        activate(id) {
          const tab = get().tabs.find((t) => t.id === id)
          if (!tab) return
          if (hasTrend(tab)) swapTrend(tab)
          set({ active: id })
        },
        openAssetTab(asset, title) {
          const s = get()
          const id = assetTabId(asset)
          if (!s.tabs.some((t) => t.id === id)) {
            let tabs: WorkspaceTab[] = [...s.tabs, { kind: 'asset', id, asset, title }]
            const assets = tabs.filter((t) => t.kind === 'asset')
            if (assets.length > MAX_ASSET_TABS) {
              const drop = assets.find((t) => t.id !== s.active && t.id !== id && t.id !== s.trendOwner)
              if (drop) tabs = tabs.filter((t) => t !== drop)
            }
            if (tabs.length > MAX_WORKSPACE_TABS) return get().activate(s.active)
            set({ tabs })
          }
          get().activate(id)
        },
        followSelection(asset, title) {
          const s = get()
          const shown = s.tabs.find((t) => t.id === s.active)
          if (shown?.kind !== 'asset' || shown.asset === asset) return
          const id = assetTabId(asset)
          if (s.tabs.some((t) => t.id === id)) return get().activate(id)
          // the shown tab moves to the new asset, keeping its trend (the store holds it)
          set({ tabs: s.tabs.map((t) => (t === shown ? { kind: 'asset', id, asset, title } : t)), active: id, trendOwner: s.trendOwner === shown.id ? id : s.trendOwner })
        },
        openTrendTab(title) {
          const s = get()
          if (s.tabs.length >= MAX_WORKSPACE_TABS) return s.active
          const held = useTrendStore.getState().snapshot()
          const counter = s.counter + 1
          const id = `trend:${counter}`
          const main = held.pens.find((p) => p.main) ?? held.pens[0]
          const trend: TrendSlot = { ...held, pens: held.pens.map((p) => ({ ...p, main: false, pinned: true })) }
          const tab: WorkspaceTab = { kind: 'trend', id, title: (title ?? (main ? main.label : `Trend ${counter}`)).slice(0, 300), trend }
          set({ tabs: [...s.tabs, tab], counter })
          get().activate(id)
          return id
        },
        openAlarmsTab() {
          const s = get()
          if (!s.tabs.some((t) => t.id === 'alarms')) set({ tabs: [...s.tabs.slice(0, 1), ALARMS, ...s.tabs.slice(1)] })
          get().activate('alarms')
        },
        close(id) {
          const s = get()
          const at = s.tabs.findIndex((t) => t.id === id)
          if (at < 0 || s.tabs[at]!.kind === 'overview') return
          // its trend goes with it
          if (s.trendOwner === id) set({ trendOwner: undefined })
          const tabs = s.tabs.filter((t) => t.id !== id)
          set({ tabs })
          if (s.active === id) get().activate(tabs[Math.max(0, at - 1)]!.id)
        },
        setSync: (sync) => set((s) => ({ sync: { ...s.sync, ...sync } })),
        toDoc() {
          const s = get()
          const t = useTrendStore.getState()
          return {
            version: 1,
            theme: useUiStore.getState().theme,
            tabs: withHeld(),
            active: s.active,
            selectedAsset: useAssetsStore.getState().selectedAssetId ?? null,
            timeZone: t.timeZone,
            views: t.views,
          }
        },
        applyDoc(doc) {
          const tabs = doc.tabs.some((t) => t.kind === 'overview') ? doc.tabs : [OVERVIEW, ...doc.tabs]
          const shown = tabs.find((t) => t.id === doc.active) ?? tabs[0]!
          const counter = Math.max(0, ...tabs.map((t) => (t.kind === 'trend' ? Number(/^trend:(\d+)$/.exec(t.id)?.[1] ?? 0) : 0)))
          useUiStore.setState({ theme: doc.theme })
          useTrendStore.setState({ timeZone: doc.timeZone, views: doc.views })
          if (doc.selectedAsset) useAssetsStore.setState({ selectedAssetId: doc.selectedAsset })
          set({ tabs, active: shown.id, trendOwner: undefined, counter })
          // the shown tab's trend into the store (an overview shown: the trend store is left as it is until a trend tab shows)
          if (hasTrend(shown)) swapTrend(shown)
        },
      }
    },
    {
      name: 'plantdeck.workspace',
      version: 2,
      // version 2: each asset tab keeps its own trend
      migrate: () => ({ tabs: [OVERVIEW], active: 'overview', trendOwner: undefined, counter: 0 }),
      storage: createJSONStorage(safeStorage),
      partialize: (s) => ({ tabs: s.tabs, active: s.active, trendOwner: s.trendOwner, counter: s.counter }),
    },
  ),
)
