import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Sample } from '../../src/shared/model'
import { SinkError, type SinkSignal } from '../../src/core/ports/sync-sink'
import { createTdengineSink, type TdengineSink } from '../../src/adapters/sync/tdengine'
import type { TdengineSinkConfigInput } from '../../src/adapters/sync/tdengine/config'
import { freePort } from '../helpers/mosquitto'
import { makeTestPki, type TestPki } from '../helpers/mqtt-tls'
import { startConnectProxy, startDanted, type ConnectProxy, type Danted } from '../helpers/proxies'
import { startStandIn, type StandIn } from '../helpers/taosadapter-standin'
import { LineProtocolOptions, LineProtocolSink } from '../../src/adapters/sync/line-protocol-sink'
import { haveVictoria, Victoria } from '../fixtures/sync/victoria'

// Egress of the HTTP sinks through real proxies: Debian's dante-server (SOCKS5) and an HTTP CONNECT proxy over
// node:http, started here. The backend is the taosAdapter STAND-IN (protocol only, not TDengine): what is proven
// is the path through the proxy, the TLS inside the tunnel, and the codes when a proxy fails.

const signals = new Map<string, SinkSignal>([['a', { id: 'a', dataType: 'number', connection: 'plc1' }]])
const batch = (n: number, t0 = Date.now() - 60_000): Sample[] => Array.from({ length: n }, (_, i) => ({ signal: 'a', ts: t0 + i, value: i, quality: 'good' as const }))

let dir: string
let pki: TestPki
let plain: StandIn
let secure: StandIn
let blocked: StandIn
let danted: Danted
let connect: ConnectProxy
let sinks: { close(): Promise<void> }[] = []
let vm: Victoria | undefined

function sink(endpoint: string, extra: Partial<TdengineSinkConfigInput> = {}, globalProxy?: string): TdengineSink {
  const s = createTdengineSink({ id: 'td', kind: 'tdengine', endpoints: [endpoint], auth: { user: 'root', password: 'taosdata' }, timeoutMs: 5000, ...extra }, { proxy: globalProxy })
  sinks.push(s)
  return s
}

async function rejection(p: Promise<unknown>): Promise<SinkError> {
  try {
    await p
  } catch (e) {
    if (e instanceof SinkError) return e
    throw e
  }
  throw new Error('resolved')
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-egress-'))
  pki = makeTestPki(dir)
  plain = await startStandIn()
  secure = await startStandIn({ tls: { cert: readFileSync(pki.serverCert, 'utf8'), key: readFileSync(pki.serverKey, 'utf8') } })
  blocked = await startStandIn()
  danted = await startDanted([blocked.port])
  connect = await startConnectProxy()
  connect.refusePorts.add(blocked.port)
  if (haveVictoria) vm = await Victoria.start()
})

afterAll(async () => {
  await danted?.stop()
  await vm?.close()
  await connect?.close()
  await Promise.all([plain?.close(), secure?.close(), blocked?.close()])
  rmSync(dir, { recursive: true, force: true })
})

afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})

const rowsOf = (s: StandIn) => s.tables.get('n_a')?.size ?? 0

describe('egress through a SOCKS5 proxy (real danted)', () => {
  it('the TDengine sink delivers through it, and danted logged the tunnel', async () => {
    const before = rowsOf(plain)
    const s = sink(plain.url, { proxy: danted.url })
    expect(await s.probe()).toEqual({ ok: true, endpoint: plain.url })
    expect((await s.write(batch(50), signals)).written).toBe(50)
    expect(rowsOf(plain) - before).toBe(50)
    expect(s.route.proxy).toBe(danted.url)
    expect(danted.log()).toContain(`127.0.0.1.${plain.port}`)
  })

  it('socks5h (the proxy resolves the name) delivers too', async () => {
    const s = sink(`http://localhost:${plain.port}`, { proxy: `socks5h://127.0.0.1:${danted.port}` })
    expect((await s.write(batch(5, Date.now() - 30_000), signals)).written).toBe(5)
  })

  it('TLS with a custom CA runs inside the tunnel', async () => {
    const s = sink(`https://127.0.0.1:${secure.port}`, { proxy: danted.url, tls: { caFile: pki.ca, servername: 'localhost' } })
    expect((await s.write(batch(7), signals)).written).toBe(7)
    expect(rowsOf(secure)).toBeGreaterThanOrEqual(7)
  })

  it('a tunnel its ruleset refuses is sync.proxy with a readable reason', async () => {
    const s = sink(blocked.url, { proxy: danted.url })
    const e = await rejection(s.write(batch(3), signals))
    expect([e.code, e.retryable]).toEqual(['sync.proxy', true])
    expect(e.message).toContain(`SOCKS5 proxy ${danted.url} could not open a tunnel to 127.0.0.1:${blocked.port}`)
    expect(rowsOf(blocked)).toBe(0)
    const p = await s.probe()
    expect(p).toMatchObject({ ok: false, code: 'sync.proxy' })
  })
})

describe('egress through an HTTP CONNECT proxy', () => {
  it('the TDengine sink delivers through it (one CONNECT per kept-alive connection)', async () => {
    const before = rowsOf(plain)
    connect.connects.length = 0
    const s = sink(plain.url, { proxy: connect.url })
    await s.write(batch(20, Date.now() - 50_000), signals)
    await s.write(batch(20, Date.now() - 40_000), signals)
    expect(rowsOf(plain) - before).toBe(40)
    expect(connect.connects.length).toBeGreaterThanOrEqual(1)
    expect(new Set(connect.connects)).toEqual(new Set([`127.0.0.1:${plain.port}`]))
  })

  it('TLS with a custom CA inside the tunnel; an untrusted CA is sync.tls, not retried', async () => {
    const s = sink(`https://127.0.0.1:${secure.port}`, { proxy: connect.url, tls: { caFile: pki.ca, servername: 'localhost' } })
    expect((await s.write(batch(4, Date.now() - 20_000), signals)).written).toBe(4)
    const wrong = sink(`https://127.0.0.1:${secure.port}`, { proxy: connect.url, tls: { caFile: pki.otherCa, servername: 'localhost' } })
    const e = await rejection(wrong.write(batch(1), signals))
    expect([e.code, e.retryable]).toEqual(['sync.tls', false])
  })

  it('proxy credentials are sent; without them the 407 is sync.proxy', async () => {
    connect.credentials = 'ops:s3cret'
    try {
      const s = sink(plain.url, { proxy: `http://ops:s3cret@127.0.0.1:${connect.port}` })
      expect((await s.write(batch(2, Date.now() - 10_000), signals)).written).toBe(2)
      const anon = sink(plain.url, { proxy: connect.url })
      const e = await rejection(anon.write(batch(1), signals))
      expect(e.code).toBe('sync.proxy')
      expect(e.message).toContain('407')
      expect(e.message).not.toContain('s3cret')
    } finally {
      connect.credentials = null
    }
  })

  it('a refused CONNECT is sync.proxy with the status in the reason', async () => {
    const s = sink(blocked.url, { proxy: connect.url })
    const e = await rejection(s.write(batch(3), signals))
    expect([e.code, e.retryable]).toEqual(['sync.proxy', true])
    expect(e.message).toBe(`HTTP proxy ${connect.url} refused CONNECT 127.0.0.1:${blocked.port}: 403 Forbidden`)
  })
})

describe('egress settings', () => {
  it('a proxy that is not there is sync.proxy (SOCKS5 and CONNECT)', async () => {
    const dead = await freePort()
    for (const proxy of [`socks5://127.0.0.1:${dead}`, `http://127.0.0.1:${dead}`]) {
      const e = await rejection(sink(plain.url, { proxy }).write(batch(1), signals))
      expect(e.code).toBe('sync.proxy')
      expect(e.message).toMatch(/ECONNREFUSED/)
    }
  })

  it("the global proxy applies when a sink has none; a sink's `direct` wins over it", async () => {
    const before = rowsOf(plain)
    const dead = await freePort()
    const viaGlobal = sink(plain.url, {}, danted.url)
    expect(viaGlobal.route.proxy).toBe(danted.url)
    expect((await viaGlobal.write(batch(3, Date.now() - 5000), signals)).written).toBe(3)
    const direct = sink(plain.url, { proxy: 'direct' }, `socks5://127.0.0.1:${dead}`)
    expect(direct.route.proxy).toBeNull()
    expect((await direct.write(batch(3, Date.now() - 4000), signals)).written).toBe(3)
    expect(rowsOf(plain) - before).toBe(6)
  })

  it('without a proxy, TLS with a custom CA (and only with it) reaches the backend directly', async () => {
    const s = sink(`https://127.0.0.1:${secure.port}`, { tls: { caFile: pki.ca, servername: 'localhost' } })
    expect(s.route.proxy).toBeNull()
    expect((await s.write(batch(2, Date.now() - 3000), signals)).written).toBe(2)
    const untrusted = sink(`https://127.0.0.1:${secure.port}`, { tls: { servername: 'localhost' } })
    expect((await rejection(untrusted.write(batch(1), signals))).code).toBe('sync.tls')
  })

  it('a bad proxy setting is refused by the config schema', () => {
    expect(() => sink(plain.url, { proxy: 'ftp://x:1' })).toThrow(/proxy/)
  })
})

// The line-protocol sink against a REAL VictoriaMetrics, through the same real proxies: what arrives is counted by
// VictoriaMetrics' export API (it answers 204 even when it drops a line).
describe.skipIf(!haveVictoria)('the line-protocol sink through proxies (real victoria-metrics)', () => {
  const lp = (id: string, proxy: string | undefined, globalProxy?: string) => {
    const s = new LineProtocolSink(id, LineProtocolOptions.parse({ endpoints: [vm!.url], prefix: id, timeoutMs: 5000, ...(proxy ? { proxy } : {}) }), { proxy: globalProxy })
    sinks.push(s)
    return s
  }
  const arrived = async (prefix: string) => {
    const rows = await vm!.export(`{__name__=~"${prefix}_.*"}`)
    return rows.reduce((n, r) => n + r.timestamps.length, 0)
  }

  it('delivers through SOCKS5 (danted logged the tunnel) and through HTTP CONNECT', async () => {
    const viaSocks = lp('lpsocks', danted.url)
    expect(viaSocks.route.proxy).toBe(danted.url)
    expect(await viaSocks.probe()).toEqual({ ok: true, endpoint: vm!.url })
    expect((await viaSocks.write(batch(40, Date.now() - 30_000), signals)).written).toBe(40)
    expect(danted.log()).toContain(`127.0.0.1.${vm!.port}`)

    connect.connects.length = 0
    const viaConnect = lp('lpconnect', connect.url)
    expect((await viaConnect.write(batch(30, Date.now() - 20_000), signals)).written).toBe(30)
    expect(new Set(connect.connects)).toEqual(new Set([`127.0.0.1:${vm!.port}`]))

    await until(async () => (await arrived('lpsocks')) === 40 && (await arrived('lpconnect')) === 30)
    expect(await arrived('lpsocks')).toBe(40)
    expect(await arrived('lpconnect')).toBe(30)
  })

  it('the global proxy applies when the sink has none; a proxy that is not there is sync.proxy and nothing is written', async () => {
    connect.connects.length = 0
    const viaGlobal = lp('lpglobal', undefined, connect.url)
    expect((await viaGlobal.write(batch(10, Date.now() - 10_000), signals)).written).toBe(10)
    expect(connect.connects).toContain(`127.0.0.1:${vm!.port}`)
    const nowhere = lp('lpnowhere', `socks5://127.0.0.1:${await freePort()}`)
    expect((await rejection(nowhere.write(batch(5), signals))).code).toBe('sync.proxy')
    expect((await nowhere.probe()).code).toBe('sync.proxy')
    await until(async () => (await arrived('lpglobal')) === 10)
    expect(await arrived('lpnowhere')).toBe(0)
  })
})

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
}
