import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import mqtt from 'mqtt'
import {
  AttributeIds,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  makeBrowsePath,
  type ClientSession,
} from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PlantConfig } from '../../src/core/config/schema'
import { type OpcuaConnectionConfig } from '../../src/core/opcua/opcua-config'
import { type MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { startDemoPlant, type DemoLogger, type DemoPlant } from '../../src/demo/start-demo'

// A stable folder, so the client's certificate is made once per machine rather than once per run.
const CLIENT_PKI = path.join(os.tmpdir(), 'plantdeck-demo-test-client-pki')

function recordingLogger(): DemoLogger & { lines: string[] } {
  const lines: string[] = []
  const add = (msg: object | string): void => void lines.push(String(msg))
  return { lines, info: add, warn: add, error: add }
}

function portOf(url: string): number {
  return Number(new URL(url.replace(/^opc\.tcp:/, 'http:')).port)
}

async function withSession<T>(endpoint: string, use: (session: ClientSession) => Promise<T>, securityMode = MessageSecurityMode.None): Promise<T> {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
    securityMode,
    securityPolicy: securityMode === MessageSecurityMode.None ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256,
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: CLIENT_PKI, automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true }),
  })
  await client.connect(endpoint)
  try {
    const session = await client.createSession()
    try {
      return await use(session)
    } finally {
      await session.close()
    }
  } finally {
    await client.disconnect()
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

let demo: DemoPlant
let opcua: OpcuaConnectionConfig
let broker: MqttConnectionConfig
const log = recordingLogger()

beforeAll(async () => {
  demo = await startDemoPlant({ opcuaPort: 0, mqttPort: 0, tickMs: 50, logger: log })
  const [first, second] = PlantConfig.parse(demo.config).connections
  if (first?.kind !== 'opcua' || second?.kind !== 'mqtt') throw new Error('unexpected connections')
  opcua = first
  broker = second
})

afterAll(() => demo?.stop())

describe('demo plant over OPC UA', () => {
  const level = 'ns=1;s=Line1.Tank101.Level'
  const pump = 'ns=1;s=Line1.Pump101'

  it('serves every configured signal, Good and of the configured type, at the documented browse path', async () => {
    expect(opcua.endpoint).toBe(demo.opcuaEndpoint)
    await withSession(demo.opcuaEndpoint, async (session) => {
      const values = await session.read(opcua.signals.map((s) => ({ nodeId: s.nodeId, attributeId: AttributeIds.Value })))
      opcua.signals.forEach((s, i) => {
        expect(values[i]?.statusCode, s.id).toBe(StatusCodes.Good)
        expect(values[i]?.value.dataType, s.id).toBe(s.dataType === 'boolean' ? DataType.Boolean : s.id.endsWith('.State') ? DataType.Int32 : DataType.Double)
      })
      const [byPath] = await session.translateBrowsePath([makeBrowsePath('ObjectsFolder', '/1:Plant/1:Line1/1:Tank101/1:Level')])
      expect(byPath?.targets?.[0]?.targetId.toString()).toBe(level)
    })
  })

  it('moves: a tank level changes within a few seconds', async () => {
    await withSession(demo.opcuaEndpoint, async (session) => {
      const first = (await session.read({ nodeId: level, attributeId: AttributeIds.Value })).value.value as number
      await sleep(1500)
      const second = (await session.read({ nodeId: level, attributeId: AttributeIds.Value })).value.value as number
      expect(typeof first).toBe('number')
      expect(second).not.toBe(first)
    })
  })

  it('describes analog values with EngineeringUnits and EURange', async () => {
    await withSession(demo.opcuaEndpoint, async (session) => {
      const results = await session.translateBrowsePath([
        makeBrowsePath(`${pump}.Speed`, '.EngineeringUnits'),
        makeBrowsePath(`${pump}.Flow`, '.EURange'),
      ])
      const [units, range] = await session.read(results.map((r) => ({ nodeId: r.targets?.[0]?.targetId ?? 'i=0', attributeId: AttributeIds.Value })))
      expect(units?.value.value).toMatchObject({ displayName: { text: '%' } })
      expect(range?.value.value).toMatchObject({ low: 0, high: 60 })
    })
  })

  it('runs Stop and Start as UA methods, and Running follows', async () => {
    await withSession(demo.opcuaEndpoint, async (session) => {
      const call = async (name: 'Start' | 'Stop') => (await session.call({ objectId: pump, methodId: `${pump}.${name}`, inputArguments: [] })).statusCode
      const running = async () => (await session.read({ nodeId: `${pump}.Running`, attributeId: AttributeIds.Value })).value.value as boolean
      const state = async () => (await session.read({ nodeId: `${pump}.State`, attributeId: AttributeIds.Value })).value
      expect(await call('Stop')).toBe(StatusCodes.Good)
      expect(await running()).toBe(false)
      expect(await state()).toMatchObject({ dataType: DataType.Int32, value: 0 }) // Stopped
      expect(await call('Start')).toBe(StatusCodes.Good)
      expect(await running()).toBe(true)
      expect((await state()).value).toBe(1) // Running
      expect((await session.read({ nodeId: `${pump}.Manual`, attributeId: AttributeIds.Value })).value.value).toBe(true)
    })
  })

  it('accepts a SpeedSetpoint in range and refuses one outside with BadOutOfRange', async () => {
    const nodeId = opcua.signals.find((s) => s.id === 'demo-opcua/Line1.Pump101.SpeedSetpoint')?.nodeId ?? ''
    await withSession(demo.opcuaEndpoint, async (session) => {
      const write = (value: number) => session.write({ nodeId, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value } } })
      expect(await write(55)).toBe(StatusCodes.Good)
      expect(await write(150)).toBe(StatusCodes.BadOutOfRange)
      expect((await session.read({ nodeId, attributeId: AttributeIds.Value })).value.value).toBe(55)
      const readOnly = await session.write({ nodeId: level, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value: 1 } } })
      expect(readOnly.isGood()).toBe(false)
    })
  })

  it('also serves a SignAndEncrypt endpoint', async () => {
    const value = await withSession(demo.opcuaEndpoint, (session) => session.read({ nodeId: level, attributeId: AttributeIds.Value }), MessageSecurityMode.SignAndEncrypt)
    expect(value.statusCode).toBe(StatusCodes.Good)
  })
})

describe('demo plant over MQTT', () => {
  it('publishes JSON in which every configured signal path resolves to a number', async () => {
    expect(broker.url).toBe(demo.mqttUrl)
    const client = await mqtt.connectAsync(demo.mqttUrl, { reconnectPeriod: 0 })
    const latest = new Map<string, unknown>()
    const retained = new Set<string>()
    const energy: number[] = []
    client.on('message', (topic, payload, packet) => {
      const body: unknown = JSON.parse(payload.toString())
      if (packet.retain) retained.add(topic)
      else latest.set(topic, body)
      if (topic === 'plantdeck/demo/line1/meters/EM101') energy.push((body as { energy: { import_kwh: number } }).energy.import_kwh)
    })
    try {
      await client.subscribeAsync(broker.subscriptions.map((s) => s.filter), { qos: 0 })
      const topics = new Set(broker.signals.map((s) => s.topic))
      for (let i = 0; i < 50 && (energy.length < 2 || [...topics].some((t) => !latest.has(t))); i++) await sleep(100)

      for (const signal of broker.signals) {
        const value = (signal.path ?? '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], latest.get(signal.topic))
        expect(typeof value, signal.id).toBe('number')
      }
      expect(retained).toContain('plantdeck/demo/line1/meters/EM101/info')
      expect(retained).toContain('plantdeck/demo/env/ES203/info')
      expect(energy[1]).toBeGreaterThanOrEqual(energy[0] ?? Infinity)
    } finally {
      await client.endAsync()
    }
  })
})

describe('demo plant lifecycle', () => {
  it('falls back to free ports when the requested ones are taken, and says so in config', async () => {
    const blockers = [net.createServer(), net.createServer()]
    const ports = await Promise.all(blockers.map((b) => new Promise<number>((r) => b.listen(0, '127.0.0.1', () => r((b.address() as net.AddressInfo).port)))))
    const [busyUa = 0, busyMqtt = 0] = ports
    const fallbackLog = recordingLogger()
    try {
      const other = await startDemoPlant({ opcuaPort: busyUa, mqttPort: busyMqtt, logger: fallbackLog })
      try {
        const uaPort = portOf(other.opcuaEndpoint)
        const mqttPort = portOf(other.mqttUrl)
        expect(uaPort).not.toBe(busyUa)
        expect(mqttPort).not.toBe(busyMqtt)
        expect(other.config.connections[0]).toMatchObject({ endpoint: other.opcuaEndpoint })
        expect(other.config.connections[1]).toMatchObject({ url: other.mqttUrl })
        expect(fallbackLog.lines.filter((l) => l.includes('EADDRINUSE'))).toHaveLength(2)
        const value = await withSession(other.opcuaEndpoint, (s) => s.read({ nodeId: 'ns=1;s=Line2.Tank201.Level', attributeId: AttributeIds.Value }))
        expect(value.statusCode).toBe(StatusCodes.Good)
      } finally {
        await other.stop()
      }
    } finally {
      await Promise.all(blockers.map((b) => new Promise((r) => b.close(r))))
    }
  })

  it('stop() closes both listening ports, quickly', async () => {
    const ports = [portOf(demo.opcuaEndpoint), portOf(demo.mqttUrl)]
    const client = await mqtt.connectAsync(demo.mqttUrl, { reconnectPeriod: 0 })
    const started = performance.now()
    await demo.stop()
    expect(performance.now() - started).toBeLessThan(2000)
    for (const port of ports) expect(await refused(port), `port ${port}`).toBe(true)
    await client.endAsync(true)
  })
})
