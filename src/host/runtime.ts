import { join } from 'node:path'
import { demoEnabled, type AppConfig } from '../core/config/app-config'
import type { PlantConfig } from '../core/config/schema'
import { createCore, type Core } from '../core/create-core'
import type { Logger } from '../core/ports/logger'
import { startDemoPlant, type DemoPlant } from '../demo/start-demo'
import { contract, events } from '../shared/contract'
import { createRpcServer, type RpcServer } from '../shared/rpc/server'
import { createCollectors, createOpcuaToolsFor, trustOwnDemoServer } from './collectors'
import { mkdirSync } from 'node:fs'
import { openSqliteSampleStore } from '../adapters/sqlite/create-sqlite-sample-store'
import type { SampleStore } from '../core/ports/sample-store'

export interface Runtime {
  core: Core
  rpc: RpcServer<typeof events>
  demo: DemoPlant | undefined
  stop(): Promise<void>
}

export interface RuntimeOptions {
  config: AppConfig
  dataDir: string
  logger: Logger
  host: 'desktop' | 'headless' | 'test'
  version: string
  /** Results validated against the contract (tests). */
  validateResults?: boolean
  /** Worker entry of the store for bundled builds (Electron); default: the TypeScript source through tsx. */
  storeWorker?: URL
}

/**
 * The composition shared by the desktop and headless hosts: the simulated plant when enabled,
 * one collector per connection, the core, and the RPC server in front of it. Transports are the host's.
 */
export async function startRuntime(o: RuntimeOptions): Promise<Runtime> {
  const log = o.logger
  let demo: DemoPlant | undefined
  let plant: PlantConfig = { connections: o.config.connections, ...(o.config.assets ? { assets: o.config.assets } : {}) }
  if (demoEnabled(o.config)) {
    demo = await startDemoPlant({
      opcuaPort: o.config.demo.opcuaPort,
      mqttPort: o.config.demo.mqttPort,
      pkiDir: join(o.dataDir, 'pki', 'demo-server'),
      logger: log.child({ part: 'demo' }),
    })
    log.info({ opcua: demo.opcuaEndpoint, mqtt: demo.mqttUrl }, 'simulated plant running')
    await trustOwnDemoServer(o.dataDir, demo.opcuaCertificate)
    plant = {
      connections: [...demo.config.connections, ...o.config.connections],
      ...((o.config.assets ?? demo.config.assets) ? { assets: o.config.assets ?? demo.config.assets! } : {}),
    }
  }
  const collectors = createCollectors(plant.connections, o.dataDir, log)
  mkdirSync(join(o.dataDir, 'store'), { recursive: true })
  const store: SampleStore = await openSqliteSampleStore({
    path: join(o.dataDir, 'store', 'samples.db'),
    ...(o.storeWorker ? { workerEntry: o.storeWorker } : {}),
  })
  store.onEvent((e) => (e.type === 'error' ? log.error({ store: e }, 'store background work failed') : log.warn({ store: e }, 'store dropped data to stay within its disk budget')))
  const core = createCore({ plant, collectors, store, opcua: createOpcuaToolsFor(o.dataDir), logger: log, info: { version: o.version, host: o.host, demo: demo !== undefined } })
  const rpc = createRpcServer({
    contract,
    events,
    handlers: core.handlers,
    validateResults: o.validateResults ?? false,
    onReject: (code, session, detail) => log.warn({ code, session, detail: detail.slice(0, 200) }, 'rpc message rejected'),
  })
  core.onBroadcast((event, payload) => rpc.broadcast(event, payload as never)) // same contract on both sides
  await core.start()
  return {
    core,
    rpc,
    demo,
    async stop() {
      await core.stop()
      await store.close()
      await demo?.stop()
    },
  }
}
