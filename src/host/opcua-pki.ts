import { join } from 'node:path'
import { OpcuaPki } from '../adapters/opcua/certificates'
import { createOpcuaTools } from '../adapters/opcua/discovery'
import type { OpcuaTools } from '../core/opcua/opcua-port'

const pkis = new Map<string, OpcuaPki>()

/** One PKI per data folder: two managers over the same folders would disagree about what is trusted. */
export function opcuaPki(dataDir: string): OpcuaPki {
  const dir = join(dataDir, 'pki', 'client')
  let pki = pkis.get(dir)
  if (!pki) pkis.set(dir, (pki = new OpcuaPki(dir)))
  return pki
}

/** Endpoint discovery and certificate trust for the API (the core's `tools.opcua`), over the same PKI as the collectors. */
export function createOpcuaToolsFor(dataDir: string): OpcuaTools {
  return createOpcuaTools(opcuaPki(dataDir))
}

/**
 * Trust the simulated plant's own server certificate. Not an auto-accept: this process created that
 * server a moment ago, and only that certificate (by content) is added to the trusted list.
 */
export async function trustOwnDemoServer(dataDir: string, certificateDer: Buffer): Promise<void> {
  const pki = opcuaPki(dataDir)
  await pki.initialize()
  await pki.manager.trustCertificate(certificateDer)
}
