import { describe, expect, it, vi } from 'vitest'
import { createIpcTransport, type PlantdeckIpc } from './ipc-transport'

const fakeIpc = () => {
  const cbs = new Set<(t: string) => void>()
  const ipc: PlantdeckIpc & { sent: string[]; push(t: string): void; listeners(): number } = {
    sent: [],
    send(t) {
      this.sent.push(t)
    },
    onMessage(cb) {
      cbs.add(cb)
      return () => cbs.delete(cb)
    },
    push: (t) => cbs.forEach((cb) => cb(t)),
    listeners: () => cbs.size,
  }
  return ipc
}

describe('createIpcTransport', () => {
  it('passes text both ways', () => {
    const ipc = fakeIpc()
    const t = createIpcTransport(ipc)
    const got: string[] = []
    t.onMessage((m) => got.push(m))
    t.send('{"id":1}')
    ipc.push('{"id":1,"ok":true}')
    expect(ipc.sent).toEqual(['{"id":1}'])
    expect(got).toEqual(['{"id":1,"ok":true}'])
  })
  it('close detaches from the preload, fires onClose once, and drops later sends', () => {
    const ipc = fakeIpc()
    const t = createIpcTransport(ipc)
    t.onMessage(() => {})
    const closed = vi.fn()
    t.onClose(closed)
    t.close()
    t.close()
    t.send('late')
    expect(closed).toHaveBeenCalledTimes(1)
    expect(ipc.listeners()).toBe(0)
    expect(ipc.sent).toEqual([])
  })
})
