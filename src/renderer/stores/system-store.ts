import { create } from 'zustand'
import type { StoreStatus, SyncStatus, SystemInfo } from '../../shared/contract'
import type { ErrorShape } from '../../shared/model'
import type { LinkStatus } from '../api/link'

interface SystemState {
  info?: SystemInfo
  infoError?: ErrorShape
  link: LinkStatus
  via?: 'ipc' | 'ws'
  /** Server clock minus local clock (ms), measured by ping; ages are computed on the server's time. */
  clockOffsetMs: number
  /** Completed (re)synchronisations: a change means fresh data was loaded and live streams must be set up again. */
  syncs: number
  /** The local history's state (full: writing paused); unknown until the first diagnostics answer. */
  store?: StoreStatus
  setInfo(info: SystemInfo): void
  setInfoError(e: ErrorShape): void
  setLink(link: LinkStatus): void
  setClockOffset(ms: number): void
  setStore(store: StoreStatus | undefined): void
  /** The store's size, budget and oldest sample, and each sync sink's backlog (event `sync.status`, about 1/s). */
  sync?: SyncStatus
  setSync(sync: SyncStatus | undefined): void
}

export const useSystemStore = create<SystemState>()((set) => ({
  link: { state: 'connecting', attempt: 0, opens: 0 },
  clockOffsetMs: 0,
  syncs: 0,
  setInfo: (info) => set({ info, infoError: undefined }),
  setInfoError: (infoError) => set({ infoError }),
  setLink: (link) => set({ link }),
  setClockOffset: (clockOffsetMs) => set({ clockOffsetMs }),
  setStore: (store) => set({ store }),
  setSync: (sync) => set({ sync }),
}))

/** Now, on the server's clock. */
export const serverNow = () => Date.now() + useSystemStore.getState().clockOffsetMs

/** Offset from one ping: the server stamped `at` somewhere between send and receive; assume the middle. */
export function clockOffset(sentAt: number, receivedAt: number, serverAt: number): number {
  return serverAt - (sentAt + receivedAt) / 2
}
