import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OpcuaPki } from '../../src/adapters/opcua/certificates'
import { createOpcuaTools } from '../../src/adapters/opcua/discovery'
import { OpcuaCollector, type OpcuaCollectorOptions } from '../../src/adapters/opcua/opcua-collector'
import { OpcuaConnectionConfig } from '../../src/core/opcua/opcua-config'
import { createCore, type Core } from '../../src/core/create-core'
import type { CollectorState } from '../../src/core/ports/collector'
import { silentLogger } from '../../src/core/ports/logger'
import { MemorySampleStore } from '../../src/adapters/memory-store/memory-sample-store'
import { contract, events, type Contract, type Events } from '../../src/shared/contract'
import type { Sample } from '../../src/shared/model'
import { createRpcClient, type RpcClient } from '../../src/shared/rpc/client'
import { createRpcServer } from '../../src/shared/rpc/server'
import { createMemoryPair } from '../../src/shared/rpc/transport'
import { loginAdmin, testIdentity } from './login'
import type { AuditTrail } from '../../src/core/ports/audit'

export interface Harness {
  /** The real API over an in-memory transport, results validated against the contract. */
  api: RpcClient<Contract, Events>
  core: Core
  collector: OpcuaCollector
  pki: OpcuaPki
  store: MemorySampleStore
  states: CollectorState[]
  samples: Sample[]
  stop(): Promise<void>
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** One OPC UA connection behind the core and the RPC server, as the desktop and headless hosts wire it. */
/** Core with an in-memory sample store: the in-memory trend ring of a store-less core reserves 320 kB per signal. */
export async function startHarness(config: unknown, pkiDir: string, options: Pick<OpcuaCollectorOptions, 'timing'> & { audit?: AuditTrail } = {}): Promise<Harness> {
  const parsed = OpcuaConnectionConfig.parse(config)
  const store = new MemorySampleStore()
  const pki = new OpcuaPki(pkiDir)
  const { audit, ...collectorOptions } = options
  const collector = new OpcuaCollector({ ...collectorOptions, config: parsed, pki, logger: silentLogger })
  const states: CollectorState[] = []
  const samples: Sample[] = []
  collector.onState((s) => states.push(s))
  collector.onSamples((b) => {
    for (const s of b) samples.push(s)
  })
  const core = createCore({ plant: { connections: [parsed] }, collectors: [collector], info: { version: 'test', host: 'test', demo: false },
    tools: { opcua: createOpcuaTools(pki) },
    store,
    ...(audit ? { audit } : {}),
    identity: testIdentity(),
  })
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, validateResults: true, auth: core.auth })
  const [a, b] = createMemoryPair()
  rpc.connect(a)
  const api = createRpcClient<Contract, Events>(b, { timeoutMs: 60_000 })
  await loginAdmin(api)
  await core.start()
  return {
    api,
    core,
    collector,
    pki,
    store,
    states,
    samples,
    async stop() {
      api.close()
      await core.stop()
    },
  }
}

export async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
