import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OpcuaPki } from '../../src/adapters/opcua/certificates'
import { startHarness, tempDir, until, type Harness } from '../helpers/opcua-harness'
import { startTestServer } from '../helpers/opcua-server'

const tmp = tempDir('plantdeck-opcua-mismatch-')
afterAll(() => tmp.remove())

const conn = (endpoint: string) => ({
  id: 'ua',
  kind: 'opcua',
  name: 'Test server',
  endpoint,
  samplingIntervalMs: 100,
  signals: [{ id: 'ua/counter', name: 'Counter', nodeId: 'ns=1;s=Tests.Counter' }],
})

const lastError = (h: Harness) => h.states.filter((s) => s.health === 'error').at(-1)
const connected = async (h: Harness, what: string) => {
  await until(() => h.states.at(-1)?.health === 'connected', what)
  await until(() => h.samples.some((s) => s.signal === 'ua/counter' && s.quality === 'good'), `${what}: a good sample`)
}

describe('OPC UA server certificate that does not match the endpoint', () => {
  it('a certificate made for another host: the state names the mismatch; trusting accepts it for that endpoint host only', async () => {
    const server = await startTestServer({ pkiDir: `${tmp.dir}/server-host`, certificateFor: { dns: ['plc-17.example'], applicationUri: 'urn:plantdeck:test:plc17' } })
    const pkiDir = `${tmp.dir}/client-host`
    let h = await startHarness(conn(server.url), pkiDir)
    try {
      await until(() => lastError(h) !== undefined, 'mismatch state')
      const err = lastError(h)!
      expect(err.code).toBe('opcua.untrusted_certificate')
      expect(err.reason).toMatch(/^certificate not trusted: the server presented an unknown certificate that does not match the endpoint \(host 127\.0\.0\.1 of the endpoint URL is not among its names \(plc-17\.example\)\); check it and trust it/)
      expect(h.samples).toHaveLength(0)
      const [pending] = (await h.api.call('certificates.list', {})).certificates.filter((c) => c.status === 'pending')
      expect(pending?.hosts).toEqual(['plc-17.example'])
      expect(err.reason).toContain(pending!.thumbprint)

      await h.api.call('certificates.trust', { thumbprint: pending!.thumbprint })
      await connected(h, 'connected once the operator accepted it')
      await h.stop()

      // The same trusted certificate reached under another host name is a new mismatch: the operator decides again.
      h = await startHarness(conn(`opc.tcp://localhost:${server.port}`), pkiDir)
      await until(() => lastError(h) !== undefined, 'mismatch state for localhost')
      expect(lastError(h)).toMatchObject({ code: 'opcua.untrusted_certificate' })
      expect(lastError(h)!.reason).toMatch(/^certificate not trusted for this endpoint: it does not match \(host localhost of the endpoint URL is not among its names \(plc-17\.example\)\); if that is expected, trust it again/)
      await h.api.call('certificates.trust', { thumbprint: pending!.thumbprint })
      await connected(h, 'connected through localhost once accepted')
      await h.stop()

      // Both acceptances are kept (decisions.json): a fresh start connects without asking.
      h = await startHarness(conn(server.url), pkiDir)
      await connected(h, 'connected at once after a restart')
      expect(h.states.some((s) => s.health === 'error')).toBe(false)
    } finally {
      await h.stop()
      await server.stop()
    }
  })

  it('a trusted certificate whose application URI is not the one the server announces is stopped until accepted', async () => {
    const server = await startTestServer({
      pkiDir: `${tmp.dir}/server-uri`,
      certificateFor: { dns: ['127.0.0.1'], applicationUri: 'urn:plantdeck:test:in-cert', serverApplicationUri: 'urn:plantdeck:test:announced' },
    })
    const pkiDir = join(tmp.dir, 'client-uri')
    const pki = new OpcuaPki(pkiDir)
    await pki.initialize()
    await pki.manager.trustCertificate(server.server.getCertificate())
    const h = await startHarness(conn(server.url), pkiDir)
    try {
      await until(() => lastError(h) !== undefined, 'uri mismatch state')
      expect(lastError(h)).toMatchObject({ code: 'opcua.untrusted_certificate' })
      expect(lastError(h)!.reason).toMatch(/does not match \(its application URI urn:plantdeck:test:in-cert is not the server's urn:plantdeck:test:announced\)/)
      expect(h.samples).toHaveLength(0)
      const [cert] = (await h.api.call('certificates.list', {})).certificates
      expect(cert).toMatchObject({ status: 'trusted', applicationUri: 'urn:plantdeck:test:in-cert' })
      await h.api.call('certificates.trust', { thumbprint: cert!.thumbprint })
      await connected(h, 'connected once accepted')
    } finally {
      await h.stop()
      await server.stop()
    }
  })
})
