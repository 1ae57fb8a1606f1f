import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'

const CHANNEL = 'plantdeck:rpc'

// The only thing the page gets: a text transport for the RPC. No Node, no ipcRenderer.
contextBridge.exposeInMainWorld('plantdeckIpc', {
  send(text: string): void {
    ipcRenderer.send(CHANNEL, String(text))
  },
  onMessage(cb: (text: string) => void): () => void {
    const h = (_e: IpcRendererEvent, text: unknown) => {
      if (typeof text === 'string') cb(text)
    }
    ipcRenderer.on(CHANNEL, h)
    return () => ipcRenderer.off(CHANNEL, h)
  },
})
