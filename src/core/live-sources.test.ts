import { describe, expect, it } from 'vitest'
import { SignalId } from '../shared/model'
import { mqttAttributeName, mqttKey } from './mqtt/mqtt-sources'
import { canonicalNodeId, nodeSignalId, opcuaKey } from './opcua/opcua-sources'
import { driverSources } from './drivers'

describe("the protocols' sources for the asset model", () => {
  it('are registered by the OPC UA and MQTT drivers (calc has none)', () => {
    expect([...driverSources().keys()].sort()).toEqual(['mqtt', 'opcua'])
  })

  it('OPC UA: one key per node however it is spelt, and a valid signal id made from the node', () => {
    expect(canonicalNodeId(' ns=0;i=2258 ')).toBe('i=2258')
    expect(opcuaKey('ua', 'ns=0;i=2258')).toBe(opcuaKey('ua', 'i=2258'))
    expect(opcuaKey('ua', 'i=2258')).not.toBe(opcuaKey('other', 'i=2258'))
    expect(nodeSignalId('plc', 'ns=2;s=Line1.Pump1.Speed')).toBe('plc/2:Line1.Pump1.Speed')
    expect(nodeSignalId('plc', 'ns=0;i=2258')).toBe('plc/i_2258')
    expect(nodeSignalId('plc', 's=Motor current (A)')).toBe('plc/Motor_current__A_')
    for (const n of ['ns=3;g=09087e75-8e5e-499b-954f-f2a9603db28a', 'ns=1;b=M/RbKBsRVkePCePcx24oRA==', 'ns=1;s=' + 'x'.repeat(400)]) expect(SignalId.safeParse(nodeSignalId('plc', n)).success).toBe(true)
  })

  it('MQTT: one key per topic, metric and path; the attribute named by metric, path field or last topic level', () => {
    expect(mqttKey('m', { topic: 'a/b' })).not.toBe(mqttKey('m', { topic: 'a/b', path: 'x' }))
    expect(mqttKey('m', { topic: 'a/b', path: 'x' })).toBe(mqttKey('m', { topic: 'a/b', path: 'x', metric: undefined }))
    expect(mqttAttributeName({ topic: 'plant/tank1/level' })).toBe('level')
    expect(mqttAttributeName({ topic: 'plant/meter', path: 'power.l1' })).toBe('l1')
    expect(mqttAttributeName({ topic: 'spBv1.0/g/n/d', metric: 'Motor/Speed' })).toBe('Speed')
  })
})
