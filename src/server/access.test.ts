import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { accessPolicy, parseHost, refusalLog } from './access'

describe('accessPolicy', () => {
  it('allows the bind address and configured names, on the server port only', () => {
    const p = accessPolicy({ bindHost: '10.1.2.3', port: 6042, tls: true, hostnames: ['HMI.plant.example', 'fe80:0::7'] })
    for (const ok of ['10.1.2.3:6042', '10.1.2.3', 'hmi.plant.example:6042', '[fe80::7]:6042', 'localhost:6042']) expect(p.host(ok), ok).toBeDefined()
    for (const bad of ['10.1.2.4:6042', '10.1.2.3:6043', 'plant.example:6042', 'hmi.plant.example.evil.example:6042', '', undefined]) expect(p.host(bad), String(bad)).toBeUndefined()
    expect(p.origin('https://hmi.plant.example:6042')).toBe(true)
    expect(p.origin('https://10.1.2.3:6042')).toBe(true)
    expect(p.origin('http://hmi.plant.example:6042')).toBe(false)
    expect(p.origin(undefined)).toBe(true)
  })

  it('bound to every interface, allows this machine\'s interface addresses (IP literals cannot be rebound)', () => {
    const p = accessPolicy({ bindHost: '0.0.0.0', port: 6042, tls: false })
    const addresses = Object.values(networkInterfaces()).flatMap((l) => l ?? []).map((a) => a.address)
    expect(addresses.length).toBeGreaterThan(0)
    for (const a of addresses) expect(p.host(a.includes(':') ? `[${a.replace(/%.*$/, '')}]:6042` : `${a}:6042`), a).toBeDefined()
    expect(p.host('0.0.0.0:6042')).toBeUndefined()
    expect(p.host('evil.example:6042')).toBeUndefined()
  })

  it('parses Host headers strictly', () => {
    expect(parseHost('[::1]:80')).toEqual({ name: '::1', port: 80 })
    expect(parseHost('Example.COM')).toEqual({ name: 'example.com' })
    for (const bad of ['a:99999', 'a:', 'a b', 'a/b', 'u@a', '[::1', '::1']) expect(parseHost(bad), bad).toBeUndefined()
  })
})

describe('refusalLog', () => {
  it('counts every refusal, logs each distinct one once, and at most 256 of them', () => {
    let lines = 0
    const logger = { debug() {}, info() {}, error() {}, warn: () => void lines++, child: () => logger }
    const r = refusalLog(logger)
    for (let i = 0; i < 5; i++) r.refuse('host', 'http', '127.0.0.1', 'evil.example:1')
    expect([r.counts.host, lines]).toEqual([5, 1])
    for (let i = 0; i < 300; i++) r.refuse('origin', 'websocket', '127.0.0.1', `http://e${i}.example`)
    expect([r.counts.origin, lines]).toEqual([300, 256])
  })
})
