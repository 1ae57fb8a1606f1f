import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppConfig } from '../../src/core/config/app-config'
import { MAX_CONCURRENT_DISCOVERIES } from '../../src/core/opcua/discovery-limit'
import { silentLogger } from '../../src/core/ports/logger'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { startHttpServer, type HttpServer } from '../../src/server/http-server'
import { isAppError } from '../../src/shared/model'
import { ADMIN_USER, openLoggedIn, TEST_PASSWORD } from '../helpers/login'

let dir: string
let runtime: Runtime
let http: HttpServer
/** A host that accepts TCP and never answers: each discovery against it stays in flight until we hang up. */
let silent: Server
const held: Socket[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-endpoints-'))
  mkdirSync(join(dir, 'web'))
  writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html>')
  runtime = await startRuntime({ config: AppConfig.parse({ demo: { enabled: false } }), dataDir: dir, logger: silentLogger, host: 'test', version: '0.0.0-test' })
  await runtime.identity!.ensureAdmin(ADMIN_USER, TEST_PASSWORD) // as --admin-user does
  http = await startHttpServer({ host: '127.0.0.1', port: 0, webRoot: join(dir, 'web'), rpc: runtime.rpc, logger: silentLogger, identity: runtime.identity! })
  silent = createServer((s) => {
    held.push(s)
    s.on('error', () => undefined)
  })
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
})

afterAll(async () => {
  for (const s of held) s.destroy()
  silent?.close()
  await http?.close()
  await runtime?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isAppError(e) ? e.code : String(e)))

describe('opcua.endpoints cannot be used as a fast port scanner', () => {
  it(`runs at most ${MAX_CONCURRENT_DISCOVERIES} discoveries at once; more are refused at once with opcua.busy`, async () => {
    const { client, ws } = await openLoggedIn(`http://127.0.0.1:${http.port}/`)
    const url = `opc.tcp://127.0.0.1:${(silent.address() as AddressInfo).port}`
    const running = Array.from({ length: MAX_CONCURRENT_DISCOVERIES }, () => codeOf(client.call('opcua.endpoints', { url })))
    // All of them have dialled the silent host before we ask for one more.
    while (held.length < MAX_CONCURRENT_DISCOVERIES) await new Promise((r) => setTimeout(r, 20))
    const over = await Promise.all([codeOf(client.call('opcua.endpoints', { url })), codeOf(client.call('opcua.endpoints', { url }))])
    expect(over).toEqual(['opcua.busy', 'opcua.busy'])
    expect(held.length).toBe(MAX_CONCURRENT_DISCOVERIES) // the refused ones never dialled

    // The host hangs up: the running discoveries end with their own error, and the slots are free again.
    for (const s of held) s.destroy()
    silent.close()
    const ended = await Promise.all(running)
    expect(ended.filter((c) => c === 'opcua.busy')).toEqual([])
    expect(await codeOf(client.call('opcua.endpoints', { url }))).not.toBe('opcua.busy')
    ws.close()
  })
})
