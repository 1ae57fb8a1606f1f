import type { ErrorCode } from '../../shared/model'
import { AppError } from '../../shared/model'

export interface Explained {
  code: ErrorCode
  message: string
  /** Worth retrying by itself (network); otherwise a person has to change something first. */
  transient: boolean
}

const RULES: [RegExp, ErrorCode, string, boolean][] = [
  [/ECONNREFUSED/, 'opcua.unreachable', 'nothing accepts connections at that address (server down or wrong port)', true],
  [/ENOTFOUND|EAI_AGAIN/, 'opcua.unreachable', 'host name not found', true],
  [/EHOSTUNREACH|ENETUNREACH/, 'opcua.unreachable', 'host not reachable on the network', true],
  [/ETIMEDOUT|timeout|Timeout/, 'opcua.unreachable', 'server did not answer in time', true],
  [/ECONNRESET|EPIPE|premature|socket has been disconnected|closed by server|disconnected by third party|Connection Break/i, 'opcua.unreachable', 'server closed the connection during the handshake', true],
  [/BadCertificateUntrusted/, 'opcua.untrusted_certificate', 'certificate not trusted', false],
  [/BadCertificateTimeInvalid|BadCertificateIssuerTimeInvalid/, 'opcua.untrusted_certificate', 'certificate expired or not yet valid', false],
  [/BadCertificateHostNameInvalid/, 'opcua.untrusted_certificate', 'server certificate does not name this host', false],
  [/BadCertificateUriInvalid/, 'opcua.untrusted_certificate', 'certificate application URI does not match the application', false],
  [/BadCertificate|BadSecurityChecksFailed/, 'opcua.certificate_rejected_by_server', 'the server refused Plantdeck\'s certificate: trust Plantdeck\'s certificate on the server', true],
  [/BadUserAccessDenied|BadIdentityToken/, 'opcua.access_denied', 'user name, password or user certificate refused', false],
  [/BadSecurityPolicyRejected|BadSecurityModeRejected/, 'opcua.bad_endpoint', 'the server refused this security mode or policy', false],
  [/Invalid endpoint|invalid endpoint|ERR_INVALID_URL|Invalid URL|Invalid url/, 'opcua.bad_endpoint', 'endpoint URL is not valid', false],
  [/BadTooManySessions/, 'opcua.service_failed', 'server has too many sessions', true],
]

/**
 * The server answered our OpenSecureChannel with a certificate status (a ServiceFault: node-opcua's "rejected by
 * server"; a transport ERR: `refusalError`): it does not accept Plantdeck's own certificate. Checked before the
 * socket rules, since the server closes the channel after saying so.
 */
const SERVER_REFUSED = /(?:rejected by server|refused the secure channel)[^]*?\b(BadCertificate\w*|BadSecurityChecksFailed)\b/

/** node-opcua throws plain Errors with status names or socket codes in the text: turn them into something to act on. */
export function explain(e: unknown): Explained {
  if (e instanceof AppError) return { code: e.code, message: e.message, transient: e.code === 'opcua.unreachable' }
  const err = e as { message?: string; code?: string }
  const raw = `${err?.code ?? ''} ${err?.message ?? String(e)}`
  const refused = SERVER_REFUSED.exec(raw)
  if (refused) return { code: 'opcua.certificate_rejected_by_server', message: `the server refused Plantdeck's certificate (${refused[1]}): trust Plantdeck's certificate on the server`, transient: true }
  for (const [re, code, message, transient] of RULES) if (re.test(raw)) return { code, message: `${message} (${short(err?.message ?? raw)})`, transient }
  return { code: 'opcua.service_failed', message: short(err?.message ?? raw), transient: true }
}

export const toAppError = (e: unknown): AppError => {
  if (e instanceof AppError) return e
  const x = explain(e)
  return new AppError(x.code, x.message)
}

const short = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 240)
