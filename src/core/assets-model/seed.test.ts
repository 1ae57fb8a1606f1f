import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../adapters/app-db/sqlite-asset-store'
import { PlantConfig } from '../config/schema'
import { seedModel } from './seed'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-seed-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const plant = PlantConfig.parse({
  connections: [
    { id: 'plc', kind: 'opcua', name: 'PLC', endpoint: 'opc.tcp://h:4840', signals: [
      { id: 'plc/P1.Speed', name: 'P1 speed', unit: '%', range: [0, 100], nodeId: 'ns=2;s=L1.P1.Speed', writable: true },
      { id: 'plc/P2.Speed', name: 'P2 speed', unit: '%', range: [0, 100], nodeId: 'ns=2;s=L1.P2.Speed' },
    ] },
    { id: 'm', kind: 'mqtt', name: 'Meters', url: 'mqtt://h', signals: [{ id: 'm/EM1.p', name: 'Power', unit: 'kW', topic: 'site/EM1', path: 'power.total' }] },
  ],
  assets: { id: 'plant', name: 'Plant', kind: 'site', signals: [], children: [
    { id: 'l1', name: 'Line1', kind: 'line', signals: [], children: [
      { id: 'p1', name: 'P1', kind: 'pump', signals: [{ attribute: 'Speed', signal: 'plc/P1.Speed' }], children: [] },
      { id: 'p2', name: 'P2', kind: 'pump', signals: [{ attribute: 'Speed', signal: 'plc/P2.Speed' }], children: [] },
      { id: 'em1', name: 'EM1 meter / feeder', kind: 'meter', signals: [{ attribute: 'Power', signal: 'm/EM1.p' }], children: [] },
    ] },
  ] },
})

describe('seeding the asset model from a configured tree', () => {
  it('makes assets by kind, attributes bound to the signals’ sources, a template per equipment kind; once only', () => {
    const store = openAppDb({ path: join(dir, 'a.db') })
    expect(seedModel(store, plant, 'test')).toBe(5)
    const p1 = store.byPath('Plant/Line1/P1')!
    expect(p1).toMatchObject({ kind: 'pump', templateId: 'seed.pump' })
    expect(p1.attributes).toEqual([{ name: 'Speed', dataType: 'number', unit: '%', range: { min: 0, max: 100 }, writable: true, binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=L1.P1.Speed' } }])
    expect(store.byPath('Plant/Line1/EM1 meter ∕ feeder')?.attributes[0]?.binding).toEqual({ kind: 'mqtt', connection: 'm', topic: 'site/EM1', path: 'power.total' })
    expect(store.templates().map((t) => [t.id, t.instanceCount])).toEqual([['seed.meter', 1], ['seed.pump', 2]])
    expect(store.template('seed.pump')?.attributes[0]).not.toHaveProperty('binding')
    expect(store.changes({ limit: 5 })).toHaveLength(1)
    // a model that holds anything is the database's: a second start seeds nothing
    expect(seedModel(store, plant, 'test')).toBe(0)
    store.close()
  })
})
