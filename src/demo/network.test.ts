import net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { close, listen, urlHost, withPortFallback } from './network'

const HOST = '127.0.0.1'
const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code })

describe('withPortFallback', () => {
  const servers: net.Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close))
  })
  const busyPort = async (): Promise<number> => {
    const server = net.createServer()
    servers.push(server)
    return listen(server, 0, HOST)
  }
  const freePort = async (): Promise<number> => {
    const server = net.createServer()
    const port = await listen(server, 0, HOST)
    await close(server)
    return port
  }

  it('starts on the requested port when it is free', async () => {
    const start = vi.fn(async (port: number) => port)
    const onFallback = vi.fn()
    const free = await freePort()
    await expect(withPortFallback(HOST, free, start, onFallback)).resolves.toBe(free)
    expect(onFallback).not.toHaveBeenCalled()
  })

  it('goes straight to port 0 when the probe finds the port taken', async () => {
    const busy = await busyPort()
    const start = vi.fn(async (port: number) => port)
    const onFallback = vi.fn()
    await expect(withPortFallback(HOST, busy, start, onFallback)).resolves.toBe(0)
    expect(start.mock.calls).toEqual([[0]])
    expect(onFallback).toHaveBeenCalledWith(expect.objectContaining({ code: 'EADDRINUSE' }))
  })

  it('retries on port 0 when the port is lost between probe and start', async () => {
    for (const code of ['EADDRINUSE', 'EACCES']) {
      const onFallback = vi.fn()
      const start = vi.fn(async (port: number) => {
        if (port !== 0) throw errno(code)
        return 'ok'
      })
      const port = await freePort()
      await expect(withPortFallback(HOST, port, start, onFallback)).resolves.toBe('ok')
      expect(start.mock.calls).toEqual([[port], [0]])
      expect(onFallback).toHaveBeenCalledWith(expect.objectContaining({ code }))
    }
  })

  it('lets other errors, and a failure on port 0, through', async () => {
    await expect(withPortFallback(HOST, await freePort(), () => Promise.reject(errno('ENOTFOUND')), () => {})).rejects.toMatchObject({ code: 'ENOTFOUND' })
    const start = vi.fn(() => Promise.reject(errno('EADDRINUSE')))
    await expect(withPortFallback(HOST, 0, start, () => {})).rejects.toMatchObject({ code: 'EADDRINUSE' })
    expect(start).toHaveBeenCalledTimes(1)
  })
})

describe('urlHost', () => {
  it('turns wildcard addresses into loopback and brackets IPv6', () => {
    expect(urlHost('127.0.0.1')).toBe('127.0.0.1')
    expect(urlHost('0.0.0.0')).toBe('127.0.0.1')
    expect(urlHost('::')).toBe('[::1]')
    expect(urlHost('::1')).toBe('[::1]')
    expect(urlHost('plant.local')).toBe('plant.local')
  })
})
