import { ipcMain, type IpcMainEvent, type WebContents } from 'electron'
import type { Transport } from '../shared/rpc/transport'

const RPC_CHANNEL = 'plantdeck:rpc'

/**
 * The RPC transport to one window. Messages from any other sender, or from a frame that is not
 * the app's own page, are dropped: the renderer is checked like any other client.
 */
export function ipcTransport(wc: WebContents, isTrustedUrl: (url: string) => boolean): Transport {
  const msgCbs = new Set<(text: string) => void>()
  const closeCbs = new Set<() => void>()
  const onIpc = (e: IpcMainEvent, text: unknown) => {
    if (e.sender !== wc || !e.senderFrame || !isTrustedUrl(e.senderFrame.url)) return
    const s = typeof text === 'string' ? text : '\u0000not-text'
    for (const cb of msgCbs) cb(s)
  }
  ipcMain.on(RPC_CHANNEL, onIpc)
  wc.once('destroyed', () => {
    ipcMain.off(RPC_CHANNEL, onIpc)
    for (const cb of closeCbs) cb()
  })
  return {
    send(text) {
      if (!wc.isDestroyed()) wc.send(RPC_CHANNEL, text)
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
      ipcMain.off(RPC_CHANNEL, onIpc)
    },
  }
}
