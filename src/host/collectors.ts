import { join } from 'node:path'
import { OpcuaCollector } from '../adapters/opcua/opcua-collector'
import { MqttCollector } from '../adapters/mqtt/mqtt-collector'
import type { ConnectionConfig } from '../core/config/schema'
import type { Collector } from '../core/ports/collector'
import type { Logger } from '../core/ports/logger'

/** One adapter per configured connection. */
export function createCollectors(connections: ConnectionConfig[], dataDir: string, logger: Logger): Collector[] {
  return connections.map((c) =>
    c.kind === 'opcua'
      ? new OpcuaCollector({ config: c, pkiDir: join(dataDir, 'pki', 'client'), logger })
      : new MqttCollector({ config: c, logger }),
  )
}
