import WebSocket from 'ws'
import { createRpcClient } from '../../src/shared/rpc/client'
import type { Transport } from '../../src/shared/rpc/transport'
import type { Contract, Events } from '../../src/shared/contract'

/** A Node WebSocket as a client transport, for tests. */
export async function openWs(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; transport: Transport }> {
  const ws = new WebSocket(url, { ...options, headers })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
  const transport: Transport = {
    send: (t) => ws.send(t),
    onMessage(cb) {
      const h = (d: WebSocket.RawData) => cb(d.toString())
      ws.on('message', h)
      return () => ws.off('message', h)
    },
    onClose(cb) {
      ws.on('close', cb)
      return () => ws.off('close', cb)
    },
    close: () => ws.close(),
  }
  return { ws, transport }
}

export async function openClient(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}) {
  const { ws, transport } = await openWs(url, headers, options)
  return { ws, client: createRpcClient<Contract, Events>(transport, { timeoutMs: 10_000 }) }
}

/** Next message on a raw socket, parsed. */
export function nextMessage(ws: WebSocket): Promise<{ id?: unknown; ok?: boolean; error?: { code: string; message: string } }> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))))
}
