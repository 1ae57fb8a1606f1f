import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'
import type { Asset, AssetSummary, AssetTree, LiveAttribute } from '../../shared/contract'
import type { ErrorShape, SignalInfo } from '../../shared/model'
import { formatNumber } from '../lib/format'
import { applyPage, emptyTree, idOf, markError, markLoading, setExpanded, TOP, type ModelTreeState } from '../lib/model-tree'
import type { FixedAttribute, TreeIndex, ViewNode } from '../lib/tree'

/** A signal as the screen shows it: the catalog's entry, with the model attribute's unit, range and labels when it has one. */
export interface SignalMeta extends SignalInfo {
  decimals?: number | undefined
  enumeration?: Record<string, string> | undefined
  /** The model attribute's expected update interval (ms): its value is stale after 3× it. */
  expectedIntervalMs?: number | undefined
}

/** One loaded asset: the model's record and how each attribute reaches a value now (`model.live`). */
export interface AssetDetail {
  asset: Asset
  live: LiveAttribute[]
}

interface AssetsState {
  status: 'loading' | 'ready' | 'error'
  error?: ErrorShape
  /** The signal catalog (`assets.tree`): every signal a connection delivers. */
  tree?: AssetTree
  catalog: Record<string, SignalMeta>
  /** The asset model, as far as it is loaded: one page of children per opened level. */
  model: ModelTreeState
  /** Loaded assets with their attributes resolved to signals (the selection and its children). */
  details: Record<string, AssetDetail>
  /** The loaded part of the model as view nodes (`byId`, `parentOf`): what the faceplate, the trend and live sync read. */
  index?: TreeIndex
  /** Persisted, so a shift starts where the last one left off: open rows by row key. */
  expanded: Record<string, boolean>
  selectedAssetId?: string
  selectedSignalId?: string
  /** The focused row's key (`<parent key>/<id>`: an asset shown by reference appears twice). */
  focusedKey?: string
  setTree(tree: AssetTree): void
  setError(e: ErrorShape): void
  levelLoading(parent: string): void
  levelLoaded(parent: string, page: { items: AssetSummary[]; next: string | null }, more: boolean): void
  levelFailed(parent: string, e: ErrorShape): void
  setDetails(list: AssetDetail[]): void
  dropDetails(ids: readonly string[]): void
  setExpanded(key: string, open: boolean): void
  selectAsset(id: string): void
  focusRow(key: string): void
  selectSignal(id: string | undefined): void
}

const safeLocalStorage = () => {
  try {
    return window.localStorage
  } catch {
    return undefined as unknown as Storage
  }
}

const STATE_TEXT: Record<string, string> = { not_collected: 'Not collected', unbound: 'Not bound', bad_expression: 'Expression error' }

/** An attribute that carries no signal, as the faceplate shows it. */
function fixedOf(a: LiveAttribute, asset: Asset): FixedAttribute {
  if (a.state === 'constant') {
    const def = asset.attributes.find((x) => x.name === a.name)
    const v = a.value
    const text = typeof v === 'number' ? formatNumber(v, def?.decimals ?? 2) : v === undefined || v === null ? '—' : String(v)
    const label = def?.enumeration && v !== undefined && v !== null ? def.enumeration[String(v)] : undefined
    return { attribute: a.name, state: 'constant', text: label ?? text, ...(def?.unit && label === undefined ? { unit: def.unit } : {}) }
  }
  return { attribute: a.name, state: a.state, text: a.reason ? `${STATE_TEXT[a.state] ?? a.state}: ${a.reason}` : (STATE_TEXT[a.state] ?? a.state) }
}

/** The signal metadata an attribute gives its signal (unit, range, decimals, labels), over the catalog's. */
function metaOf(detail: AssetDetail, a: LiveAttribute, catalog: Record<string, SignalMeta>): SignalMeta | undefined {
  if (!a.signal || !carries(a)) return undefined
  const def = detail.asset.attributes.find((x) => x.name === a.name)
  const base = catalog[a.signal]
  const connection = base?.connection ?? (typeof def?.binding?.['connection'] === 'string' ? (def.binding['connection'] as string) : 'model')
  return {
    id: a.signal,
    name: `${detail.asset.path}/${a.name}`,
    dataType: def?.dataType ?? base?.dataType ?? 'number',
    connection,
    writable: def?.writable ?? base?.writable ?? false,
    ...(def?.unit ?? base?.unit ? { unit: def?.unit ?? base?.unit } : {}),
    ...(def?.range ? { range: [def.range.min, def.range.max] as [number, number] } : base?.range ? { range: base.range } : {}),
    ...(def?.decimals !== undefined ? { decimals: def.decimals } : {}),
    ...(def?.enumeration ? { enumeration: def.enumeration } : {}),
    ...(def?.expectedIntervalMs !== undefined ? { expectedIntervalMs: def.expectedIntervalMs } : {}),
    ...(def && detail.asset.description ? { description: detail.asset.description } : {}),
  }
}

/** An attribute whose values flow as a signal now (a refused source keeps its signal id, but carries nothing). */
const carries = (a: LiveAttribute) => a.signal !== null && (a.state === 'live' || a.state === 'calculated')

/** The loaded model as view nodes: structure from the levels, attributes from the details. */
export function buildIndex(model: ModelTreeState, details: Record<string, AssetDetail>): TreeIndex {
  const byId = new Map<string, ViewNode>()
  const parentOf = new Map<string, string>()
  const node = (id: string, summary: AssetSummary | undefined): ViewNode => {
    let n = byId.get(id)
    if (!n) {
      const d = details[id]
      n = {
        id,
        name: d?.asset.name ?? summary?.name ?? id,
        kind: d?.asset.kind ?? summary?.kind ?? 'folder',
        signals: d ? d.live.flatMap((a) => (carries(a) ? [{ attribute: a.name, signal: a.signal! }] : [])) : [],
        fixed: d ? d.live.filter((a) => !carries(a)).map((a) => fixedOf(a, d.asset)) : [],
        children: [],
      }
      byId.set(id, n)
    }
    return n
  }
  for (const [key, lv] of Object.entries(model.levels)) {
    const parent = key === TOP ? undefined : node(idOf(key), model.nodes[key])
    for (const k of lv.ids) {
      const s = model.nodes[k]
      if (!s) continue
      const child = node(s.id, s)
      if (parent && !parent.children.includes(child)) parent.children.push(child)
      if (parent && !s.reference) parentOf.set(s.id, parent.id)
    }
  }
  for (const [id, d] of Object.entries(details)) {
    node(id, undefined)
    if (d.asset.parent && !parentOf.has(id)) parentOf.set(id, d.asset.parent)
  }
  return { byId, parentOf }
}

/** Catalog entries for the loaded attributes' signals: the model's unit, range and labels win. */
function withModelMeta(catalog: Record<string, SignalMeta>, list: readonly AssetDetail[]): Record<string, SignalMeta> {
  let out = catalog
  for (const d of list) {
    for (const a of d.live) {
      const m = metaOf(d, a, catalog)
      if (!m) continue
      if (out === catalog) out = { ...catalog }
      out[m.id] = m
    }
  }
  return out
}

export const useAssetsStore = create<AssetsState>()(
  persist(
    (set, get) => {
      /** Sets the model part and keeps the index in step with it. */
      const setModel = (model: ModelTreeState, details = get().details, extra: Partial<AssetsState> = {}) =>
        set({ model, details, index: buildIndex(model, details), ...extra })
      return {
        status: 'loading',
        catalog: {},
        model: emptyTree(),
        details: {},
        expanded: {},
        setTree(tree) {
          const catalog: Record<string, SignalMeta> = {}
          for (const s of tree.signals) catalog[s.id] = s
          const s = get()
          const selectedSignalId = s.selectedSignalId && (catalog[s.selectedSignalId] || s.catalog[s.selectedSignalId]) ? s.selectedSignalId : undefined
          set({ status: 'ready', error: undefined, tree, catalog: withModelMeta(catalog, Object.values(s.details)), selectedSignalId })
        },
        setError: (error) => set((s) => ({ status: s.tree ? s.status : 'error', error })),
        levelLoading: (parent) => setModel(markLoading(get().model, parent)),
        levelLoaded(parent, page, more) {
          const s = get()
          let model = applyPage(s.model, parent, page, more)
          // remembered open rows stay open as their levels arrive
          for (const a of page.items) {
            const key = `${parent}/${a.id}`
            if (s.expanded[key] && a.hasChildren) model = setExpanded(model, key, true)
          }
          setModel(model)
        },
        levelFailed: (parent, e) => setModel(markError(get().model, parent, e)),
        setDetails(list) {
          if (list.length === 0) return
          const s = get()
          const details = { ...s.details }
          for (const d of list) details[d.asset.id] = d
          setModel(s.model, details, { catalog: withModelMeta(s.catalog, list) })
        },
        dropDetails(ids) {
          const s = get()
          if (!ids.some((id) => s.details[id])) return
          const details = { ...s.details }
          for (const id of ids) delete details[id]
          setModel(s.model, details)
        },
        setExpanded(key, open) {
          const s = get()
          const expanded = { ...s.expanded }
          if (open) expanded[key] = true
          else delete expanded[key]
          setModel(setExpanded(s.model, key, open), s.details, { expanded })
        },
        selectAsset(id) {
          const s = get()
          if (s.selectedAssetId === id) return
          // Keep the trended signal when the new asset also shows it; otherwise trend its first numeric one.
          const node = s.index?.byId.get(id)
          const own = node ? [...node.signals, ...node.children.flatMap((c) => c.signals)] : []
          const keep = s.selectedSignalId && own.some((x) => x.signal === s.selectedSignalId)
          const firstNumeric = own.find((x) => s.catalog[x.signal]?.dataType === 'number') ?? own[0]
          set({ selectedAssetId: id, selectedSignalId: keep ? s.selectedSignalId : (firstNumeric?.signal ?? s.selectedSignalId) })
        },
        focusRow: (focusedKey) => set({ focusedKey }),
        selectSignal: (selectedSignalId) => set({ selectedSignalId }),
      }
    },
    {
      name: 'plantdeck.assets',
      // version 2: the tree is the asset model (row keys and model ids); version 1's configured ids are dropped
      version: 2,
      migrate: () => ({ expanded: {} }),
      storage: createJSONStorage(safeLocalStorage),
      partialize: (s) => ({ expanded: s.expanded, selectedAssetId: s.selectedAssetId, selectedSignalId: s.selectedSignalId }),
    },
  ),
)
