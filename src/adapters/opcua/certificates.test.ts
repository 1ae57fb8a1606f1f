import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { getHostname, makeApplicationUrn, OPCUACertificateManager } from 'node-opcua'
import { afterAll, describe, expect, it } from 'vitest'
import type { CertificateSummary } from '../../shared/contract/certificates'
import { certificateMismatches, OpcuaPki, OWN_CERTIFICATE } from './certificates'

const cert = (hosts: string[], applicationUri?: string): CertificateSummary => ({
  thumbprint: 'ab'.repeat(20),
  subject: 'CN=plc',
  issuer: 'CN=plc',
  validFrom: 0,
  validTo: Date.now() + 86_400_000,
  expired: false,
  selfSigned: true,
  hosts,
  ...(applicationUri ? { applicationUri } : {}),
})

const keys = (c: CertificateSummary, endpointUrl: string, applicationUri?: string) => certificateMismatches(c, { endpointUrl, applicationUri }).map((m) => m.key)

describe('server certificate against the endpoint', () => {
  it('accepts the host by DNS name (any case), by IP, IPv6 in any notation, and a one-label wildcard', () => {
    expect(keys(cert(['plc-17.plant.example']), 'opc.tcp://PLC-17.plant.example:4840')).toEqual([])
    expect(keys(cert(['10.0.0.12']), 'opc.tcp://10.0.0.12:4840/UA/Server')).toEqual([])
    expect(keys(cert(['FD00:0:0:0:0:0:0:12']), 'opc.tcp://[fd00::12]:4840')).toEqual([])
    expect(keys(cert(['*.plant.example']), 'opc.tcp://plc-17.plant.example:4840')).toEqual([])
    expect(keys(cert(['*.plant.example']), 'opc.tcp://a.b.plant.example:4840')).toEqual(['host:a.b.plant.example'])
  })

  it('names the host the certificate does not name', () => {
    const [m] = certificateMismatches(cert(['plc-17.plant.example', '10.0.0.12']), { endpointUrl: 'opc.tcp://10.0.0.99:4840' })
    expect(m).toEqual({ key: 'host:10.0.0.99', text: 'host 10.0.0.99 of the endpoint URL is not among its names (plc-17.plant.example, 10.0.0.12)' })
    expect(certificateMismatches(cert([]), { endpointUrl: 'opc.tcp://plc:4840' })[0]?.text).toMatch(/it names no host/)
  })

  it('a loopback connection accepts a certificate naming this machine, not one naming another host', () => {
    expect(keys(cert([hostname()]), 'opc.tcp://127.0.0.1:4840')).toEqual([])
    expect(keys(cert(['localhost']), 'opc.tcp://[::1]:4840')).toEqual([])
    expect(keys(cert([hostname()]), 'opc.tcp://localhost:4840')).toEqual([])
    expect(keys(cert(['plc-17.plant.example']), 'opc.tcp://127.0.0.1:4840')).toEqual(['host:127.0.0.1'])
  })

  it('compares the application URI with the one the server announces, when both are known', () => {
    expect(keys(cert(['plc'], 'urn:plc:a'), 'opc.tcp://plc:4840', 'urn:plc:b')).toEqual(['uri:urn:plc:b'])
    expect(keys(cert(['plc'], 'urn:plc:a'), 'opc.tcp://plc:4840', 'urn:plc:a')).toEqual([])
    expect(keys(cert(['plc']), 'opc.tcp://plc:4840', 'urn:plc:b')).toEqual([])
  })
})

describe("Plantdeck's own application certificate", () => {
  const root = mkdtempSync(join(tmpdir(), 'plantdeck-own-cert-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const own = (dir: string) => new X509Certificate(readFileSync(join(dir, OWN_CERTIFICATE)))

  it('names Plantdeck as its organisation, Plantdeck@<host> as its CN, and the applicationUri the client announces', async () => {
    const dir = join(root, 'fresh')
    const pki = new OpcuaPki(dir)
    await pki.initialize()
    const x = own(dir)
    const subject = x.subject.split('\n')
    expect(subject).toContain('O=Plantdeck')
    expect(subject).toContain(`CN=Plantdeck@${getHostname()}`)
    expect(x.subject).not.toMatch(/Sterfive/)
    expect(x.subjectAltName).toContain(`URI:${makeApplicationUrn(getHostname(), 'Plantdeck')}`)
    expect(x.subjectAltName).toContain(`DNS:${getHostname()}`)
    expect(pki.own()).toEqual({ file: join(dir, OWN_CERTIFICATE), thumbprint: expect.stringMatching(/^[0-9a-f]{40}$/) })
  })

  it('keeps the certificate of an existing installation (servers may trust it already)', async () => {
    const dir = join(root, 'existing')
    const manager = new OPCUACertificateManager({ rootFolder: dir, automaticallyAcceptUnknownCertificate: false })
    await manager.initialize()
    await manager.createSelfSignedCertificate({
      applicationUri: makeApplicationUrn(getHostname(), 'Plantdeck'),
      subject: `/CN=Plantdeck@${getHostname()}/O=Sterfive/L=Orleans/C=FR`,
      dns: [getHostname()],
      startDate: new Date(),
      validity: 365,
      outputFile: join(dir, OWN_CERTIFICATE),
    })
    const before = own(dir).fingerprint
    await new OpcuaPki(dir).initialize()
    expect(own(dir).fingerprint).toBe(before)
    expect(own(dir).subject).toMatch(/O=Sterfive/)
  })
})
