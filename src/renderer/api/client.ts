import type { Contract, Events } from '../../shared/contract'
import { createRpcClient, type RpcClient } from '../../shared/rpc/client'
import { createIpcTransport } from './ipc-transport'
import type { LinkSource, LinkStatus } from './link'
import { createWsTransport } from './ws-transport'
import { apiUrl } from './ws-url'

export type Rpc = RpcClient<Contract, Events>

export interface Api {
  rpc: Rpc
  link: LinkSource
  /** Which transport carries the API: Electron IPC (desktop) or WebSocket (browser). */
  via: 'ipc' | 'ws'
}

const ipcLink = (): LinkSource => {
  const status: LinkStatus = { state: 'open', attempt: 0, opens: 1 }
  return { status: () => status, onStatus: () => () => {}, reconnectNow: () => {} }
}

/** IPC when the desktop preload is there, else a WebSocket to `/api` next to the page. */
export function createApi(win: Window = window): Api {
  if (win.plantdeckIpc) {
    return { rpc: createRpcClient<Contract, Events>(createIpcTransport(win.plantdeckIpc), { timeoutMs: 15_000 }), link: ipcLink(), via: 'ipc' }
  }
  if (new URLSearchParams(win.location.search).has('token')) {
    // A server with a token redirects before serving the page; one without ignores it. Either way: not in the address bar.
    const url = new URL(win.location.href)
    url.searchParams.delete('token')
    win.history.replaceState(win.history.state, '', url.toString())
  }
  const transport = createWsTransport({ url: apiUrl(win.location) })
  return { rpc: createRpcClient<Contract, Events>(transport, { timeoutMs: 15_000 }), link: transport, via: 'ws' }
}

let api: Api | undefined

/** The one API of this window, created on first use. */
export function getApi(): Api {
  api ??= createApi()
  return api
}
