import { createHash, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MessageSecurityMode, StatusCodes } from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OpcuaPki } from '../../src/adapters/opcua/certificates'
import type { CollectorState } from '../../src/core/ports/collector'
import { startErrRelay } from '../helpers/opcua-err-relay'
import { startHarness, tempDir, until } from '../helpers/opcua-harness'
import { startTestServer, TEST_SIGNALS, type TestServer } from '../helpers/opcua-server'

/**
 * The server refuses Plantdeck's own application certificate (it has its own PKI and does not accept unknown
 * client certificates). The engineer must read "trust Plantdeck's certificate on the server", with the file and
 * thumbprint to look for, and the state must say so on every retry, not "unreachable".
 */
let server: TestServer
const tmp = tempDir('plantdeck-opcua-refused-')
const unhandled: unknown[] = []
const onUnhandled = (e: unknown) => unhandled.push(e)
const CODE = 'opcua.certificate_rejected_by_server'

/** A client PKI that already trusts the test server, so the only problem left is the server not trusting us. */
async function clientPki(name: string): Promise<{ dir: string; file: string; der: Buffer; thumbprint: string }> {
  const dir = join(tmp.dir, name)
  const pki = new OpcuaPki(dir)
  await pki.initialize()
  await pki.manager.trustCertificate(server.server.getCertificate())
  const file = join(dir, 'own/certs/client_certificate.pem')
  const der = new X509Certificate(await readFile(file)).raw
  return { dir, file, der, thumbprint: createHash('sha1').update(der).digest('hex') }
}

const conn = (endpoint: string, securityMode: 'Sign' | 'SignAndEncrypt') => ({
  id: 'ua',
  kind: 'opcua',
  name: 'Strict server',
  endpoint,
  securityMode,
  samplingIntervalMs: 100,
  signals: [TEST_SIGNALS[0]!],
})

/** The states after the first failed attempt: every one of them, retries included, must keep the code. */
const afterFirstRefusal = (states: CollectorState[]) => states.slice(states.findIndex((s) => s.code !== undefined))

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  server = await startTestServer({
    pkiDir: join(tmp.dir, 'server'),
    strictClientCertificates: true,
    securityModes: [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
  })
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await server?.stop()
  tmp.remove()
})

describe('a server that does not trust Plantdeck\'s certificate', () => {
  it('is reported as certificate_rejected_by_server on every retry, naming our file and thumbprint; trusted on the server, it connects by itself', async () => {
    const own = await clientPki('client-sign')
    const h = await startHarness(conn(server.url, 'Sign'), own.dir)
    try {
      await until(() => h.states.filter((s) => s.code === CODE).length >= 3, 'three refused attempts')
      const seen = afterFirstRefusal(h.states)
      expect(seen.length).toBeGreaterThanOrEqual(3)
      expect(seen.map((s) => s.code)).toEqual(seen.map(() => CODE))
      const state = seen.at(-1)!
      expect(state.health).toBe('error')
      expect(state.reason).toMatch(/trust Plantdeck's certificate on the server/)
      expect(state.reason).toContain(own.file)
      expect(state.reason).toContain(own.thumbprint)
      expect(state.reason).toMatch(/BadSecurityChecksFailed|BadCertificate/)
      const [listed] = await h.api.call('connections.list', {})
      expect(listed).toMatchObject({ health: 'error', code: CODE })
      expect(h.samples).toHaveLength(0)

      // The server's administrator trusts it (node-opcua filed it under the server's rejected/ folder).
      await server.server.serverCertificateManager.trustCertificate(own.der)
      await until(() => h.states.at(-1)?.health === 'connected', 'connected once the server trusts us', 40_000)
      await until(() => h.samples.some((s) => s.signal === TEST_SIGNALS[0]!.id && s.quality === 'good'), 'a good sample')
    } finally {
      await h.stop()
    }
    expect(unhandled).toEqual([])
  })

  it('SignAndEncrypt: same code and advice', async () => {
    const own = await clientPki('client-encrypt')
    const h = await startHarness(conn(server.url, 'SignAndEncrypt'), own.dir)
    try {
      await until(() => h.states.filter((s) => s.code === CODE).length >= 2, 'two refused attempts')
      const seen = afterFirstRefusal(h.states)
      expect(seen.map((s) => s.code)).toEqual(seen.map(() => CODE))
      expect(seen.at(-1)!.reason).toMatch(/trust Plantdeck's certificate on the server/)
    } finally {
      await h.stop()
    }
  })

  it('a server that answers with a transport ERR message without a reason and closes: the status code is read, not "unreachable"', async () => {
    const own = await clientPki('client-err')
    const relay = await startErrRelay(server.port, StatusCodes.BadSecurityChecksFailed)
    const h = await startHarness(conn(relay.url, 'Sign'), own.dir)
    try {
      await until(() => relay.refused() >= 3 && h.states.filter((s) => s.code !== undefined).length >= 3, 'three refused attempts')
      const seen = afterFirstRefusal(h.states)
      expect(seen.map((s) => s.code)).toEqual(seen.map(() => CODE))
      expect(seen.at(-1)!.reason).toMatch(/BadSecurityChecksFailed/)
      expect(seen.at(-1)!.reason).toContain(own.thumbprint)
    } finally {
      await h.stop()
      await relay.close()
    }
    expect(unhandled).toEqual([])
  })
})
