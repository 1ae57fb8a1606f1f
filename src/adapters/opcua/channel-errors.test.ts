import { packTcpMessage, StatusCodes, TCPErrorMessage } from 'node-opcua'
import { describe, expect, it } from 'vitest'
import { parseErr, refusalError } from './channel-errors'
import { explain } from './errors'

describe('what a server says when it refuses the secure channel', () => {
  it('reads the status and the reason of a transport ERR message, with or without text', () => {
    const err = (reason: string) => packTcpMessage('ERR', new TCPErrorMessage({ statusCode: StatusCodes.BadSecurityChecksFailed, reason }))
    expect(parseErr(err(''))).toEqual({ status: 'BadSecurityChecksFailed', reason: '' })
    expect(parseErr(err('certificate invalid'))).toEqual({ status: 'BadSecurityChecksFailed', reason: 'certificate invalid' })
    expect(parseErr(Buffer.from('MSGF\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1'))).toBeUndefined()
  })

  it('a certificate status from the server is certificate_rejected_by_server, whichever way it arrived; a plain socket close stays unreachable', () => {
    const viaErr = explain(refusalError({ status: 'BadSecurityChecksFailed', reason: '' }))
    expect(viaErr).toMatchObject({ code: 'opcua.certificate_rejected_by_server', transient: true })
    expect(viaErr.message).toBe("the server refused Plantdeck's certificate (BadSecurityChecksFailed): trust Plantdeck's certificate on the server")
    const viaFault = explain(new Error('The connection has been rejected by server: BadCertificateUntrusted (0x801a0000)'))
    expect(viaFault.code).toBe('opcua.certificate_rejected_by_server')
    expect(viaFault.message).toMatch(/\(BadCertificateUntrusted\)/)
    expect(explain(new Error('The connection may have been rejected by server,\n Err = (ClientTCP_transport2: socket has been disconnected by third party)')).code).toBe('opcua.unreachable')
    expect(explain(refusalError({ status: 'BadTcpEndpointUrlInvalid', reason: '' })).code).toBe('opcua.service_failed')
  })
})
