import { describe, expect, it } from 'vitest'
import { MqttConnectionConfig } from '../../core/config/schema'
import { clientOptions, connectionDetail, fallBackTo311 } from './client-options'

const INSTALL = '0123456789abcdef0123456789abcdef'
const conf = (extra: Record<string, unknown> = {}) => MqttConnectionConfig.parse({ id: 'm', kind: 'mqtt', name: 'M', url: 'mqtt://127.0.0.1:1883', ...extra })

describe('clientOptions defaults', () => {
  it('no clientId, an installation: derived id, persistent session, MQTT 5 with Receive Maximum 65535', () => {
    const o = clientOptions(conf(), INSTALL)
    expect(o).toMatchObject({ clientId: expect.stringMatching(/^plantdeck-01234567-[0-9a-f]{4}$/), clean: false, protocolVersion: 5 })
    expect(o.properties).toMatchObject({ receiveMaximum: 65_535, sessionExpiryInterval: 7 * 86_400 })
    expect(connectionDetail(o, 5)).toBe(`MQTT 5, Receive Maximum 65535; client id ${o.clientId}; persistent session`)
  })

  it('configuration wins: clientId, session clean, protocol 3.1.1', () => {
    const o = clientOptions(conf({ clientId: 'mine', session: 'clean', protocol: '3.1.1' }), INSTALL)
    expect(o).toMatchObject({ clientId: 'mine', clean: true, protocolVersion: 4 })
    expect(o.properties).toBeUndefined()
  })

  it('no installation (a collector built bare): a random id and a clean session', () => {
    expect(clientOptions(conf())).toMatchObject({ clientId: expect.stringMatching(/^plantdeck-[0-9a-f]+$/), clean: true })
  })

  it('falls back only on a refusal of the protocol version, and only from 5', () => {
    for (const code of [1, 132]) {
      const o = clientOptions(conf(), INSTALL)
      expect(fallBackTo311(o, code)).toBe(true)
      expect(o.protocolVersion).toBe(4)
      expect(o.properties).toBeUndefined()
      expect(connectionDetail(o, 5)).toMatch(/^MQTT 3\.1\.1 \(the broker refused MQTT 5\); /)
      expect(fallBackTo311(o, code)).toBe(false)
    }
    expect(fallBackTo311(clientOptions(conf(), INSTALL), 135)).toBe(false)
  })
})
