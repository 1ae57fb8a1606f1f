import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { OpcuaSignalConfig } from '../../core/opcua/opcua-config'
import type { MqttSignalConfig } from '../../core/mqtt/mqtt-config'
import { editConfigText } from './config-edit'
import { loadConfig } from './load-config'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-edit-'))
const write = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const YAML = `# Plant configuration — kept in git
server:
  port: 7000 # fixed for the firewall
connections:
  # the PLC of line 1
  - id: plc1
    kind: opcua
    name: Filling line PLC
    endpoint: opc.tcp://10.0.0.5:4840
    signals:
      - { id: plc1/FT101, name: Flow, nodeId: "ns=2;s=FT101.PV", unit: m³/h }
  - id: meters # energy meters on the roof
    kind: mqtt
    name: Energy meters
    url: mqtt://10.0.0.9:1883
    subscriptions: [{ filter: "site/meters/#", qos: 1 }]
    signals:
      - id: meters/EM1.power
        name: Power # shown on the faceplate
        topic: site/meters/EM1
        path: power.total
        unit: kW
logLevel: info
`

const mapping = (over: Partial<MqttSignalConfig> = {}): MqttSignalConfig => ({
  id: 'meters/EM2.voltage',
  name: 'Voltage',
  dataType: 'number',
  writable: false,
  topic: 'site/meters/EM2',
  path: 'u.l1',
  unit: 'V',
  ...over,
})

describe('editConfigText on YAML', () => {
  it('adds a mapping: comments, order and the other connection stay as written, and the file loads', () => {
    const r = editConfigText('plant.yaml', YAML, false, { connection: 'meters', upsert: [mapping()] })
    expect(r.changed).toBe(true)
    expect(r.text.startsWith(YAML.slice(0, YAML.indexOf('logLevel')))).toBe(true) // everything before the new item is untouched
    for (const comment of ['# Plant configuration — kept in git', '# fixed for the firewall', '# the PLC of line 1', '# energy meters on the roof', '# shown on the faceplate']) {
      expect(r.text).toContain(comment)
    }
    expect(r.text).toContain('- { id: plc1/FT101, name: Flow, nodeId: "ns=2;s=FT101.PV", unit: m³/h }')
    expect(r.text).toMatch(/- id: meters\/EM2\.voltage\n\s+name: Voltage\n\s+topic: site\/meters\/EM2\n\s+path: u\.l1\n\s+dataType: number\n\s+unit: V\nlogLevel: info\n$/)
    const c = loadConfig(write('added.yaml', r.text))
    expect(c.server.port).toBe(7000)
    expect(c.connections[0]).toMatchObject({ id: 'plc1', signals: [{ id: 'plc1/FT101', nodeId: 'ns=2;s=FT101.PV' }] })
    expect(c.connections[1]!.signals.map((s) => s.id)).toEqual(['meters/EM1.power', 'meters/EM2.voltage'])
    expect(c.connections[1]!.signals[1]).toMatchObject({ path: 'u.l1', unit: 'V', dataType: 'number', writable: false })
  })

  it('changes a mapping in place: the changed field keeps its place and comment, a cleared field goes, defaults are not written', () => {
    const existing = loadConfig(write('base.yaml', YAML)).connections[1]!.signals[0] as MqttSignalConfig
    const r = editConfigText('plant.yaml', YAML, false, { connection: 'meters', upsert: [{ ...existing, name: 'Active power', unit: undefined }] })
    expect(r.text).toContain('        name: Active power # shown on the faceplate\n')
    expect(r.text).not.toContain('unit: kW')
    expect(r.text).not.toMatch(/dataType|writable/) // the file did not say them; their defaults did not change
    expect(r.text.replace('Active power', 'Power').replace('        unit: kW\n', '')).toBe(YAML.replace('        unit: kW\n', ''))
    expect(editConfigText('plant.yaml', YAML, false, { connection: 'meters', upsert: [existing] })).toEqual({ text: YAML, changed: false })
  })

  it('removes a mapping and leaves the rest alone; removing one that is not there changes nothing', () => {
    const r = editConfigText('plant.yaml', YAML, false, { connection: 'meters', remove: ['meters/EM1.power'] })
    expect(r.text).not.toContain('meters/EM1.power')
    expect(r.text).toContain('# energy meters on the roof')
    expect(loadConfig(write('removed.yaml', r.text)).connections[1]!.signals).toEqual([])
    expect(editConfigText('plant.yaml', YAML, false, { connection: 'meters', remove: ['meters/nope'] })).toEqual({ text: YAML, changed: false })
  })

  it('adds OPC UA signals as one more flow map per line where the list is written that way', () => {
    const sig: OpcuaSignalConfig = { id: 'plc1/Tests.Bool', name: 'Bool', nodeId: 'ns=1;s=Tests.Bool', dataType: 'boolean', writable: true }
    const r = editConfigText('plant.yaml', YAML, false, { connection: 'plc1', upsert: [sig] })
    expect(r.text).toContain('      - { id: plc1/FT101, name: Flow, nodeId: "ns=2;s=FT101.PV", unit: m³/h }\n      - { id: plc1/Tests.Bool, name: Bool, nodeId: ns=1;s=Tests.Bool, dataType: boolean, writable: true }\n')
    expect(loadConfig(write('ua.yaml', r.text)).connections[0]!.signals[1]).toEqual(sig)
  })

  it('creates the signals list of a connection that had none', () => {
    const text = 'connections:\n  - id: m\n    kind: mqtt\n    name: M\n    url: mqtt://h\n'
    const r = editConfigText('x.yaml', text, false, { connection: 'm', upsert: [mapping({ id: 'm/a' })] })
    expect(loadConfig(write('none.yaml', r.text)).connections[0]!.signals.map((s) => s.id)).toEqual(['m/a'])
  })

  it('keeps other layouts: 4-space indentation, comments after the last item, dashes at the key’s column, a file without a final newline', () => {
    const four = 'connections:\n    - id: m\n      kind: mqtt\n      name: M\n      url: mqtt://h\n      signals:\n          - id: a\n            name: A\n            topic: t/a\n            # about a\n      # end of m\nlogLevel: info'
    const added = editConfigText('x.yaml', four, false, { connection: 'm', upsert: [mapping({ id: 'm/b', unit: undefined })] })
    expect(added.text).toBe(four.replace('            # about a\n', '            # about a\n          - id: m/b\n            name: Voltage\n            topic: site/meters/EM2\n            path: u.l1\n            dataType: number\n'))
    const flat = 'connections:\n- id: m\n  kind: mqtt\n  name: M\n  url: mqtt://h\n  signals:\n  - id: a\n    name: A\n    topic: t/a\n  # b: the second meter\n  - {id: b, name: B, topic: t/b}   # flow b\n  - id: c\n    name: C\n    topic: t/c'
    const r = editConfigText('x.yaml', flat, false, { connection: 'm', remove: ['b'], upsert: [mapping({ id: 'c', name: 'C2', topic: 't/c', path: undefined, unit: undefined })] })
    expect(r.text).toBe('connections:\n- id: m\n  kind: mqtt\n  name: M\n  url: mqtt://h\n  signals:\n  - id: a\n    name: A\n    topic: t/a\n  - id: c\n    name: C2\n    topic: t/c\n')
  })

  it('prints the document again where the list is not a block list (a flow list), still loading with the edit', () => {
    const text = 'connections:\n  - { id: m, kind: mqtt, name: M, url: "mqtt://h", signals: [] } # one line\n'
    const r = editConfigText('x.yaml', text, false, { connection: 'm', upsert: [mapping({ id: 'm/z' })] })
    expect(r.text).toContain('# one line')
    expect(loadConfig(write('flow.yaml', r.text)).connections[0]!.signals.map((s) => s.id)).toEqual(['m/z'])
  })

  it('refuses a connection that is not in the file, and a file that does not parse', () => {
    expect(() => editConfigText('plant.yaml', YAML, false, { connection: 'demo-mqtt', upsert: [mapping()] })).toThrow(expect.objectContaining({ code: 'config.edit_invalid' }))
    expect(() => editConfigText('plant.yaml', 'connections: [1, 2\n', false, { connection: 'm', remove: ['x'] })).toThrow(expect.objectContaining({ code: 'config.parse' }))
  })
})

describe('editConfigText on JSON', () => {
  const JSON_TEXT = `{\n    "connections": [\n        { "id": "m", "kind": "mqtt", "name": "M", "url": "mqtt://h", "signals": [ { "id": "m/a", "name": "A", "topic": "t/a", "unit": "kW" } ] }\n    ]\n}\n`
  it('rewrites formatted with the file’s indentation, and the result loads', () => {
    const r = editConfigText('plant.json', JSON_TEXT, true, { connection: 'm', upsert: [mapping({ id: 'm/b', topic: 't/b' })], remove: ['m/a'] })
    expect(r.text).toMatch(/^\{\n {4}"connections": \[\n {8}\{\n {12}"id": "m",/)
    expect(loadConfig(write('edited.json', r.text)).connections[0]!.signals.map((s) => s.id)).toEqual(['m/b'])
  })
})
