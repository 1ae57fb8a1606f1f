import type { z } from 'zod'
import type { EventMap, MethodMap } from '../contract/define'
import { AppError, ErrorCode } from '../model/errors'
import { ServerMsg } from './envelope'
import type { Transport } from './transport'

export interface RpcClient<C extends MethodMap, E extends EventMap> {
  call<M extends keyof C & string>(method: M, params: z.input<C[M]['input']>): Promise<z.output<C[M]['output']>>
  on<K extends keyof E & string>(event: K, cb: (payload: z.output<E[K]>) => void): () => void
  close(): void
}

/**
 * Typed client over any transport. Rejects with AppError carrying the server's code, `rpc.timeout`
 * when no answer comes in time, `rpc.closed` when the transport goes away.
 */
export function createRpcClient<C extends MethodMap, E extends EventMap>(
  transport: Transport,
  opts: { timeoutMs?: number } = {},
): RpcClient<C, E> {
  const timeoutMs = opts.timeoutMs ?? 15_000
  let nextId = 1
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer: ReturnType<typeof setTimeout> }>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()

  const offMsg = transport.onMessage((text) => {
    let msg: ServerMsg
    try {
      msg = ServerMsg.parse(JSON.parse(text))
    } catch {
      return // a broken server message cannot be routed; ignore it
    }
    if ('event' in msg) {
      listeners.get(msg.event)?.forEach((cb) => cb(msg.payload))
      return
    }
    if (typeof msg.id !== 'number') return
    const p = pending.get(msg.id)
    if (!p) return
    pending.delete(msg.id)
    clearTimeout(p.timer)
    if (msg.ok) p.resolve(msg.result)
    else {
      const code = ErrorCode.safeParse(msg.error.code)
      p.reject(new AppError(code.success ? code.data : 'rpc.internal', msg.error.message, msg.error.details))
    }
  })
  const failAll = (code: ErrorCode, message: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      p.reject(new AppError(code, message))
      pending.delete(id)
    }
  }
  const offClose = transport.onClose(() => failAll('rpc.closed', 'connection closed'))

  return {
    call(method, params) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new AppError('rpc.timeout', `${method} timed out after ${timeoutMs} ms`))
        }, timeoutMs)
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
        transport.send(JSON.stringify({ id, method, params }))
      })
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb as (p: unknown) => void)
      return () => set.delete(cb as (p: unknown) => void)
    },
    close() {
      offMsg()
      offClose()
      failAll('rpc.closed', 'client closed')
      transport.close()
    },
  }
}
