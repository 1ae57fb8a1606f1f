import os from 'node:os'
import path from 'node:path'
import type { PlantConfig } from '../core/config/schema'
import type { Logger } from '../core/ports/logger'
import { buildDemoConfig } from './demo-config'
import { startMqttDevices } from './mqtt-devices'
import { startOpcuaPlantServer } from './opcua-plant-server'
import { PlantRuntime } from './plant-runtime'
import { withPortFallback } from './network'

export type DemoLogger = Pick<Logger, 'info' | 'warn' | 'error'>

export interface DemoPlantOptions {
  /** Interface both servers listen on. Default 127.0.0.1: the demo is for this machine. */
  host?: string
  /** Default 4840. Taken or refused: the server starts on a free port instead. 0: any free port. */
  opcuaPort?: number
  /** Default 1883, same fallback as `opcuaPort`. */
  mqttPort?: number
  /** Simulation step period in ms. Default 250. */
  tickMs?: number
  /** MQTT telemetry period in ms. Default 1000. */
  publishIntervalMs?: number
  /** Folder for the OPC UA certificate stores. Default `<os.tmpdir()>/plantdeck-demo-pki`. */
  pkiDir?: string
  /** Default: the console. */
  logger?: DemoLogger
}

export interface DemoPlant {
  /** As a client connects to it, with the port actually bound. */
  opcuaEndpoint: string
  mqttUrl: string
  /** The OPC UA server's certificate (DER), for the host to trust deliberately: it started this server itself. */
  opcuaCertificate: Buffer
  /** Connections and asset tree for the running demo; valid against the `PlantConfig` schema. */
  config: PlantConfig
  /** Stops the simulation and both servers; leaves no timer or socket behind. Idempotent. */
  stop(): Promise<void>
}

const consoleLogger: DemoLogger = {
  info: (msg) => console.info('[demo]', msg),
  warn: (msg) => console.warn('[demo]', msg),
  error: (msg) => console.error('[demo]', msg),
}

/**
 * Starts the simulated plant: the simulation, an OPC UA server for the process lines and an
 * MQTT broker with the field devices. A busy port never fails the start: the server falls back
 * to a free port, logs it, and `config` carries the port actually bound. Rejects only when a
 * server cannot start at all, after stopping whatever did start.
 */
export async function startDemoPlant(options: DemoPlantOptions = {}): Promise<DemoPlant> {
  const started = performance.now()
  const host = options.host ?? '127.0.0.1'
  const log = options.logger ?? consoleLogger
  const runtime = new PlantRuntime({ tickMs: options.tickMs ?? 250 })
  runtime.start()

  const fallback = (what: string, port: number) => (error: Error) =>
    log.warn(`${what} port ${port} is unavailable (${(error as NodeJS.ErrnoException).code ?? error.message}); using a free port instead`)
  const opcuaPort = options.opcuaPort ?? 4840
  const mqttPort = options.mqttPort ?? 1883
  const [opcua, mqtt] = await Promise.allSettled([
    withPortFallback(
      host,
      opcuaPort,
      (port) => startOpcuaPlantServer({ runtime, host, port, pkiDir: options.pkiDir ?? path.join(os.tmpdir(), 'plantdeck-demo-pki') }),
      fallback('OPC UA', opcuaPort),
    ),
    withPortFallback(host, mqttPort, (port) => startMqttDevices({ runtime, host, port, publishIntervalMs: options.publishIntervalMs }), fallback('MQTT', mqttPort)),
  ])
  if (opcua.status === 'rejected' || mqtt.status === 'rejected') {
    runtime.stop()
    await Promise.all([opcua, mqtt].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)))
    const reason: unknown = opcua.status === 'rejected' ? opcua.reason : (mqtt as PromiseRejectedResult).reason
    log.error(`demo plant failed to start: ${reason instanceof Error ? reason.message : String(reason)}`)
    throw reason
  }
  const ua = opcua.value
  const broker = mqtt.value
  log.info(`demo plant up in ${Math.round(performance.now() - started)} ms: OPC UA ${ua.endpointUrl}, MQTT ${broker.url}`)
  let stopping: Promise<void> | undefined
  return {
    opcuaEndpoint: ua.endpointUrl,
    mqttUrl: broker.url,
    opcuaCertificate: ua.certificate,
    config: buildDemoConfig({ model: runtime.model, opcuaEndpoint: ua.endpointUrl, namespaceIndex: ua.namespaceIndex, mqttUrl: broker.url }),
    stop: () => {
      stopping ??= (async () => {
        runtime.stop()
        await Promise.all([ua.stop(), broker.stop()])
      })()
      return stopping
    },
  }
}
