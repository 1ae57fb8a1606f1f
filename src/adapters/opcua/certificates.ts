import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { getHostname, makeApplicationUrn, OPCUACertificateManager } from 'node-opcua'
import type { CertificateEntry, CertificateSummary } from '../../shared/contract/certificates'
import { AppError } from '../../shared/model'

/** The client's applicationName: with the host name it makes the applicationUri written into our certificate. */
export const APPLICATION_NAME = 'Plantdeck'
/** Where node-opcua's client reads the application instance certificate, under the PKI folder. */
export const OWN_CERTIFICATE = 'own/certs/client_certificate.pem'

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

/** Where a server certificate is used: the endpoint URL we connect to and the applicationUri the server announces. */
export interface CertificateUse {
  endpointUrl: string
  applicationUri?: string | null
}

/** One way a certificate does not fit the connection: `key` is what an operator accepts, `text` what they read. */
export interface Mismatch {
  key: string
  text: string
}

/** IPv4 as is; IPv6 in the compressed form URL uses (`0:0:0:0:0:0:0:1` and `::1` compare equal). */
function canonicalHost(h: string): string {
  const bare = h.replace(/^\[|\]$/g, '').toLowerCase()
  if (isIP(bare) !== 6) return bare
  try {
    return new URL(`http://[${bare}]`).hostname.slice(1, -1)
  } catch {
    return bare
  }
}

const isLoopback = (h: string) => h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'))

/** Names under which this machine is itself: a certificate naming one of them is right for a loopback connection. */
function localNames(): Set<string> {
  const own = hostname().toLowerCase()
  const addresses = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => canonicalHost(a.address)))
  return new Set(['localhost', '127.0.0.1', '::1', own, own.split('.')[0]!, ...addresses])
}

function nameMatches(host: string, name: string): boolean {
  const n = canonicalHost(name)
  if (n === host) return true
  // `*.plant.example` stands for exactly one label, never for an address
  return n.startsWith('*.') && isIP(host) === 0 && host.slice(host.indexOf('.')) === n.slice(1) && host.indexOf('.') > 0
}

/**
 * What node-opcua's client does not check: does the server certificate name the host in the endpoint URL
 * (DNS or IP subjectAltName), and is its application URI the one the server announces? A loopback
 * connection (`localhost`, 127.x, ::1) accepts a certificate that names this machine.
 */
export function certificateMismatches(c: CertificateSummary, use: CertificateUse): Mismatch[] {
  const out: Mismatch[] = []
  let host: string | undefined
  try {
    host = canonicalHost(new URL(use.endpointUrl).hostname)
  } catch {
    host = undefined
  }
  if (host) {
    const named = c.hosts.some((n) => nameMatches(host, n))
    const local = isLoopback(host) && [...localNames()].some((l) => c.hosts.some((n) => nameMatches(l, n)))
    if (!named && !local) {
      const names = c.hosts.length > 0 ? `its names (${c.hosts.join(', ')})` : 'its names (it names no host)'
      out.push({ key: `host:${host}`, text: `host ${host} of the endpoint URL is not among ${names}` })
    }
  }
  if (use.applicationUri && c.applicationUri && use.applicationUri !== c.applicationUri) {
    out.push({ key: `uri:${use.applicationUri}`, text: `its application URI ${c.applicationUri} is not the server's ${use.applicationUri}` })
  }
  return out
}

/**
 * The application's PKI folder: its own instance certificate (created on first run by node-opcua) and the
 * trusted/rejected server certificates. node-opcua files every unknown certificate under `rejected/`;
 * we tell apart the ones a person rejected (recorded in `decisions.json`) from those still waiting: `pending`.
 */
export class OpcuaPki {
  readonly manager: OPCUACertificateManager
  private ready: Promise<void> | undefined
  private readonly listeners = new Set<() => void>()
  /** Mismatches last reported per thumbprint: trusting the certificate accepts them. */
  private readonly seen = new Map<string, Set<string>>()

  constructor(readonly rootDir: string) {
    this.manager = new OPCUACertificateManager({ rootFolder: rootDir, automaticallyAcceptUnknownCertificate: false })
  }

  /** Creates the folders and, on first run, the application instance certificate (own/certs). Idempotent. */
  initialize(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.rootDir, { recursive: true })
      await this.manager.initialize()
      await this.createOwnCertificate()
    })()
    return this.ready
  }

  /**
   * Created here rather than by node-opcua's client on first connect, so the operator can hand it to the server's
   * administrator before any connection exists, and so it names Plantdeck as its organisation (node-opcua's default
   * subject names its own vendor). The applicationUri and host name are the ones the client announces. An existing
   * certificate is kept: servers may trust it already.
   */
  private async createOwnCertificate() {
    const file = join(this.rootDir, OWN_CERTIFICATE)
    if ((await stat(file).catch(() => undefined))?.size) return
    const host = getHostname()
    await this.manager.createSelfSignedCertificate({
      applicationUri: makeApplicationUrn(host, APPLICATION_NAME),
      subject: `/CN=${`${APPLICATION_NAME}@${host}`.slice(0, 64)}/O=${APPLICATION_NAME}`,
      dns: [host],
      startDate: new Date(),
      validity: 365 * 10,
      outputFile: file,
    })
  }

  /** Plantdeck's own certificate as a server's administrator looks for it: the file to copy and its SHA-1 thumbprint. */
  own(): { file: string; thumbprint: string | undefined } {
    const file = join(this.rootDir, OWN_CERTIFICATE)
    try {
      // read when a connect failed, a few kB: synchronous so the state it goes into cannot overtake a later one
      return { file, thumbprint: thumbprintOf(new X509Certificate(readFileSync(file)).raw) }
    } catch {
      return { file, thumbprint: undefined }
    }
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

  /**
   * Throws `opcua.untrusted_certificate` with a sentence an operator can act on, unless the certificate is trusted and valid
   * and, when `use` is given, fits the connection (host name, application URI) or an operator accepted that it does not.
   */
  async requireTrusted(der: Buffer, use?: CertificateUse): Promise<void> {
    const c = summarize(der)
    // Expiry first: trusting an expired certificate would not help, the handshake would still fail.
    const status = c.expired ? 'expired' : await this.check(der)
    const accepted = new Set((await this.decisions()).accepted[c.thumbprint] ?? [])
    const mismatches = use && status !== 'expired' ? certificateMismatches(c, use).filter((m) => !accepted.has(m.key)) : []
    if (status === 'trusted' && mismatches.length === 0) return
    this.seen.set(c.thumbprint, new Set(mismatches.map((m) => m.key)))
    const day = (t: number) => new Date(t).toISOString().slice(0, 10)
    const who = `${c.subject}, thumbprint ${c.thumbprint}, valid ${day(c.validFrom)} to ${day(c.validTo)}`
    const mismatch = mismatches.map((m) => m.text).join('; ')
    const why =
      status === 'expired' ? `server certificate expired or not yet valid (valid ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()}); renew it on the server` :
      status === 'rejected' ? `server certificate rejected by an operator${mismatch ? `; it also does not match the endpoint: ${mismatch}` : ''}` :
      status === 'trusted' ? `certificate not trusted for this endpoint: it does not match (${mismatch}); if that is expected, trust it again for this endpoint (certificates.trust)` :
      mismatch ? `certificate not trusted: the server presented an unknown certificate that does not match the endpoint (${mismatch}); check it and trust it (certificates.trust) to accept it for this endpoint` :
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
    await this.record(thumbprint, false, this.seen.get(thumbprint.toLowerCase()))
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

  /** `rejected`: thumbprints a person said no to. `accepted`: per thumbprint, the mismatches (`host:…`, `uri:…`) a person accepted by trusting it. */
  private async decisions(): Promise<{ rejected: string[]; accepted: Record<string, string[]> }> {
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [])
    try {
      const parsed = JSON.parse(await readFile(this.decisionsFile, 'utf8')) as { rejected?: unknown; accepted?: unknown }
      const accepted: Record<string, string[]> = {}
      if (parsed.accepted && typeof parsed.accepted === 'object') for (const [k, v] of Object.entries(parsed.accepted)) accepted[k] = strings(v)
      return { rejected: strings(parsed.rejected), accepted }
    } catch {
      return { rejected: [], accepted: {} }
    }
  }

  /** Trusting accepts the mismatches last reported for the certificate; rejecting forgets what was accepted. */
  private async record(thumbprint: string, rejected: boolean, accept?: Set<string>) {
    const d = await this.decisions()
    const t = thumbprint.toLowerCase()
    const set = new Set(d.rejected)
    if (rejected) {
      set.add(t)
      delete d.accepted[t]
    } else {
      set.delete(t)
      if (accept && accept.size > 0) d.accepted[t] = [...new Set([...(d.accepted[t] ?? []), ...accept])]
      this.seen.delete(t)
    }
    await writeFile(this.decisionsFile, JSON.stringify({ rejected: [...set], accepted: d.accepted }, null, 2))
  }
}
