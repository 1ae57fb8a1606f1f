import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import { startRuntime, type Runtime } from '../../src/host/runtime'
import { startHttpServer, type HttpServer } from '../../src/server/http-server'
import { nextMessage, openClient, openWs } from '../helpers/ws-client'

let dir: string
let runtime: Runtime
let http: HttpServer
let wsUrl: string
const AUTH = { Authorization: 'Bearer a-test-token-of-enough-length' }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-ws-'))
  const config = AppConfig.parse({ demo: { enabled: false } })
  mkdirSync(join(dir, 'web'))
  writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>Plantdeck</title>')
  runtime = await startRuntime({ config, dataDir: dir, logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true })
  http = await startHttpServer({ host: '127.0.0.1', port: 0, webRoot: join(dir, 'web'), rpc: runtime.rpc, logger: silentLogger, token: 'a-test-token-of-enough-length' })
  wsUrl = `ws://127.0.0.1:${http.port}/api`
})

afterAll(async () => {
  await http?.close()
  await runtime?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('headless server WebSocket API', () => {
  it('answers a valid call', async () => {
    const { client, ws } = await openClient(wsUrl, AUTH)
    const info = await client.call('system.info', {})
    expect(info).toMatchObject({ product: 'Plantdeck', host: 'test', demo: false })
    ws.close()
  })

  it('answers malformed messages with stable codes and keeps serving another client meanwhile', async () => {
    const bystander = await openClient(wsUrl, AUTH)
    const { ws } = await openWs(wsUrl, AUTH)
    const cases: [string, string, unknown][] = [
      ['{"id":1,"method":', 'rpc.bad_json', null],
      ['{"id":2,"method":"no.such.method","params":{}}', 'rpc.unknown_method', 2],
      ['{"id":3,"method":"trends.query","params":{"signals":"x","from":"yesterday","to":1,"points":1e9}}', 'rpc.bad_params', 3],
      ['{"id":4,"method":"system.ping"}', 'rpc.bad_params', 4],
      [JSON.stringify({ id: 5, method: 'system.ping', params: { nonce: 'x'.repeat(10 * 1024 * 1024) } }), 'rpc.too_large', null],
      ['{"id":6,"method":"system.ping","params":{"nonce":"' + 'y'.repeat(65) + '"}}', 'rpc.bad_params', 6],
    ]
    for (const [text, code, id] of cases) {
      const reply = nextMessage(ws)
      ws.send(text)
      const r = await reply
      expect(r.ok, text.slice(0, 60)).toBe(false)
      expect(r.error?.code, text.slice(0, 60)).toBe(code)
      expect(r.id).toBe(id)
      expect(r.error?.message.length).toBeGreaterThan(5)
      // the other client is served between every bad message
      await expect(bystander.client.call('system.ping', { nonce: code })).resolves.toMatchObject({ nonce: code })
    }
    // a binary frame is not JSON text
    const reply = nextMessage(ws)
    ws.send(Buffer.from([1, 2, 3]))
    expect((await reply).error?.code).toBe('rpc.bad_json')
    // and the offending socket itself still works
    const { client: again } = await openClient(wsUrl, AUTH)
    await expect(again.call('system.ping', { nonce: 'after' })).resolves.toMatchObject({ nonce: 'after' })
    expect(runtime.rpc.rejected['rpc.too_large']).toBeGreaterThanOrEqual(1)
    ws.close()
    bystander.ws.close()
  })

  it('refuses a missing or wrong token', async () => {
    await expect(openWs(`ws://127.0.0.1:${http.port}/api`)).rejects.toThrow(/401/)
    await expect(openWs(wsUrl, { Authorization: 'Bearer wrong' })).rejects.toThrow(/401/)
  })

  it('refuses a cross-site origin (a foreign page cannot drive the API through the browser)', async () => {
    await expect(openWs(wsUrl, { ...AUTH, Origin: 'http://evil.example' })).rejects.toThrow(/403/)
    const { ws } = await openWs(wsUrl, { ...AUTH, Origin: `http://127.0.0.1:${http.port}` })
    ws.close()
  })

  it('never serves files outside the web root', async () => {
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5cpackage.json']) {
      const res = await fetch(`http://127.0.0.1:${http.port}${path}`, { headers: AUTH })
      const body = await res.text()
      expect(body, path).not.toMatch(/root:|"name"/)
    }
    const pkg = await fetch(`http://127.0.0.1:${http.port}/%2e%2e/%2e%2e/package.json`, { headers: AUTH })
    expect(pkg.status).toBe(404)
    const home = await fetch(`http://127.0.0.1:${http.port}/`, { headers: AUTH })
    expect(home.status).toBe(200)
    expect(home.headers.get('content-security-policy')).toContain("default-src 'self'")
  })
})
