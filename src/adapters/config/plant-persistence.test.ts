import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { applyPlantEdits } from '../../core/config/plant-edits'
import { PlantConfig } from '../../core/config/schema'
import { type MqttSignalConfig } from '../../core/mqtt/mqtt-config'
import type { Logger } from '../../core/ports/logger'
import { loadConfig } from './load-config'
import { FilePlantPersistence, loadPlantEdits } from './plant-persistence'

const CONFIG = `# our plant, in git
connections:
  - id: meters # roof
    kind: mqtt
    name: Meters
    url: mqtt://10.0.0.9:1883
    signals:
      - { id: meters/a, name: A, topic: t/a }
`
const demo = PlantConfig.parse({
  connections: [{ id: 'demo-mqtt', kind: 'mqtt', name: 'Demo', url: 'mqtt://127.0.0.1:1', signals: [{ id: 'demo-mqtt/x', name: 'X', topic: 'demo/x', unit: 'kW' }] }],
}).connections

const sig = (id: string, over: Partial<MqttSignalConfig> = {}): MqttSignalConfig => ({ id, name: id.split('/')[1]!, dataType: 'number', writable: false, topic: 't/new', ...over })

function setup(configText = CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), 'plantdeck-persist-'))
  const configFile = join(dir, 'plant.yaml')
  writeFileSync(configFile, configText)
  const errors: object[] = []
  const logger = { info() {}, debug() {}, warn() {}, error: (o: object) => void errors.push(o), child: () => logger } as unknown as Logger
  const base = [...demo, ...loadConfig(configFile).connections]
  const p = new FilePlantPersistence({ configFile, fileConnections: ['meters'], overlayFile: join(dir, 'data', 'plant-edits.yaml'), base, logger })
  return { dir, configFile, overlayFile: join(dir, 'data', 'plant-edits.yaml'), p, errors, base }
}

describe('FilePlantPersistence', () => {
  it('writes edits of a connection in the config file into that file, atomically, keeping one .bak and no temporary files', async () => {
    const { dir, configFile, p } = setup()
    expect(await p.save({ connection: 'meters', upsert: [sig('meters/b')] })).toEqual({ persisted: true, savedTo: 'config', file: configFile })
    const first = readFileSync(configFile, 'utf8')
    expect(first).toBe(`${CONFIG}      - { id: meters/b, name: b, topic: t/new, dataType: number }\n`)
    expect(readFileSync(`${configFile}.bak`, 'utf8')).toBe(CONFIG)
    await p.save({ connection: 'meters', remove: ['meters/a'] })
    expect(readFileSync(`${configFile}.bak`, 'utf8')).toBe(first)
    expect(loadConfig(configFile).connections[0]!.signals.map((s) => s.id)).toEqual(['meters/b'])
    expect(readdirSync(dir).sort()).toEqual(['plant.yaml', 'plant.yaml.bak'])
  })

  it('writes edits of other connections (the demo’s) to the overlay in the data dir, which applies at the next start', async () => {
    const { overlayFile, configFile, p, base } = setup()
    // saves run in call order even when nobody waits in between
    const results = await Promise.all([
      p.save({ connection: 'demo-mqtt', upsert: [sig('demo-mqtt/y', { topic: 'demo/y', path: 'v' })] }),
      p.save({ connection: 'demo-mqtt', remove: ['demo-mqtt/x'] }),
    ])
    expect(results.map((r) => r.persisted && r.savedTo)).toEqual(['overlay', 'overlay'])
    expect(readFileSync(configFile, 'utf8')).toBe(CONFIG)
    expect(readFileSync(overlayFile, 'utf8')).toMatch(/^# Plantdeck: runtime edits/)
    const applied = applyPlantEdits(base, loadPlantEdits(overlayFile))
    expect(applied.problems).toEqual([])
    expect(applied.connections[0]!.signals.map((s) => s.id)).toEqual(['demo-mqtt/y'])
  })

  it('reports a failed write without throwing, logs and counts it, and leaves the file as it was', async () => {
    const { configFile, p, errors, dir } = setup()
    chmodSync(configFile, 0o444)
    const r = await p.save({ connection: 'meters', upsert: [sig('meters/b')] })
    expect(r).toMatchObject({ persisted: false, error: { code: 'config.read_only' } })
    expect(readFileSync(configFile, 'utf8')).toBe(CONFIG)
    expect(p.failures).toBe(1)
    expect(errors[0]).toMatchObject({ code: 'config.read_only', connection: 'meters', failures: 1 })

    // the data dir cannot be created (a file is in the way): the overlay write fails with the system's reason
    writeFileSync(join(dir, 'data'), 'not a folder')
    expect(await p.save({ connection: 'demo-mqtt', upsert: [sig('demo-mqtt/y')] })).toMatchObject({ persisted: false, error: { code: 'config.write_failed', message: expect.stringMatching(/ENOTDIR|EEXIST/) } })
    expect(p.failures).toBe(2)
  })

  it('leaves a config file alone that no longer loads, and refuses an edit whose result would not load', async () => {
    const { configFile, p } = setup()
    writeFileSync(configFile, `${CONFIG}sever: {}\n`)
    expect(await p.save({ connection: 'meters', upsert: [sig('meters/b')] })).toMatchObject({ persisted: false, error: { code: 'config.invalid' } })
    expect(readFileSync(configFile, 'utf8')).toBe(`${CONFIG}sever: {}\n`)
    writeFileSync(configFile, CONFIG)
    // a signal id that another connection in the file has already
    const two = setup(`${CONFIG}  - { id: other, kind: mqtt, name: O, url: "mqtt://h", signals: [{ id: other/z, name: Z, topic: t/z }] }\n`)
    expect(await two.p.save({ connection: 'meters', upsert: [sig('other/z')] })).toMatchObject({ persisted: false, error: { code: 'config.edit_invalid', message: expect.stringContaining('duplicate signal id') } })
  })
})
