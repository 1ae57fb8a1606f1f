import type { Transport } from '../../shared/rpc/transport'

/** What the preload exposes through contextBridge: one channel of JSON text, nothing else. */
export interface PlantdeckIpc {
  send(text: string): void
  onMessage(cb: (text: string) => void): () => void
}

declare global {
  interface Window {
    plantdeckIpc?: PlantdeckIpc
  }
}

/** The desktop transport. IPC lives as long as the window, so it only "closes" when we close it. */
export function createIpcTransport(ipc: PlantdeckIpc): Transport {
  const closeCbs = new Set<() => void>()
  const offs = new Set<() => void>()
  let closed = false
  return {
    send(text) {
      if (!closed) ipc.send(text)
    },
    onMessage(cb) {
      const off = ipc.onMessage((text) => {
        if (!closed) cb(text)
      })
      offs.add(off)
      return () => {
        offs.delete(off)
        off()
      }
    },
    onClose(cb) {
      closeCbs.add(cb)
      return () => closeCbs.delete(cb)
    },
    close() {
      if (closed) return
      closed = true
      for (const off of offs) off()
      offs.clear()
      for (const cb of closeCbs) cb()
    },
  }
}
