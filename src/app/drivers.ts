import { CalcCollector, type LiveSource } from '../adapters/calc/calc-collector'
import { MqttCollector } from '../adapters/mqtt/mqtt-collector'
import { CALC } from '../core/calc/calc-config'
import { OpcuaCollector } from '../adapters/opcua/opcua-collector'
import type { ConnectionConfig } from '../core/config/schema'
import { MQTT } from '../core/mqtt/mqtt-port'
import { OPCUA } from '../core/opcua/opcua-port'
import type { Collector } from '../core/ports/collector'
import type { Logger } from '../core/ports/logger'
import { installationId } from './installation-id'
import { createOpcuaToolsFor, opcuaPki } from './opcua-pki'

/** What a collector factory may use: the data folder (certificates, session state), the logger, this installation's id. */
export interface HostContext {
  dataDir: string
  logger: Logger
  /** Stable per data folder (see installation-id.ts); MQTT client ids without a configured one derive from it. */
  installationId(): string
  /** Every signal's live values (the core's), for calculated signals. */
  live: LiveSource
}

type Factory<K extends ConnectionConfig['kind']> = (config: Extract<ConnectionConfig, { kind: K }>, ctx: HostContext) => Collector

/** Each protocol's adapter, by connection kind: the one place in the hosts that names them (one line per protocol). */
const factories: { [K in ConnectionConfig['kind']]: Factory<K> } = {
  [OPCUA]: (config, ctx) => new OpcuaCollector({ config, pki: opcuaPki(ctx.dataDir), logger: ctx.logger }),
  [MQTT]: (config, ctx) => new MqttCollector({ config, logger: ctx.logger, installationId: ctx.installationId() }),
  [CALC]: (config, ctx) => new CalcCollector({ config, live: ctx.live, logger: ctx.logger }),
}

/** Host-made tools the drivers' API needs beyond a connection, by kind (see CoreDeps.tools). */
export function driverTools(dataDir: string): Record<string, unknown> {
  return { [OPCUA]: createOpcuaToolsFor(dataDir) }
}

/** One adapter per configured connection. */
/**
 * The core's live values for collectors made before the core is (calculated signals): attach the core's once it
 * exists; subscriptions made before that are passed on then.
 */
export function lateLiveSource(): { source: LiveSource; attach(live: LiveSource): void } {
  let target: LiveSource | undefined
  const waiting: { cb: (b: Parameters<Parameters<LiveSource['onSamples']>[0]>[0]) => void; off?: () => void }[] = []
  return {
    source: {
      get: (signal) => target?.get(signal),
      onSamples(cb) {
        const entry: (typeof waiting)[number] = { cb }
        if (target) entry.off = target.onSamples(cb)
        else waiting.push(entry)
        return () => entry.off?.()
      },
    },
    attach(live) {
      target = live
      for (const w of waiting.splice(0)) w.off = live.onSamples(w.cb)
    },
  }
}

export function createCollectors(connections: ConnectionConfig[], dataDir: string, logger: Logger, live: LiveSource = lateLiveSource().source): Collector[] {
  let installation: string | undefined
  const ctx: HostContext = {
    dataDir,
    logger,
    live,
    installationId: () => {
      if (installation) return installation
      const r = installationId(dataDir)
      if (r.created) logger.info({ installationId: r.id, dataDir }, 'installation id created (MQTT client ids derive from it)')
      return (installation = r.id)
    },
  }
  return connections.map((c) => (factories[c.kind] as Factory<typeof c.kind>)(c as never, ctx))
}
