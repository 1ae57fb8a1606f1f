import type { ErrorCode } from '../../shared/model/errors'

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])
/** CONNACK return codes (3.1.1: 4 bad user name or password, 5 not authorised) and reason codes (5: 134, 135, 138 banned). */
const REFUSED_ACCESS = new Set([4, 5, 134, 135, 138])

/**
 * The stable code of an error mqtt.js reported on a connection: how an operator tells "the broker is not there" from
 * "it refused our credentials" from "we do not trust its certificate" without reading the message.
 */
export function connectionErrorCode(err: { code?: unknown; message?: string }): ErrorCode {
  const code = err.code
  if (typeof code === 'number') return REFUSED_ACCESS.has(code) ? 'mqtt.access_denied' : 'mqtt.connection_refused'
  if (typeof code === 'string') {
    if (UNREACHABLE.has(code)) return 'mqtt.unreachable'
    // Node's TLS verification codes (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, ...)
    if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return 'mqtt.untrusted_certificate'
  }
  if (/certificate|altnames/i.test(err.message ?? '')) return 'mqtt.untrusted_certificate'
  return 'mqtt.connection_refused'
}
