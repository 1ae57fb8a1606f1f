import { afterEach, describe, expect, it } from 'vitest'
import { contract, events, type Contract, type Events } from '../shared/contract'
import type { MqttMapping } from '../shared/contract/mqtt'
import { AppError } from '../shared/model'
import { createRpcClient } from '../shared/rpc/client'
import { createRpcServer } from '../shared/rpc/server'
import { createMemoryPair } from '../shared/rpc/transport'
import type { PlantEdit } from './config/plant-edits'
import { PlantConfig } from './config/schema'
import { type OpcuaSignalConfig } from './opcua/opcua-config'
import { createCore, type Core } from './create-core'
import type { MqttAccess } from './mqtt/mqtt-port'
import type { OpcuaAccess } from './opcua/opcua-port'
import type { PlantPersistence, SaveResult } from './ports/plant-persistence'
import { FakeCollector } from './testing/fake-collector'
import type { AssetStore } from './ports/asset-store'
import { openAppDb } from '../adapters/app-db/sqlite-asset-store'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loginAdmin, testIdentity } from '../../test/helpers/login'

const plant = PlantConfig.parse({
  connections: [
    { id: 'm', kind: 'mqtt', name: 'M', url: 'mqtt://h', signals: [{ id: 'm/a', name: 'A', topic: 't/a', path: 'v' }] },
    { id: 'ua', kind: 'opcua', name: 'UA', endpoint: 'opc.tcp://h:4840' },
  ],
})

/** Just enough of an MQTT connection: a mapping table. */
function fakeMqtt(initial: MqttMapping[]): MqttAccess {
  const table = new Map(initial.map((m) => [m.id, m]))
  const no = () => {
    throw new Error('not used')
  }
  return {
    kind: 'mqtt', topics: no, payload: no, metrics: no, rejections: no, publish: no, request: no,
    mappings: () => [...table.values()],
    completeMapping: (i) => ({ ...i, id: i.id ?? `m/${i.topic}`, name: i.name ?? i.topic, dataType: i.dataType ?? 'number' }),
    addMapping: (m) => {
      if (table.has(m.id)) throw new AppError('mqtt.duplicate_signal', 'mapped already')
      table.set(m.id, m)
    },
    updatedMapping: (id, changes) => {
      const cur = table.get(id)
      if (!cur) throw new AppError('mqtt.unknown_signal', 'not mapped')
      const next: Record<string, unknown> = { ...cur }
      for (const [k, v] of Object.entries(changes)) if (v === null) delete next[k]
      else if (v !== undefined) next[k] = v
      return next as MqttMapping
    },
    replaceMapping: (m) => void table.set(m.id, m),
    removeMapping: (id) => table.delete(id),
  }
}

const variable: OpcuaSignalConfig = { id: 'ua/Tests.Counter', name: 'Counter', nodeId: 'ns=1;s=Tests.Counter', dataType: 'number', writable: false }
function fakeOpcua(): OpcuaAccess {
  const live = new Set<string>()
  const no = () => {
    throw new Error('not used')
  }
  return {
    kind: 'opcua', browse: no, attributes: no, search: no, write: no, read: no, call: no, failures: no,
    signals: () => [...live].map((id) => ({ signal: id, nodeId: variable.nodeId })),
    variablesUnder: async () => ({ signals: [variable], truncated: false }),
    addSignals: async (s) => (s.forEach((x) => live.add(x.id)), []),
    removeSignals: async (ids) => ({ removed: ids.filter((id) => live.delete(id)), unknown: ids.filter((id) => !live.has(id) && id !== variable.id) }),
  }
}

class RecordingPersistence implements PlantPersistence {
  readonly edits: PlantEdit[] = []
  fail = false
  async save(edit: PlantEdit): Promise<SaveResult> {
    this.edits.push(edit)
    return this.fail ? { persisted: false, error: { code: 'config.write_failed', message: 'ENOSPC: no space left on device' } } : { persisted: true, savedTo: 'config', file: '/etc/plant.yaml' }
  }
}

let core: Core | undefined
afterEach(async () => {
  await core?.stop()
  core = undefined
})

async function setup(persistence?: PlantPersistence, assets?: AssetStore) {
  const m = Object.assign(new FakeCollector('m'), { engineering: fakeMqtt([{ id: 'm/a', name: 'A', dataType: 'number', topic: 't/a', path: 'v' }]) })
  const ua = Object.assign(new FakeCollector('ua'), { engineering: fakeOpcua() })
  core = createCore({ plant, collectors: [m, ua], info: { version: '1', host: 'test', demo: false }, identity: testIdentity(), ...(persistence ? { persistence } : {}), ...(assets ? { assets } : {}) })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
  const [a, b] = createMemoryPair()
  rpc.connect(b)
  const api = createRpcClient<Contract, Events>(a, { timeoutMs: 2000 })
  await loginAdmin(api)
  return api
}

describe('runtime edits through the API', () => {
  it('saves added, changed and removed mappings through the port, and says where they went', async () => {
    const p = new RecordingPersistence()
    const api = await setup(p)
    const added = await api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/b', topic: 't/b', unit: 'kW' } })
    expect(added).toMatchObject({ persisted: true, savedTo: 'config', mapping: { id: 'm/b' } })
    const updated = await api.call('mqtt.mappings.update', { connection: 'm', signal: 'm/a', changes: { name: 'Power', unit: 'kW', path: null } })
    expect(updated.mapping).toEqual({ id: 'm/a', name: 'Power', dataType: 'number', topic: 't/a', unit: 'kW' })
    const tree = await api.call('assets.tree', {})
    expect(tree.signals.find((s) => s.id === 'm/a')).toMatchObject({ name: 'Power', unit: 'kW' })
    expect(tree.root.children.find((n) => n.id === 'm')!.signals).toEqual([{ attribute: 'Power', signal: 'm/a' }])
    expect(await api.call('mqtt.mappings.remove', { connection: 'm', signal: 'm/b' })).toEqual({ removed: true, persisted: true, savedTo: 'config' })
    expect(p.edits).toEqual([
      { connection: 'm', upsert: [expect.objectContaining({ id: 'm/b', unit: 'kW', writable: false })] },
      { connection: 'm', upsert: [{ id: 'm/a', name: 'Power', dataType: 'number', topic: 't/a', unit: 'kW', writable: false }] },
      { connection: 'm', remove: ['m/b'] },
    ])
    // a mapping removed at runtime may come back under its id; it is shown once
    await api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/b', topic: 't/b' } })
    const again = await api.call('assets.tree', {})
    expect(again.root.children.find((n) => n.id === 'm:mqtt-mappings')!.signals).toEqual([{ attribute: 't/b', signal: 'm/b' }])
    await expect(api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/b', topic: 't/c' } })).rejects.toMatchObject({ code: 'mqtt.duplicate_signal' })
    await expect(api.call('mqtt.mappings.update', { connection: 'm', signal: 'm/zz', changes: { name: 'x' } })).rejects.toMatchObject({ code: 'mqtt.unknown_signal' })
    await expect(api.call('mqtt.mappings.update', { connection: 'm', signal: 'm/a', changes: {} })).rejects.toMatchObject({ code: 'rpc.bad_params' })
  })

  it('keeps the running change when the save fails, and reports why', async () => {
    const p = new RecordingPersistence()
    p.fail = true
    const api = await setup(p)
    const r = await api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/b', topic: 't/b' } })
    expect(r).toMatchObject({ persisted: false, persistError: { code: 'config.write_failed', message: 'ENOSPC: no space left on device' } })
    expect((await api.call('mqtt.mappings.list', { connection: 'm' })).mappings.map((m) => m.id)).toEqual(['m/a', 'm/b'])
  })

  it('answers persisted: false (config.unavailable) in a host without persistence', async () => {
    const api = await setup()
    expect(await api.call('mqtt.mappings.remove', { connection: 'm', signal: 'm/a' })).toMatchObject({ removed: true, persisted: false, persistError: { code: 'config.unavailable' } })
  })

  it('saves OPC UA signals added and removed; a removed one can be added again', async () => {
    const p = new RecordingPersistence()
    const api = await setup(p)
    expect(await api.call('opcua.add', { connection: 'ua', root: 'ns=1;s=Tests' })).toMatchObject({ added: [{ id: variable.id }], persisted: true })
    expect(await api.call('opcua.remove', { connection: 'ua', signals: [variable.id, 'ua/nope'] })).toEqual({ removed: [variable.id], unknown: ['ua/nope'], persisted: true, savedTo: 'config' })
    expect((await api.call('opcua.add', { connection: 'ua', root: 'ns=1;s=Tests' })).added.map((s) => s.id)).toEqual([variable.id])
    expect((await api.call('opcua.add', { connection: 'ua', root: 'ns=1;s=Tests' })).skipped).toBe(1)
    expect(p.edits).toEqual([
      { connection: 'ua', upsert: [variable] },
      { connection: 'ua', remove: [variable.id] },
      { connection: 'ua', upsert: [variable] },
      { connection: 'ua', upsert: [] },
    ])
    const folder = (await api.call('assets.tree', {})).root.children.filter((n) => n.id === 'ua:ns=1;s=Tests')
    expect(folder).toHaveLength(1)
    expect(folder[0]!.signals).toEqual([{ attribute: 'Tests.Counter', signal: variable.id }])
  })
})

describe('runtime additions reach the asset model', () => {
  it('an MQTT mapping and an OPC UA subtree become bound attributes of a folder asset per connection, with ids that survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plantdeck-runtime-assets-'))
    try {
      let assets = openAppDb({ path: join(dir, 'app.db') })
      let api = await setup(undefined, assets)
      await core!.start()
      await api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/b', topic: 't/b', path: 'p.kw', unit: 'kW' } })
      await api.call('opcua.add', { connection: 'ua', root: 'ns=1;s=Tests' })
      const mapped = await api.call('model.resolve', { path: 'm (mapped)' })
      expect(mapped.asset.attributes).toEqual([{ name: 'b', dataType: 'number', unit: 'kW', binding: { kind: 'mqtt', connection: 'm', topic: 't/b', path: 'p.kw' } }])
      const added = await api.call('model.resolve', { path: 'ua (added)/Tests.Counter' })
      expect(added.attribute).toEqual({ name: 'Tests.Counter', dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Counter' } })
      // a changed mapping rebinds the same attribute; the change log says who
      await api.call('mqtt.mappings.update', { connection: 'm', signal: 'm/b', changes: { path: 'p.w', unit: 'W' } })
      expect((await api.call('model.resolve', { path: 'm (mapped)/b' })).attribute).toMatchObject({ unit: 'W', binding: { topic: 't/b', path: 'p.w' } })
      expect((await api.call('model.changes', {})).items[0]?.who).toBe('admin')
      const ids = [mapped.asset.id, added.asset.id]
      await core!.stop()
      assets.close()

      assets = openAppDb({ path: join(dir, 'app.db') })
      api = await setup(undefined, assets)
      expect((await api.call('model.get', { id: ids[0]! })).name).toBe('m (mapped)')
      expect((await api.call('model.get', { id: ids[1]! })).name).toBe('ua (added)')
      // after the restart the same folder asset gains and loses attributes (no second folder)
      await api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/c', topic: 't/c' } })
      expect((await api.call('model.get', { id: ids[0]! })).attributes.map((a) => a.name)).toEqual(['b', 'c'])
      await api.call('mqtt.mappings.remove', { connection: 'm', signal: 'm/c' })
      expect((await api.call('model.get', { id: ids[0]! })).attributes.map((a) => a.name)).toEqual(['b'])
      expect((await api.call('model.children', { parent: null })).items.filter((a) => a.name === 'm (mapped)')).toHaveLength(1)
      assets.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
