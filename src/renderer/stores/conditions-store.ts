import { create } from 'zustand'
import type { Condition, PathCondition } from '../../shared/contract/conditions'

interface ConditionsState {
  /** The core's condition of every asset path that is not `good` (worst over its subtree); absent: good. */
  byPath: Record<string, Condition>
  /** False until the first `conditions.get` answer. */
  loaded: boolean
  setAll(items: readonly PathCondition[]): void
  apply(items: readonly PathCondition[]): void
}

/** Asset paths' conditions as the core pushes them (`conditions.changed`, batched): one store update per batch. */
export const useConditionsStore = create<ConditionsState>()((set) => ({
  byPath: {},
  loaded: false,
  setAll: (items) => set({ byPath: Object.fromEntries(items.filter((i) => i.condition !== 'good').map((i) => [i.path, i.condition])), loaded: true }),
  apply: (items) =>
    set((s) => {
      const byPath = { ...s.byPath }
      for (const i of items) {
        if (i.condition === 'good') delete byPath[i.path]
        else byPath[i.path] = i.condition
      }
      return { byPath }
    }),
}))

/** One path's condition (good when the core reported nothing abnormal). */
export const conditionOf = (byPath: Record<string, Condition>, path: string): Condition => byPath[path] ?? 'good'
