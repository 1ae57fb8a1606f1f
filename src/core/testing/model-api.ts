import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openAppDb } from '../../adapters/app-db/sqlite-asset-store'
import { contract, events, type Contract, type EventPayload, type Events } from '../../shared/contract'
import { createRpcClient, type RpcClient } from '../../shared/rpc/client'
import { createRpcServer } from '../../shared/rpc/server'
import { createMemoryPair } from '../../shared/rpc/transport'
import type { PlantConfig } from '../config/schema'
import { createCore } from '../create-core'
import { loginAdmin, testIdentity } from '../../../test/helpers/login'

/** A PLC connection for bindings to name. */
export const MODEL_TEST_PLANT: PlantConfig = {
  connections: [{ id: 'plc', kind: 'opcua', name: 'PLC', endpoint: 'opc.tcp://localhost:4840', samplingIntervalMs: 500, signals: [] }],
}

/**
 * The core behind the real RPC server (results validated against the contract) over a real app.db in a temp dir
 * (`withModel: false`: a host without one); `cleanups` gets what to undo, in order. `seen`: the `model.changed` events.
 */
export async function startModelApi(cleanups: (() => Promise<void> | void)[], withModel = true): Promise<{ api: RpcClient<Contract, Events>; seen: EventPayload<'model.changed'>[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'plantdeck-model-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const assets = withModel ? openAppDb({ path: join(dir, 'app.db') }) : undefined
  if (assets) cleanups.push(() => assets.close())
  const core = createCore({ plant: MODEL_TEST_PLANT, collectors: [], ...(assets ? { assets } : {}), identity: testIdentity(), info: { version: '1', host: 'test', demo: false } })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
  core.onBroadcast((e, p) => rpc.broadcast(e, p as never))
  const [a, b] = createMemoryPair()
  rpc.connect(b)
  const api = createRpcClient<Contract, Events>(a, { timeoutMs: 5000 })
  await loginAdmin(api)
  await core.start()
  cleanups.push(() => core.stop())
  const seen: EventPayload<'model.changed'>[] = []
  api.on('model.changed', (e) => seen.push(e))
  return { api, seen }
}
