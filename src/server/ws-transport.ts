import type { WebSocket } from 'ws'
import type { Transport } from '../shared/rpc/transport'

/** Past this much unsent data a client is too slow: it is dropped rather than growing server memory. */
const MAX_BUFFERED = 32 * 1024 * 1024

/** A server-side WebSocket as an RPC transport. Binary frames are handed on as text so the RPC layer rejects them with a code. */
export function wsTransport(ws: WebSocket): Transport {
  return {
    send(text) {
      if (ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.close(1013, 'client too slow')
        return
      }
      ws.send(text)
    },
    onMessage(cb) {
      const h = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
        cb(isBinary ? `\u0000binary:${buf.length}` : buf.toString('utf8'))
      }
      ws.on('message', h)
      return () => ws.off('message', h)
    },
    onClose(cb) {
      ws.on('close', cb)
      return () => ws.off('close', cb)
    },
    close() {
      ws.close()
    },
    unsent: () => ws.bufferedAmount,
  }
}
