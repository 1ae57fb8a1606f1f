import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/model'
import { startHarness, tempDir, until } from '../helpers/opcua-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'

let server: TestServer
const tmp = tempDir('plantdeck-opcua-sec-')
beforeAll(async () => {
  server = await startTestServer({ pkiDir: `${tmp.dir}/server` })
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

const conn = (over: Record<string, unknown> = {}) => ({
  id: 'ua',
  kind: 'opcua',
  name: 'Test server',
  endpoint: server.url,
  samplingIntervalMs: 100,
  signals: [{ id: 'ua/counter', name: 'Counter', nodeId: 'ns=1;s=Tests.Counter' }],
  ...over,
})

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a rejection')
}

describe('OPC UA security, certificates and identities', () => {
  it('lists endpoints most secure first, with the server certificate', async () => {
    const h = await startHarness(conn({ securityMode: 'None', signals: [] }), `${tmp.dir}/client-ep`)
    try {
      const { endpoints } = await h.api.call('opcua.endpoints', { url: server.url })
      expect(endpoints[0]).toMatchObject({ securityMode: 'SignAndEncrypt', deprecated: false })
      expect(endpoints.at(-1)).toMatchObject({ securityMode: 'None', securityPolicy: 'None' })
      expect(endpoints.map((e) => e.securityPolicy)).toContain('Aes128_Sha256_RsaOaep')
      expect(endpoints[0]!.certificate?.thumbprint).toMatch(/^[0-9a-f]{40}$/)
      expect(endpoints[0]!.userIdentities).toEqual(expect.arrayContaining(['anonymous', 'username']))
    } finally {
      await h.stop()
    }
  })

  it('stops at "certificate not trusted" until the operator trusts it, then connects with SignAndEncrypt', async () => {
    const h = await startHarness(conn(), `${tmp.dir}/client-trust`)
    try {
      await until(() => h.states.some((s) => s.health === 'error'), 'untrusted state')
      const err = h.states.find((s) => s.health === 'error')!
      expect(err.reason).toContain('certificate not trusted')
      expect(h.samples).toHaveLength(0)
      const [state] = await h.api.call('connections.list', {})
      expect(state).toMatchObject({ health: 'error' })

      const { certificates, own } = await h.api.call('certificates.list', {})
      expect(own?.thumbprint).toMatch(/^[0-9a-f]{40}$/) // created on first run
      const pending = certificates.filter((c) => c.status === 'pending')
      expect(pending).toHaveLength(1)
      expect(err.reason).toContain(pending[0]!.thumbprint)
      expect(pending[0]!.validTo).toBeGreaterThan(Date.now())

      const trusted = await h.api.call('certificates.trust', { thumbprint: pending[0]!.thumbprint })
      expect(trusted.status).toBe('trusted')
      await until(() => h.states.at(-1)?.health === 'connected', 'connected after trust')
      await until(() => h.samples.some((s) => s.signal === 'ua/counter' && s.quality === 'good'), 'a good sample')
      // getChannels is protected in the typings; it is the only place the server exposes the negotiated mode
      const channels = (server.server as unknown as { getChannels(): { securityMode: number }[] }).getChannels().map((c) => c.securityMode)
      expect(channels).toContain(3) // MessageSecurityMode.SignAndEncrypt: auto picked the most secure endpoint

      const listed = await h.api.call('certificates.list', {})
      expect(listed.certificates.find((c) => c.thumbprint === trusted.thumbprint)?.status).toBe('trusted')
      const rejected = await h.api.call('certificates.reject', { thumbprint: trusted.thumbprint })
      expect(rejected.status).toBe('rejected')
      await until(() => h.states.at(-1)?.health === 'error' && /rejected by an operator/.test(h.states.at(-1)?.reason ?? ''), 'session ended after reject')
      expect(h.samples.at(-1)).toMatchObject({ signal: 'ua/counter', quality: 'bad', status: 'BadCommunicationError' })
      expect((await h.api.call('certificates.list', {})).certificates.find((c) => c.thumbprint === trusted.thumbprint)?.status).toBe('rejected')
      expect((await errorOf(h.api.call('certificates.trust', { thumbprint: 'ab'.repeat(20) }))).code).toBe('opcua.unknown_certificate')
    } finally {
      await h.stop()
    }
  })

  it('names an expired server certificate as expired, with its validity', async () => {
    const expired = await startTestServer({ pkiDir: `${tmp.dir}/server-expired`, expiredCertificate: true })
    const h = await startHarness(conn({ endpoint: expired.url }), `${tmp.dir}/client-expired`)
    try {
      await until(() => h.states.some((s) => s.health === 'error'), 'expired state')
      expect(h.states.find((s) => s.health === 'error')!.reason).toMatch(/server certificate expired or not yet valid \(valid .* to .*\); renew it on the server \(CN=Expired test server/)
    } finally {
      await h.stop()
      await expired.stop()
    }
  })

  it('never falls back to None silently, and uses None when the configuration says so', async () => {
    const noSecure = await startTestServer({ pkiDir: `${tmp.dir}/server-none`, securityModes: [1] })
    const auto = await startHarness(conn({ endpoint: noSecure.url }), `${tmp.dir}/client-none`)
    const explicit = await startHarness(conn({ id: 'ub', endpoint: noSecure.url, securityMode: 'None', securityPolicy: 'None', signals: [] }), `${tmp.dir}/client-none2`)
    try {
      await until(() => auto.states.some((s) => s.health === 'error'), 'auto refuses None')
      expect(auto.states.find((s) => s.health === 'error')!.reason).toMatch(/no secure endpoint with a supported policy .*set securityMode None explicitly/)
      await until(() => explicit.states.at(-1)?.health === 'connected', 'explicit None connects')
    } finally {
      await auto.stop()
      await explicit.stop()
      await noSecure.stop()
    }
  })

  it('signs in with user name and password; a wrong password is an error state, not a crash', async () => {
    const ok = await startHarness(conn({ securityMode: 'None', securityPolicy: 'None', identity: { kind: 'username', username: 'operator', password: 'secret' } }), `${tmp.dir}/client-user`)
    const wrong = await startHarness(conn({ securityMode: 'None', securityPolicy: 'None', identity: { kind: 'username', username: 'operator', password: 'nope' } }), `${tmp.dir}/client-user2`)
    try {
      await until(() => ok.states.at(-1)?.health === 'connected', 'user connects')
      await until(() => wrong.states.some((s) => s.health === 'error'), 'wrong password state')
      expect(wrong.states.find((s) => s.health === 'error')!.reason).toMatch(/password/)
    } finally {
      await ok.stop()
      await wrong.stop()
    }
  })

  it('turns bad endpoints, dead hosts, broken handshakes and bad node ids into clear errors', async () => {
    const rude: Server = createServer((socket) => socket.destroy()) // accepts, then closes mid-handshake
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r))
    const rudePort = (rude.address() as { port: number }).port
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const deadPort = (closed.address() as { port: number }).port
    await new Promise<void>((r) => closed.close(() => r()))
    const h = await startHarness(conn({ securityMode: 'None', securityPolicy: 'None' }), `${tmp.dir}/client-bad`)
    const dead = await startHarness(conn({ id: 'dead', endpoint: `opc.tcp://127.0.0.1:${deadPort}` }), `${tmp.dir}/client-dead`)
    const broken = await startHarness(conn({ id: 'broken', endpoint: `opc.tcp://127.0.0.1:${rudePort}` }), `${tmp.dir}/client-broken`)
    try {
      const unreachable = await errorOf(h.api.call('opcua.endpoints', { url: `opc.tcp://127.0.0.1:${deadPort}` }))
      expect(unreachable.code).toBe('opcua.unreachable')
      const handshake = await errorOf(h.api.call('opcua.endpoints', { url: `opc.tcp://127.0.0.1:${rudePort}` }))
      expect(handshake.code).toBe('opcua.unreachable')
      expect(handshake.message).toMatch(/closed the connection|answer/)
      const badUrl = await errorOf(h.api.call('opcua.endpoints', { url: 'http://example.com' }))
      expect(badUrl.code).toBe('rpc.bad_params')

      await until(() => dead.states.some((s) => s.health === 'connecting' && /nothing accepts connections/.test(s.reason ?? '')), 'dead host state')
      await until(() => broken.states.some((s) => s.health === 'connecting' && /closed the connection during the handshake.*retry in/.test(s.reason ?? '')), 'broken handshake state')
      await until(() => h.states.at(-1)?.health === 'connected', 'connected')
      const notNode = await errorOf(h.api.call('opcua.browse', { connection: 'ua', nodeId: 'ns=1;x=what' }))
      expect(notNode.code).toBe('rpc.bad_params')
      const unknown = await errorOf(h.api.call('opcua.attributes', { connection: 'ua', nodeId: 'ns=1;s=Does.Not.Exist' }))
      expect(unknown.code).toBe('opcua.bad_node_id')
      const notConn = await errorOf(h.api.call('opcua.browse', { connection: 'nope' }))
      expect(notConn.code).toBe('opcua.unknown_connection')
      const deadBrowse = await errorOf(dead.api.call('opcua.browse', { connection: 'dead' }))
      expect(deadBrowse.code).toBe('opcua.not_connected')
    } finally {
      await h.stop()
      await dead.stop()
      await broken.stop()
      rude.close()
    }
  })
})
