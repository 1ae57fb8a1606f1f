import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type WebSocket from 'ws'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { loadPlantEdits } from '../../src/adapters/config/plant-persistence'
import type { Contract, Events } from '../../src/shared/contract'
import type { AssetNode } from '../../src/shared/model'
import type { RpcClient } from '../../src/shared/rpc/client'
import { startHeadless, type Headless } from '../helpers/headless'
import { until } from '../helpers/mqtt-harness'
import { openLoggedIn } from '../helpers/login'

/**
 * `opcua.add` / `opcua.remove` on the simulated plant's OPC UA connection: it is not in any config file, so the edits
 * go to `<dataDir>/plant-edits.yaml`, and the headless server applies them when it starts again on the same data dir.
 */
const dir = mkdtempSync(join(tmpdir(), 'plantdeck-opcua-persist-'))
const overlay = join(dir, 'plant-edits.yaml')
const CURRENT_TIME = 'demo-opcua/ServerStatus.CurrentTime'
let server: Headless | undefined
let ws: WebSocket | undefined

async function start(): Promise<RpcClient<Contract, Events>> {
  server = await startHeadless({}, { dataDir: dir, keepDataDir: true })
  const c = await openLoggedIn(server.url)
  ws = c.ws
  await until(async () => (await c.client.call('connections.list', {})).find((s) => s.id === 'demo-opcua')?.health === 'connected', 30_000, 'demo-opcua connected')
  return c.client
}
async function stop() {
  ws?.close()
  await server?.stop()
  server = undefined
}
const inTree = (n: AssetNode, id: string): boolean => n.signals.some((a) => a.signal === id) || n.children.some((c) => inTree(c, id))

afterEach(stop)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('OPC UA signals added and removed at runtime survive a restart (demo plant, overlay in the data dir)', () => {
  let removedId = ''

  it('adds a subtree and removes a demo signal; both are written to the overlay', async () => {
    const api = await start()
    // the server's own status: variables the demo configuration does not have
    const r = await api.call('opcua.add', { connection: 'demo-opcua', root: 'i=2256' })
    expect(r).toMatchObject({ persisted: true, savedTo: 'overlay', failed: [] })
    expect(r.added.map((s) => s.id)).toContain(CURRENT_TIME)
    const before = await api.call('assets.tree', {})
    removedId = before.signals.find((s) => s.connection === 'demo-opcua' && s.id !== CURRENT_TIME && !s.id.startsWith('demo-opcua/ServerStatus'))!.id
    expect(await api.call('opcua.remove', { connection: 'demo-opcua', signals: [removedId] })).toEqual({ removed: [removedId], unknown: [], persisted: true, savedTo: 'overlay' })
    expect((await api.call('opcua.failures', { connection: 'demo-opcua' })).monitored).toBe(before.signals.filter((s) => s.connection === 'demo-opcua').length - 1)

    expect(existsSync(overlay)).toBe(true)
    const edits = loadPlantEdits(overlay).connections['demo-opcua']!
    expect(edits.signals.map((s) => s.id)).toEqual(r.added.map((s) => s.id))
    expect(edits.signals.find((s) => s.id === CURRENT_TIME)).toMatchObject({ nodeId: expect.stringMatching(/^(ns=0;)?i=2258$/) })
    expect(edits.removed).toEqual([removedId])
    expect(readFileSync(overlay, 'utf8')).toMatch(/^# Plantdeck: runtime edits/)
  })

  it('after the restart the added signals are in the catalog and the tree and deliver values; the removed one is gone', async () => {
    const restartedAt = Date.now()
    const api = await start()
    const tree = await api.call('assets.tree', {})
    expect(tree.signals.map((s) => s.id)).toContain(CURRENT_TIME)
    expect(tree.signals.map((s) => s.id)).not.toContain(removedId)
    expect(inTree(tree.root, removedId)).toBe(false)
    expect(tree.root.children.find((n) => n.id === 'demo-opcua:added')?.signals).toContainEqual({ attribute: 'ServerStatus.CurrentTime', signal: CURRENT_TIME })
    await until(async () => {
      const [v] = await api.call('signals.current', { signals: [CURRENT_TIME] })
      return v?.quality === 'good' && v.ts >= restartedAt
    }, 20_000, 'a fresh value of an added signal')
    // adding the same subtree again finds nothing new
    const again = await api.call('opcua.add', { connection: 'demo-opcua', root: 'i=2256' })
    expect(again.added).toEqual([])
    expect(server!.output()).not.toMatch(/runtime edit not applied/)
  })
})
