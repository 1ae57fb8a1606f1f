import { EndpointDescription, MessageSecurityMode } from 'node-opcua'
import { describe, expect, it } from 'vitest'
import { describeEndpoints, selectEndpoint } from './security'

const ep = (mode: MessageSecurityMode, policy: string, securityLevel = 0) =>
  new EndpointDescription({ endpointUrl: 'opc.tcp://plc:4840', securityMode: mode, securityPolicyUri: `http://opcfoundation.org/UA/SecurityPolicy#${policy}`, securityLevel })

const { None, Sign, SignAndEncrypt } = MessageSecurityMode
const offered = [ep(None, 'None', 0), ep(Sign, 'Basic256Sha256', 50), ep(SignAndEncrypt, 'Basic256', 200), ep(SignAndEncrypt, 'Aes128_Sha256_RsaOaep', 90), ep(SignAndEncrypt, 'Basic256Sha256', 100)]

describe('endpoint selection', () => {
  it('auto picks the most secure supported endpoint, never a deprecated policy', () => {
    const e = selectEndpoint(offered, {})
    expect([e.securityMode, e.securityPolicyUri]).toEqual([SignAndEncrypt, 'http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256'])
  })

  it('honours an explicit mode and policy', () => {
    expect(selectEndpoint(offered, { securityMode: 'Sign', securityPolicy: 'auto' }).securityMode).toBe(Sign)
    expect(selectEndpoint(offered, { securityMode: 'SignAndEncrypt', securityPolicy: 'Aes128_Sha256_RsaOaep' }).securityPolicyUri).toMatch(/Aes128_Sha256_RsaOaep$/)
    expect(selectEndpoint(offered, { securityMode: 'None', securityPolicy: 'None' }).securityMode).toBe(None)
  })

  it('refuses a server that offers only deprecated or unsecured endpoints, saying why', () => {
    const legacy = [ep(None, 'None'), ep(SignAndEncrypt, 'Basic128Rsa15', 10), ep(SignAndEncrypt, 'Basic256', 20)]
    expect(() => selectEndpoint(legacy, {})).toThrow(/no secure endpoint with a supported policy \(offered: SignAndEncrypt\/Basic256 \(deprecated, refused\), SignAndEncrypt\/Basic128Rsa15 \(deprecated, refused\)/)
    expect(() => selectEndpoint([ep(None, 'None')], { securityMode: 'auto' })).toThrow(/set securityMode None explicitly/)
    expect(() => selectEndpoint(offered, { securityMode: 'SignAndEncrypt', securityPolicy: 'Aes256_Sha256_RsaPss' })).toThrow(/no SignAndEncrypt\/Aes256_Sha256_RsaPss endpoint/)
  })

  it('lists endpoints most secure first and flags deprecated ones', () => {
    const list = describeEndpoints(offered)
    expect(list.map((e) => `${e.securityMode}/${e.securityPolicy}`)).toEqual([
      'SignAndEncrypt/Basic256Sha256',
      'SignAndEncrypt/Aes128_Sha256_RsaOaep',
      'Sign/Basic256Sha256',
      'SignAndEncrypt/Basic256', // deprecated: below every supported endpoint
      'None/None',
    ])
    expect(list.find((e) => e.securityPolicy === 'Basic256')?.deprecated).toBe(true)
  })
})
