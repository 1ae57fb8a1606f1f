import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'
import type { AssetTree } from '../../shared/contract'
import type { ErrorShape, SignalInfo } from '../../shared/model'
import { ancestorsOf, indexTree, type TreeIndex } from '../lib/tree'

interface AssetsState {
  status: 'loading' | 'ready' | 'error'
  error?: ErrorShape
  tree?: AssetTree
  index?: TreeIndex
  catalog: Record<string, SignalInfo>
  /** Persisted, so a shift starts where the last one left off. */
  expanded: Record<string, boolean>
  selectedAssetId?: string
  selectedSignalId?: string
  focusedAssetId?: string
  setTree(tree: AssetTree): void
  setError(e: ErrorShape): void
  setExpanded(id: string, open: boolean): void
  selectAsset(id: string): void
  focusAsset(id: string): void
  selectSignal(id: string | undefined): void
}

const safeLocalStorage = () => {
  try {
    return window.localStorage
  } catch {
    return undefined as unknown as Storage
  }
}

export const useAssetsStore = create<AssetsState>()(
  persist(
    (set, get) => ({
      status: 'loading',
      catalog: {},
      expanded: {},
      setTree(tree) {
        const index = indexTree(tree.root)
        const catalog: Record<string, SignalInfo> = {}
        for (const s of tree.signals) catalog[s.id] = s
        const s = get()
        // Drop a remembered selection that no longer exists; open the root and the path to what is selected.
        const selectedAssetId = s.selectedAssetId && index.byId.has(s.selectedAssetId) ? s.selectedAssetId : undefined
        const selectedSignalId = s.selectedSignalId && catalog[s.selectedSignalId] ? s.selectedSignalId : undefined
        const expanded = { ...s.expanded, [tree.root.id]: s.expanded[tree.root.id] ?? true }
        if (selectedAssetId) for (const a of ancestorsOf(selectedAssetId, index)) expanded[a] = true
        const focusedAssetId = s.focusedAssetId && index.byId.has(s.focusedAssetId) ? s.focusedAssetId : (selectedAssetId ?? tree.root.id)
        set({ status: 'ready', error: undefined, tree, index, catalog, expanded, selectedAssetId, selectedSignalId, focusedAssetId })
      },
      setError: (error) => set((s) => ({ status: s.tree ? s.status : 'error', error })),
      setExpanded: (id, open) => set((s) => ({ expanded: { ...s.expanded, [id]: open } })),
      selectAsset(id) {
        const s = get()
        if (s.selectedAssetId === id) return set({ focusedAssetId: id })
        // Keep the trended signal when the new asset also shows it; otherwise trend its first signal.
        const node = s.index?.byId.get(id)
        const own = node ? [...node.signals, ...node.children.flatMap((c) => c.signals)] : []
        const keep = s.selectedSignalId && own.some((x) => x.signal === s.selectedSignalId)
        const firstNumeric = own.find((x) => s.catalog[x.signal]?.dataType === 'number') ?? own[0]
        // Selecting from the faceplate (a child's header, "Contains") must show where it is in the tree.
        const expanded = { ...s.expanded }
        if (s.index) for (const a of ancestorsOf(id, s.index)) expanded[a] = true
        set({ selectedAssetId: id, focusedAssetId: id, expanded, selectedSignalId: keep ? s.selectedSignalId : firstNumeric?.signal })
      },
      focusAsset: (focusedAssetId) => set({ focusedAssetId }),
      selectSignal: (selectedSignalId) => set({ selectedSignalId }),
    }),
    {
      name: 'plantdeck.assets',
      version: 1,
      storage: createJSONStorage(safeLocalStorage),
      partialize: (s) => ({ expanded: s.expanded, selectedAssetId: s.selectedAssetId, selectedSignalId: s.selectedSignalId }),
    },
  ),
)
