/**
 * A bidirectional channel of JSON text messages. Electron IPC, WebSocket and the in-memory pair implement it.
 * `send` never throws: a closed transport drops the message. `onMessage` callbacks run in arrival order.
 */
export interface Transport {
  send(text: string): void
  onMessage(cb: (text: string) => void): () => void
  onClose(cb: () => void): () => void
  close(): void
  /** Bytes handed to `send` that the peer has not taken yet; lets the server budget a slow client. Optional. */
  unsent?(): number
}

/** Two connected in-memory transports, delivering asynchronously like a real channel. For tests. */
export function createMemoryPair(): [Transport, Transport] {
  const make = () => {
    const msgCbs = new Set<(text: string) => void>()
    const closeCbs = new Set<() => void>()
    return { msgCbs, closeCbs, closed: false }
  }
  const a = make()
  const b = make()
  const end = (self: ReturnType<typeof make>, peer: ReturnType<typeof make>): Transport => ({
    send(text) {
      if (self.closed) return
      queueMicrotask(() => {
        if (!peer.closed) for (const cb of peer.msgCbs) cb(text)
      })
    },
    onMessage(cb) {
      self.msgCbs.add(cb)
      return () => self.msgCbs.delete(cb)
    },
    onClose(cb) {
      self.closeCbs.add(cb)
      return () => self.closeCbs.delete(cb)
    },
    close() {
      for (const side of [self, peer]) {
        if (side.closed) continue
        side.closed = true
        queueMicrotask(() => side.closeCbs.forEach((cb) => cb()))
      }
    },
  })
  return [end(a, b), end(b, a)]
}
