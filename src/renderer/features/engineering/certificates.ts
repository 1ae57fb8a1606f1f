import type { CertificateEntry } from '../../../shared/contract'
import type { ConnectionState } from '../../../shared/model'

/** What the engineer reads first: an expired certificate is expired whatever its trust says. */
export type CertDisplayStatus = 'pending' | 'trusted' | 'rejected' | 'expired'

export function certStatus(c: CertificateEntry): CertDisplayStatus {
  return c.expired ? 'expired' : c.status
}

const ORDER: Record<CertDisplayStatus, number> = { pending: 0, expired: 1, rejected: 2, trusted: 3 }

/** Pending first (they wait for a person), then expired, rejected, trusted; by subject within each. */
export function sortCertificates(list: CertificateEntry[]): CertificateEntry[] {
  return list.slice().sort((a, b) => ORDER[certStatus(a)] - ORDER[certStatus(b)] || a.subject.localeCompare(b.subject))
}

/** `92f89cbe…` as `92F8 9CBE …`: groups of four, as UaExpert and Windows show it, easy to compare aloud. */
export function formatThumbprint(t: string): string {
  return (t.toUpperCase().match(/.{1,4}/g) ?? []).join(' ')
}

/** The CN of an X.509 subject (`C=FR, O=x, CN=Plant@host` → `Plant@host`), else the whole subject. */
export function commonName(subject: string): string {
  const m = /(?:^|,\s*)CN=([^,]+)/.exec(subject)
  return m ? m[1]!.trim() : subject
}

/** A connection that waits for a person to trust its server's certificate. */
export function waitsForCertificate(c: Pick<ConnectionState, 'kind' | 'health' | 'reason'>): boolean {
  return c.health !== 'connected' && /certificate[^.]*not trusted/i.test(c.reason ?? '')
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}
