import type { Transport } from '../../shared/rpc/transport'
import { backoffDelay } from './backoff'
import type { LinkSource, LinkStatus } from './link'

export interface WsTransportOptions {
  url: string
  /** Messages sent while the socket is not open wait here (oldest dropped beyond this). */
  maxQueue?: number
  WebSocketImpl?: typeof WebSocket
}

/**
 * A Transport over a WebSocket that reconnects with backoff. Each time a socket goes away, `onClose` listeners fire
 * (the RPC client fails its pending calls with `rpc.closed`) and a new socket is dialled; `onStatus` tells the UI.
 */
export function createWsTransport(opts: WsTransportOptions): Transport & LinkSource {
  const WS = opts.WebSocketImpl ?? WebSocket
  const maxQueue = opts.maxQueue ?? 256
  const msgCbs = new Set<(text: string) => void>()
  const closeCbs = new Set<() => void>()
  const statusCbs = new Set<(s: LinkStatus) => void>()
  let status: LinkStatus = { state: 'connecting', attempt: 0, opens: 0 }
  let queue: string[] = []
  let ws: WebSocket | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  const setStatus = (patch: Partial<LinkStatus>) => {
    status = { ...status, ...patch }
    for (const cb of statusCbs) cb(status)
  }

  const dial = () => {
    timer = undefined
    if (stopped) return
    let sock: WebSocket
    try {
      sock = new WS(opts.url)
    } catch (e) {
      return lost(`cannot open ${opts.url}: ${(e as Error).message}`)
    }
    ws = sock
    sock.onopen = () => {
      if (ws !== sock) return
      const pending = queue
      queue = []
      setStatus({ state: 'open', attempt: 0, retryAt: undefined, lastError: undefined, opens: status.opens + 1 })
      for (const text of pending) sock.send(text)
    }
    sock.onmessage = (ev) => {
      if (ws !== sock || typeof ev.data !== 'string') return
      for (const cb of msgCbs) cb(ev.data)
    }
    sock.onclose = (ev) => {
      if (ws !== sock) return
      lost(ev.reason || (ev.code === 1006 ? 'server unreachable' : `closed (code ${ev.code})`))
    }
    sock.onerror = () => {
      /* always followed by onclose, which carries what little the browser tells us */
    }
  }

  const lost = (reason: string) => {
    const sock = ws
    ws = undefined
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null
      if (sock.readyState === WS.OPEN || sock.readyState === WS.CONNECTING) sock.close()
    }
    // Calls queued for the dead socket are failed by the RPC client now; do not replay them on the next one.
    queue = []
    for (const cb of closeCbs) cb()
    if (stopped) return
    const attempt = status.attempt + 1
    const delay = backoffDelay(attempt)
    setStatus({ state: 'reconnecting', attempt, retryAt: Date.now() + delay, lastError: reason })
    timer = setTimeout(dial, delay)
  }

  dial()

  return {
    send(text) {
      if (stopped) return
      if (ws && ws.readyState === WS.OPEN) ws.send(text)
      else {
        queue.push(text)
        if (queue.length > maxQueue) queue.shift()
      }
    },
    onMessage(cb) {
      msgCbs.add(cb)
      return () => msgCbs.delete(cb)
    },
    onClose(cb) {
      closeCbs.add(cb)
      return () => closeCbs.delete(cb)
    },
    close() {
      if (stopped) return
      stopped = true
      if (timer) clearTimeout(timer)
      lost('closed by the application')
      setStatus({ state: 'closed', retryAt: undefined })
    },
    status: () => status,
    onStatus(cb) {
      statusCbs.add(cb)
      return () => statusCbs.delete(cb)
    },
    reconnectNow() {
      if (stopped) return
      if (timer) {
        clearTimeout(timer)
        timer = undefined
      }
      if (ws) lost('no answer from the server')
      else dial()
      // `lost` scheduled a backoff; an explicit request skips the wait.
      if (timer) {
        clearTimeout(timer)
        dial()
      }
    },
  }
}
