import { describe, expect, it } from 'vitest'
import { connectionErrorCode } from './connection-errors'

describe('connectionErrorCode', () => {
  it('tells refused credentials from other CONNACK refusals, by return and reason code', () => {
    expect(connectionErrorCode({ code: 4, message: 'Connection refused: Bad username or password' })).toBe('mqtt.access_denied')
    expect(connectionErrorCode({ code: 135, message: 'Connection refused: Not authorized' })).toBe('mqtt.access_denied')
    expect(connectionErrorCode({ code: 2, message: 'Connection refused: Identifier rejected' })).toBe('mqtt.connection_refused')
    expect(connectionErrorCode({ code: 136, message: 'Connection refused: Server unavailable' })).toBe('mqtt.connection_refused')
  })

  it('socket and TLS errors', () => {
    expect(connectionErrorCode({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe('mqtt.unreachable')
    expect(connectionErrorCode({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND broker' })).toBe('mqtt.unreachable')
    expect(connectionErrorCode({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" })).toBe('mqtt.untrusted_certificate')
    expect(connectionErrorCode({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' })).toBe('mqtt.untrusted_certificate')
    expect(connectionErrorCode({ message: 'something else' })).toBe('mqtt.connection_refused')
  })
})
