import { afterEach, describe, expect, it } from 'vitest'
import { startModelApi } from '../testing/model-api'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const setup = (withModel = true) => startModelApi(cleanups, withModel)
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { code: string }) => e.code)

describe('model.* (the asset model through the API, on a real application database)', () => {
  it('answers model.unavailable on a host without an application database; assets.tree is unchanged', async () => {
    const { api } = await setup(false)
    expect(await codeOf(api.call('model.children', { parent: null }))).toBe('model.unavailable')
    expect((await api.call('assets.tree', {})).root.children.map((c) => c.id)).toEqual(['plc'])
  })

  it('creates, reads, lists, resolves and searches; every change is logged with who and pushed as model.changed', async () => {
    const { api, seen } = await setup()
    const line = await api.call('model.create', { parent: null, name: 'Line 2', kind: 'line' })
    const pump = await api.call('model.create', {
      parent: line.id,
      name: 'Pump P-201',
      kind: 'equipment',
      attributes: [
        { name: 'Flow', dataType: 'number', unit: 'm3/h', binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=P201.Flow' } },
        { name: 'State', dataType: 'number', enumeration: { '0': 'Stopped', '1': 'Running' }, binding: { kind: 'constant', value: 1 } },
      ],
    })
    expect(await api.call('model.get', { id: pump.id })).toEqual(pump)
    expect((await api.call('model.children', { parent: line.id })).items.map((c) => [c.name, c.attributeCount])).toEqual([['Pump P-201', 2]])
    const r = await api.call('model.resolve', { path: 'Line 2/Pump P-201/Flow' })
    expect([r.asset.id, r.attribute?.unit]).toEqual([pump.id, 'm3/h'])
    expect((await api.call('model.resolve', { path: 'Line 2' })).attribute).toBeNull()
    expect(await codeOf(api.call('model.resolve', { path: 'Line 2/Nope' }))).toBe('model.unknown')
    expect((await api.call('model.search', { query: 'flow' })).items.map((s) => s.id)).toEqual([pump.id])
    const log = (await api.call('model.changes', {})).items
    expect(log.map((c) => [c.op, c.who])).toEqual([
      ['create', 'admin'],
      ['create', 'admin'],
    ])
    expect(log[0]!.after[0]!.attributes[0]!.binding).toEqual({ kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=P201.Flow' })
    await api.call('model.update', { id: pump.id, description: 'main feed' })
    expect(seen.map((e) => [e.op, e.ids.includes(pump.id)])).toEqual([
      ['create', false],
      ['create', true],
      ['update', true],
    ])
  })

  it('refuses with stable codes: bad binding, sibling name, unknown id, a move into its own subtree', async () => {
    const { api } = await setup()
    const a = await api.call('model.create', { parent: null, name: 'A', kind: 'area' })
    const b = await api.call('model.create', { parent: a.id, name: 'B', kind: 'line' })
    const bad = (binding: Record<string, unknown>) => api.call('model.create', { parent: a.id, name: 'X', kind: 'unit', attributes: [{ name: 'v', dataType: 'number', binding: binding as never }] })
    expect(await codeOf(bad({ kind: 'opcua', connection: 'elsewhere', nodeId: 'i=1' }))).toBe('model.bad_binding')
    expect(await codeOf(bad({ kind: 'mqtt', connection: 'plc', topic: 't' }))).toBe('model.bad_binding')
    expect(await codeOf(bad({ kind: 'scada' }))).toBe('model.bad_binding')
    expect(await codeOf(api.call('model.update', { id: b.id, attributes: [{ name: 'v', dataType: 'boolean', binding: { kind: 'constant', value: 2 } }] }))).toBe('model.bad_binding')
    expect(await codeOf(api.call('model.create', { parent: a.id, name: 'B', kind: 'line' }))).toBe('model.name_taken')
    expect(await codeOf(api.call('model.get', { id: 'nope' }))).toBe('model.unknown')
    expect(await codeOf(api.call('model.move', { id: a.id, parent: b.id }))).toBe('model.cycle')
    expect(await codeOf(api.call('model.create', { parent: null, name: 'a/b', kind: 'x' }))).toBe('rpc.bad_params')
    // nothing of the refused calls was written
    expect((await api.call('model.changes', {})).items).toHaveLength(2)
    expect((await api.call('model.children', { parent: a.id })).items.map((c) => c.name)).toEqual(['B'])
  })

  it('delete answers first with what it would delete and unlink, and deletes only with confirm; undo brings it back', async () => {
    const { api } = await setup()
    const a = await api.call('model.create', { parent: null, name: 'A', kind: 'area' })
    const b = await api.call('model.create', { parent: a.id, name: 'B', kind: 'line' })
    const view = await api.call('model.create', { parent: null, name: 'All lines', kind: 'view' })
    const x = await api.call('model.create', { parent: view.id, name: 'X', kind: 'unit', references: [b.id] })
    const ask = await api.call('model.delete', { id: a.id })
    expect(ask).toMatchObject({ deleted: false, assetCount: 2, unlinkedCount: 1, change: null })
    expect(ask.assets.map((r) => r.path)).toEqual(['A', 'A/B'])
    expect(ask.unlinked).toEqual([{ id: x.id, path: 'All lines/X' }])
    expect((await api.call('model.get', { id: b.id })).path).toBe('A/B')
    const done = await api.call('model.delete', { id: a.id, confirm: true })
    expect(done.deleted).toBe(true)
    expect(await codeOf(api.call('model.get', { id: b.id }))).toBe('model.unknown')
    expect((await api.call('model.get', { id: x.id })).references).toEqual([])
    const u = await api.call('model.undo', {})
    expect(u.undone).toEqual([done.change])
    expect(await api.call('model.get', { id: b.id })).toEqual(b)
    expect((await api.call('model.get', { id: x.id })).references).toEqual([b.id])
  })

  it('model.export -> model.import through the API: dry run first, then one change, pushed once', async () => {
    const { api, seen } = await setup()
    const a = await api.call('model.create', { parent: null, name: 'A', kind: 'area' })
    await api.call('model.create', { parent: a.id, name: 'B', kind: 'line', attributes: [{ name: 'T', dataType: 'number', unit: 'degC' }] })
    const doc = await api.call('model.export', { root: a.id })
    const copy = await api.call('model.create', { parent: null, name: 'Copy', kind: 'area' })
    const dry = await api.call('model.import', { text: JSON.stringify(doc), mode: 'by-path', under: copy.id, dryRun: true })
    expect(dry.create.map((c) => c.path)).toEqual(['Copy/A', 'Copy/A/B'])
    expect((await api.call('model.children', { parent: copy.id })).items).toEqual([])
    const events = seen.length
    const done = await api.call('model.import', { text: JSON.stringify(doc), mode: 'by-path', under: copy.id })
    expect(done.change).not.toBeNull()
    expect(seen.slice(events).map((e) => [e.op, e.all])).toEqual([['import', true]])
    expect((await api.call('model.resolve', { path: 'Copy/A/B/T' })).attribute?.unit).toBe('degC')
    expect(await codeOf(api.call('model.import', { text: '{', mode: 'by-id' }))).toBe('model.bad_import')
    expect(await codeOf(api.call('model.export', { root: 'nope' }))).toBe('model.unknown')
  })
})
