import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { OPCUACertificateManager, X509IdentityToken } from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OpcuaPki } from '../../src/adapters/opcua/certificates'
import { startHarness, tempDir, until } from '../helpers/opcua-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

let server: TestServer
const tmp = tempDir('plantdeck-opcua-x509-')
const unhandled: unknown[] = []
const onUnhandled = (e: unknown) => unhandled.push(e)

/** A user certificate and its key, as an engineer would get them from the plant's PKI: PEM files on disk. */
async function userCertificate(name: string): Promise<{ certificateFile: string; privateKeyFile: string; der: Buffer }> {
  const manager = new OPCUACertificateManager({ rootFolder: join(tmp.dir, `user-${name}`) })
  await manager.initialize()
  const certificateFile = join(tmp.dir, `user-${name}.pem`)
  await manager.createSelfSignedCertificate({
    applicationUri: `urn:plantdeck:test:user:${name}`,
    subject: `/CN=${name}`,
    dns: [],
    startDate: new Date(Date.now() - 86_400_000),
    validity: 365,
    outputFile: certificateFile,
  })
  const { readFile } = await import('node:fs/promises')
  return { certificateFile, privateKeyFile: join(manager.rootDir, 'own/private/private_key.pem'), der: new X509Certificate(await readFile(certificateFile)).raw }
}

/** The client PKI with the test server's certificate already trusted, so these tests are about the user identity only. */
async function clientPki(name: string): Promise<string> {
  const dir = join(tmp.dir, name)
  const pki = new OpcuaPki(dir)
  await pki.initialize()
  await pki.manager.trustCertificate(server.server.getCertificate())
  return dir
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  server = await startTestServer({ pkiDir: `${tmp.dir}/server`, strictUserCertificates: true })
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await server?.stop()
  tmp.remove()
})

const conn = (identity: Record<string, unknown>) => ({
  id: 'ua',
  kind: 'opcua',
  name: 'Test server',
  endpoint: server.url,
  samplingIntervalMs: 100,
  identity,
  signals: [{ id: 'ua/counter', name: 'Counter', nodeId: 'ns=1;s=Tests.Counter' }],
})

describe('OPC UA X.509 user identity', () => {
  it('the endpoints offer the certificate user token', async () => {
    const h = await startHarness({ ...conn({ kind: 'anonymous' }), signals: [] }, await clientPki('client-ep'))
    try {
      const { endpoints } = await h.api.call('opcua.endpoints', { url: server.url })
      expect(endpoints[0]!.userIdentities).toContain('certificate')
    } finally {
      await h.stop()
    }
  })

  it('a user certificate trusted by the server signs in: the session runs as that X.509 identity and values flow', async () => {
    const user = await userCertificate('operator')
    await server.server.userCertificateManager.trustCertificate(user.der)
    const h = await startHarness(conn({ kind: 'certificate', certificateFile: user.certificateFile, privateKeyFile: user.privateKeyFile }), await clientPki('client-ok'))
    try {
      await until(() => h.states.at(-1)?.health === 'connected', 'connected with the user certificate')
      await until(() => h.samples.some((s) => s.signal === 'ua/counter' && s.quality === 'good'), 'a good sample')
      const attrs = await h.api.call('opcua.attributes', { connection: 'ua', nodeId: 'ns=1;s=Tests.Double' })
      expect(attrs.nodeId).toBe('ns=1;s=Tests.Double')
      // _sessions is private in the typings; the engine keeps no public list of them
      const sessions = Object.values((server.server.engine as unknown as { _sessions: Record<string, { userIdentityToken?: unknown }> })._sessions)
      const tokens = sessions.map((s) => s.userIdentityToken).filter((t): t is X509IdentityToken => t instanceof X509IdentityToken)
      expect(tokens.map((t) => Buffer.from(t.certificateData).equals(user.der))).toContain(true)
    } finally {
      await h.stop()
    }
  })

  it('a user certificate the server does not trust is an error state with a stable code, not a hang or a crash', async () => {
    const stranger = await userCertificate('stranger')
    const h = await startHarness(conn({ kind: 'certificate', certificateFile: stranger.certificateFile, privateKeyFile: stranger.privateKeyFile }), await clientPki('client-stranger'))
    try {
      await until(() => h.states.some((s) => s.health === 'error'), 'error state', 15_000)
      const err = h.states.find((s) => s.health === 'error')!
      expect(err).toMatchObject({ code: 'opcua.access_denied' })
      expect(err.reason).toMatch(/user certificate refused/)
      expect(err.reason).toMatch(/BadIdentityTokenRejected/)
      const [state] = await h.api.call('connections.list', {})
      expect(state).toMatchObject({ health: 'error', code: 'opcua.access_denied' })
      expect(h.samples).toHaveLength(0)
    } finally {
      await h.stop()
    }
    expect(unhandled).toEqual([])
  })

  it('missing or broken user certificate files are an error state naming the file', async () => {
    const h = await startHarness(conn({ kind: 'certificate', certificateFile: join(tmp.dir, 'nope.pem'), privateKeyFile: join(tmp.dir, 'nope.key') }), await clientPki('client-missing'))
    try {
      await until(() => h.states.some((s) => s.health === 'error'), 'error state')
      const err = h.states.find((s) => s.health === 'error')!
      expect(err.reason).toMatch(/cannot read the user certificate .*nope\.pem: ENOENT/)
      expect(err.code).toBe('opcua.bad_endpoint')
    } finally {
      await h.stop()
    }
  })
})
