import type { PlantConfig } from '../../src/core/config/schema'
import { createCore, type Core } from '../../src/core/create-core'
import type { Collector } from '../../src/core/ports/collector'
import type { SampleStore } from '../../src/core/ports/sample-store'
import { contract, events, type Contract, type Events } from '../../src/shared/contract'
import { createRpcClient, type RpcClient } from '../../src/shared/rpc/client'
import { createRpcServer } from '../../src/shared/rpc/server'
import { createMemoryPair } from '../../src/shared/rpc/transport'
import { until } from './mqtt-harness'
import { loginAdmin, testIdentity } from './login'

/**
 * A core over real collectors and a real store, behind the real RPC server (results validated against the contract:
 * every answer has the documented shape), and an API client on an in-memory transport. Started, and once the
 * first connection is connected, returned.
 */
export async function startCoreApi(plant: PlantConfig, collectors: Collector[], store: SampleStore): Promise<{ core: Core; api: RpcClient<Contract, Events> }> {
  const core = createCore({ plant, collectors, store, identity: testIdentity(), info: { version: '1', host: 'test', demo: false } })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
  const [a, b] = createMemoryPair()
  rpc.connect(b)
  const api = createRpcClient<Contract, Events>(a, { timeoutMs: 10_000 })
  await loginAdmin(api)
  await core.start()
  await until(async () => (await api.call('connections.list', {}))[0]?.health === 'connected')
  return { core, api }
}
