import { z } from 'zod'
import { method } from './define'

// The application's trust list: server certificates seen, trusted or rejected (OPC UA today; any protocol that
// authenticates servers by certificate shares it).

/** Subject, thumbprint and validity of an X.509 certificate: what an operator checks before trusting it. */
export const CertificateSummary = z.object({
  /** SHA-1 of the DER bytes, lowercase hex: how UaExpert and the PKI folders name a certificate. */
  thumbprint: z.string(),
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.number().int(),
  validTo: z.number().int(),
  expired: z.boolean(),
  selfSigned: z.boolean(),
  applicationUri: z.string().optional(),
  /** DNS names and IP addresses the certificate is issued for. */
  hosts: z.array(z.string()),
})
export type CertificateSummary = z.infer<typeof CertificateSummary>

export const CertificateEntry = CertificateSummary.extend({
  /** `pending`: seen (a server presented it) and neither trusted nor rejected by a person yet. */
  status: z.enum(['trusted', 'pending', 'rejected']),
})
export type CertificateEntry = z.infer<typeof CertificateEntry>

const Thumbprint = { thumbprint: z.string().regex(/^[0-9a-fA-F]{40}$/, 'SHA-1 thumbprint: 40 hex digits') }

export const certificates = {
  /** Server certificates Plantdeck has seen, trusted or rejected, and its own application certificate. */
  'certificates.list': method(z.object({}).strict(), z.object({ certificates: z.array(CertificateEntry), own: CertificateSummary.nullable() }), 'engineer'),
  /** Trust a seen certificate; connections waiting on it retry at once. */
  'certificates.trust': method(z.object(Thumbprint).strict(), CertificateEntry, 'engineer'),
  /** Reject a certificate (also one trusted before); a connection using it ends its session and stops at "rejected by an operator". */
  'certificates.reject': method(z.object(Thumbprint).strict(), CertificateEntry, 'engineer'),
} as const
