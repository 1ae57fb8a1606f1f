import { create } from 'zustand'
import type { ConnectionState, ErrorShape } from '../../shared/model'

interface ConnectionsState {
  list: ConnectionState[]
  /** False until the first `connections.list` answer: an empty list then means "none configured". */
  loaded: boolean
  error?: ErrorShape
  setAll(list: ConnectionState[]): void
  upsert(c: ConnectionState): void
  setError(e: ErrorShape): void
}

/** Replace by id, keeping the order connections were first listed in. */
export function upsertConnection(list: ConnectionState[], c: ConnectionState): ConnectionState[] {
  const i = list.findIndex((x) => x.id === c.id)
  if (i < 0) return [...list, c]
  const next = list.slice()
  next[i] = c
  return next
}

export const useConnectionsStore = create<ConnectionsState>()((set) => ({
  list: [],
  loaded: false,
  setAll: (list) => set({ list, loaded: true, error: undefined }),
  upsert: (c) => set((s) => ({ list: upsertConnection(s.list, c) })),
  setError: (error) => set({ error }),
}))
