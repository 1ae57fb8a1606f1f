import { join } from 'node:path'
import { OpcuaPki } from '../adapters/opcua/certificates'
import { createOpcuaTools } from '../adapters/opcua/discovery'
import { OpcuaCollector } from '../adapters/opcua/opcua-collector'
import { MqttCollector } from '../adapters/mqtt/mqtt-collector'
import type { ConnectionConfig } from '../core/config/schema'
import type { Collector } from '../core/ports/collector'
import type { Logger } from '../core/ports/logger'
import type { OpcuaTools } from '../core/opcua/opcua-port'
import { installationId } from './installation-id'

const pkis = new Map<string, OpcuaPki>()

/** One PKI per data folder: two managers over the same folders would disagree about what is trusted. */
function opcuaPki(dataDir: string): OpcuaPki {
  const dir = join(dataDir, 'pki', 'client')
  let pki = pkis.get(dir)
  if (!pki) pkis.set(dir, (pki = new OpcuaPki(dir)))
  return pki
}

/** Endpoint discovery and certificate trust for the API (`deps.opcua` of the core), over the same PKI as the collectors. */
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

/** One adapter per configured connection. MQTT client ids without a configured one derive from the installation id. */
export function createCollectors(connections: ConnectionConfig[], dataDir: string, logger: Logger): Collector[] {
  let installation: string | undefined
  const mqttInstallation = () => {
    if (installation) return installation
    const r = installationId(dataDir)
    if (r.created) logger.info({ installationId: r.id, dataDir }, 'installation id created (MQTT client ids derive from it)')
    return (installation = r.id)
  }
  return connections.map((c) =>
    c.kind === 'opcua'
      ? new OpcuaCollector({ config: c, pki: opcuaPki(dataDir), logger })
      : new MqttCollector({ config: c, logger, installationId: mqttInstallation() }),
  )
}
