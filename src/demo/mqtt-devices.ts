import net from 'node:net'
import { Aedes } from 'aedes'
import type { PlantRuntime } from './plant-runtime'
import { MQTT_PUBLISH_INTERVAL_MS, mqttDevices } from './mqtt-points'
import { close, listen, urlHost } from './network'

export interface MqttDevicesOptions {
  runtime: PlantRuntime
  /** Interface to listen on. A wildcard address is advertised as loopback. */
  host: string
  /** 0 lets the OS choose. An unavailable port rejects (see `withPortFallback`). */
  port: number
  /** Telemetry period; 1000 unless a test needs it faster. */
  publishIntervalMs?: number
}

export interface MqttDeviceHost {
  /** `mqtt://<host>:<port>`. */
  readonly url: string
  readonly port: number
  /** Stops publishing, disconnects every client and closes the listening socket. */
  stop(): Promise<void>
}

/**
 * Starts an embedded MQTT broker (aedes, plain TCP, no authentication) with the plant's
 * simulated field devices publishing into it: each device publishes a retained JSON birth
 * message on `<topic>/info` once, then JSON telemetry on `<topic>` every interval (QoS 0, not
 * retained). Topics and payload fields are those of `mqttDevices(model)`.
 */
export async function startMqttDevices(options: MqttDevicesOptions): Promise<MqttDeviceHost> {
  const broker = await Aedes.createBroker()
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    broker.handle(socket)
  })
  const closeAll = async (): Promise<void> => {
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    // The broker ends its clients, but a socket that never sent CONNECT is not one of them.
    for (const socket of sockets) socket.destroy()
    await close(server)
  }

  let port: number
  try {
    port = await listen(server, options.port, options.host)
  } catch (error) {
    await closeAll()
    throw error
  }

  const publish = (topic: string, body: unknown, retain: boolean): void => {
    // QoS 0 into an in-process broker: there is no delivery to wait for or report.
    broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 0, retain, dup: false }, () => {})
  }
  const devices = mqttDevices(options.runtime.model)
  for (const device of devices) publish(device.infoTopic, { ...device.info, online: true }, true)
  const timer = setInterval(() => {
    const ts = Date.now()
    const state = options.runtime.state
    for (const device of devices) publish(device.topic, device.payload(state, ts), false)
  }, options.publishIntervalMs ?? MQTT_PUBLISH_INTERVAL_MS)

  return {
    url: `mqtt://${urlHost(options.host)}:${port}`,
    port,
    stop: async () => {
      clearInterval(timer)
      await closeAll()
    },
  }
}
