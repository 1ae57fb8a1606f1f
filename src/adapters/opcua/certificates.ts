import { createHash, X509Certificate } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OPCUACertificateManager, OPCUAClient } from 'node-opcua'
import type { CertificateEntry, CertificateSummary } from '../../shared/contract/opcua'
import { AppError } from '../../shared/model'

/** The client's applicationName: with the host name it makes the applicationUri written into our certificate. */
export const APPLICATION_NAME = 'Plantdeck'

const thumbprintOf = (der: Buffer): string => createHash('sha1').update(der).digest('hex')

/** What an operator checks before trusting a certificate. Accepts DER or PEM. */
export function summarize(certificate: Buffer | string): CertificateSummary {
  const x = new X509Certificate(certificate)
  const validFrom = Date.parse(x.validFrom)
  const validTo = Date.parse(x.validTo)
  const alt = x.subjectAltName ?? ''
  const uri = /URI:([^,\s]+)/.exec(alt)?.[1]
  const summary: CertificateSummary = {
    thumbprint: thumbprintOf(x.raw),
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    validFrom,
    validTo,
    expired: Date.now() > validTo || Date.now() < validFrom,
    selfSigned: x.subject === x.issuer,
    hosts: [...alt.matchAll(/(?:DNS|IP Address):([^,\s]+)/g)].map((m) => m[1]!),
  }
  if (uri !== undefined) summary.applicationUri = uri
  return summary
}

export type TrustStatus = 'trusted' | 'pending' | 'rejected' | 'expired'

/**
 * The application's PKI folder: its own instance certificate (created on first run by node-opcua) and the
 * trusted/rejected server certificates. node-opcua files every unknown certificate under `rejected/`;
 * we tell apart the ones a person rejected (recorded in `decisions.json`) from those still waiting: `pending`.
 */
export class OpcuaPki {
  readonly manager: OPCUACertificateManager
  private ready: Promise<void> | undefined
  private readonly listeners = new Set<() => void>()

  constructor(readonly rootDir: string) {
    this.manager = new OPCUACertificateManager({ rootFolder: rootDir, automaticallyAcceptUnknownCertificate: false })
  }

  /** Creates the folders and, on first run, the application instance certificate (own/certs). Idempotent. */
  initialize(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.rootDir, { recursive: true })
      await this.manager.initialize()
      // The client that would create the certificate on first connect creates it now, so the
      // operator can hand it to the server's administrator before any connection exists.
      const client = OPCUAClient.create({ applicationName: APPLICATION_NAME, clientCertificateManager: this.manager })
      await client.createDefaultCertificate()
      await client.disconnect()
    })()
    return this.ready
  }

  /** Called after every trust/reject, so a connection waiting on a certificate retries at once. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  /** Trust status of a server certificate; files an unknown one as pending. */
  async check(der: Buffer): Promise<TrustStatus> {
    await this.initialize()
    const status = await this.manager.checkCertificate(der)
    if (status.isGood()) return 'trusted'
    if (status.name === 'BadCertificateTimeInvalid' || status.name === 'BadCertificateIssuerTimeInvalid') return 'expired'
    const decisions = await this.decisions()
    return decisions.rejected.includes(thumbprintOf(der)) ? 'rejected' : 'pending'
  }

  /** Throws `opcua.untrusted_certificate` with a sentence an operator can act on, unless the certificate is trusted and valid. */
  async requireTrusted(der: Buffer): Promise<void> {
    const c = summarize(der)
    // Expiry first: trusting an expired certificate would not help, the handshake would still fail.
    const status = c.expired ? 'expired' : await this.check(der)
    if (status === 'trusted') return
    const day = (t: number) => new Date(t).toISOString().slice(0, 10)
    const who = `${c.subject}, thumbprint ${c.thumbprint}, valid ${day(c.validFrom)} to ${day(c.validTo)}`
    const why =
      status === 'expired' ? `server certificate expired or not yet valid (valid ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()}); renew it on the server` :
      status === 'rejected' ? 'server certificate rejected by an operator' :
      'certificate not trusted: the server presented an unknown certificate; check it and trust it (certificates.trust)'
    throw new AppError('opcua.untrusted_certificate', `${why} (${who})`)
  }

  async list(): Promise<{ certificates: CertificateEntry[]; own: CertificateSummary | null }> {
    await this.initialize()
    const decisions = await this.decisions()
    const trusted = await this.readFolder(join(this.manager.trustedFolder))
    const rejected = await this.readFolder(this.manager.rejectedFolder)
    const entries: CertificateEntry[] = [
      ...trusted.map((c) => ({ ...c, status: 'trusted' as const })),
      ...rejected.map((c) => ({ ...c, status: decisions.rejected.includes(c.thumbprint) ? ('rejected' as const) : ('pending' as const) })),
    ]
    const own = await this.readFolder(this.manager.ownCertFolder).then((l) => l[0] ?? null)
    return { certificates: entries, own }
  }

  async trust(thumbprint: string): Promise<CertificateEntry> {
    const der = await this.find(thumbprint)
    await this.manager.trustCertificate(der)
    await this.record(thumbprint, false)
    this.changed()
    return { ...summarize(der), status: 'trusted' }
  }

  async reject(thumbprint: string): Promise<CertificateEntry> {
    const der = await this.find(thumbprint)
    await this.manager.rejectCertificate(der)
    await this.record(thumbprint, true)
    this.changed()
    return { ...summarize(der), status: 'rejected' }
  }

  private changed() {
    for (const cb of this.listeners) cb()
  }

  private async find(thumbprint: string): Promise<Buffer> {
    await this.initialize()
    const want = thumbprint.toLowerCase()
    for (const folder of [this.manager.rejectedFolder, this.manager.trustedFolder]) {
      for (const der of await this.readDer(folder)) if (thumbprintOf(der) === want) return der
    }
    throw new AppError('opcua.unknown_certificate', `no certificate with thumbprint ${want} has been seen; connect to the server first so it presents it`)
  }

  private async readFolder(folder: string): Promise<CertificateSummary[]> {
    return (await this.readDer(folder)).flatMap((der) => {
      try {
        return [summarize(der)]
      } catch {
        return []
      }
    })
  }

  private async readDer(folder: string): Promise<Buffer[]> {
    const names = await readdir(folder).catch(() => [] as string[])
    const out: Buffer[] = []
    for (const name of names.filter((n) => /\.(pem|der|crt)$/i.test(n))) {
      try {
        out.push(new X509Certificate(await readFile(join(folder, name))).raw)
      } catch {
        /* a foreign or half-written file is not a certificate we can show */
      }
    }
    return out
  }

  private get decisionsFile() {
    return join(this.rootDir, 'decisions.json')
  }

  private async decisions(): Promise<{ rejected: string[] }> {
    try {
      const parsed = JSON.parse(await readFile(this.decisionsFile, 'utf8')) as { rejected?: unknown }
      return { rejected: Array.isArray(parsed.rejected) ? parsed.rejected.filter((t): t is string => typeof t === 'string') : [] }
    } catch {
      return { rejected: [] }
    }
  }

  private async record(thumbprint: string, rejected: boolean) {
    const d = await this.decisions()
    const set = new Set(d.rejected)
    if (rejected) set.add(thumbprint.toLowerCase())
    else set.delete(thumbprint.toLowerCase())
    await writeFile(this.decisionsFile, JSON.stringify({ rejected: [...set] }, null, 2))
  }
}
