import path from 'node:path'
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
  standardUnits,
  type EUInformation,
  type Namespace,
  type StatusCode,
  type UAObject,
} from 'node-opcua'
import type { PlantRuntime } from './plant-runtime'
import type { CommandOutcome } from './simulation'
import { opcuaAssets, pointPath, type OpcuaAssetPoint, type OpcuaVariablePoint } from './opcua-points'
import { reachableHost } from './network'

export interface OpcuaPlantServerOptions {
  runtime: PlantRuntime
  /** Interface to listen on. A wildcard address is advertised as loopback. */
  host: string
  /** 0 lets the OS choose. An unavailable port rejects (see `withPortFallback`). */
  port: number
  /** Folder the server owns for its certificate stores (`server/`, `users/`); created when missing. */
  pkiDir: string
}

export interface OpcuaPlantServer {
  /** `opc.tcp://<host>:<port>`, as a client connects to it. */
  readonly endpointUrl: string
  readonly port: number
  /** Index of the namespace holding the plant (1): NodeIds are `ns=<index>;s=<Line>.<Asset>.<Attribute>`. */
  readonly namespaceIndex: number
  /** The server's application instance certificate (DER): the app that started the demo trusts exactly this one. */
  readonly certificate: Buffer
  /** Closes every session and the listening socket at once. */
  stop(): Promise<void>
}

/** Stable across runs, so the own namespace (and its index, 1) never changes under a client. */
const DEMO_APPLICATION_URI = 'urn:plantdeck:demo-plant'

/** Fast enough for a 100 ms trend, slow enough that a dozen subscriptions cost nothing. */
const MINIMUM_SAMPLING_INTERVAL_MS = 100

const UNITS: Record<string, EUInformation> = {
  '%': standardUnits.percent,
  '°C': standardUnits.degree_celsius,
  'm³/h': standardUnits.cubic_metre_per_hour,
  A: standardUnits.ampere,
}

const REFUSAL: Record<Exclude<CommandOutcome, { ok: true }>['reason'], StatusCode> = {
  unknown_target: StatusCodes.BadNodeIdUnknown,
  out_of_range: StatusCodes.BadOutOfRange,
  interlock: StatusCodes.BadInvalidState,
}

/**
 * Starts a real OPC UA server whose address space mirrors the plant:
 * `Objects/Plant/<Line>/<Asset>/<Attribute>`, NodeIds `ns=1;s=Line1.Pump101.Speed` (objects
 * `ns=1;s=Line1.Pump101`, methods `ns=1;s=Line1.Pump101.Start`). Analog values are AnalogItems
 * (Double, EngineeringUnits, EURange); booleans and a pump's discrete `State` (Int32: 0 Stopped, 1 Running,
 * 2 Tripped) are plain variables. `SpeedSetpoint` is writable
 * (Double; outside 0..100 → BadOutOfRange). Methods Start/Stop (pumps) and Open/Close (valves)
 * take no arguments; one an interlock forbids returns BadInvalidState.
 *
 * Endpoints: anonymous, SecurityMode None, and SignAndEncrypt with Basic256Sha256. Client
 * certificates are accepted automatically: this is a local demo, not a plant.
 */
export async function startOpcuaPlantServer(options: OpcuaPlantServerOptions): Promise<OpcuaPlantServer> {
  const store = (name: string): OPCUACertificateManager =>
    new OPCUACertificateManager({ rootFolder: path.join(options.pkiDir, name), automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true })
  const server = new OPCUAServer({
    host: options.host,
    hostname: reachableHost(options.host),
    port: options.port,
    serverCertificateManager: store('server'),
    userCertificateManager: store('users'),
    allowAnonymous: true,
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
    isAuditing: false,
    serverInfo: { applicationUri: DEMO_APPLICATION_URI, productUri: DEMO_APPLICATION_URI, applicationName: { text: 'Plantdeck demo plant', locale: 'en' } },
    buildInfo: { productName: 'Plantdeck demo plant', manufacturerName: 'Plantdeck', softwareVersion: '1.0.0' },
  })
  try {
    await server.initialize()
    const namespaceIndex = populate(server, options.runtime)
    await server.start()
    const port = server.endpoints[0]?.port
    if (port === undefined) throw new Error('OPC UA server started without an endpoint')
    return {
      endpointUrl: server.getEndpointUrl(),
      port,
      namespaceIndex,
      certificate: server.getCertificate(),
      stop: () => server.shutdown(0),
    }
  } catch (error) {
    await server.shutdown(0)
    throw error
  }
}

/** Builds the plant's nodes; returns the index of the namespace they live in. */
function populate(server: OPCUAServer, runtime: PlantRuntime): number {
  const addressSpace = server.engine.addressSpace
  if (addressSpace === null) throw new Error('OPC UA server has no address space after initialize()')
  const ns = addressSpace.getOwnNamespace()
  const plant = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Plant', nodeId: 's=Plant' })
  const lines = new Map<string, UAObject>()
  for (const asset of opcuaAssets(runtime.model)) {
    let line = lines.get(asset.line)
    if (line === undefined) {
      line = ns.addFolder(plant, { browseName: asset.line, nodeId: `s=${asset.line}` })
      lines.set(asset.line, line)
    }
    const object = ns.addObject({ organizedBy: line, browseName: asset.id, nodeId: `s=${asset.line}.${asset.id}` })
    for (const variable of asset.variables) addVariable(ns, object, asset, variable, runtime)
    for (const m of asset.methods) {
      const method = ns.addMethod(object, { browseName: m.name, nodeId: `s=${pointPath(asset, m.name)}`, description: m.description, inputArguments: [], outputArguments: [] })
      // node-opcua tells a promise method from a callback one by its arity: it must declare two parameters.
      method.bindMethod(async (_inputArguments: Variant[], _context: unknown) => {
        const outcome = runtime.command(m.command)
        return { statusCode: outcome.ok ? StatusCodes.Good : REFUSAL[outcome.reason] }
      })
    }
  }
  return ns.index
}

function addVariable(ns: Namespace, parent: UAObject, asset: OpcuaAssetPoint, point: OpcuaVariablePoint, runtime: PlantRuntime): void {
  const common = {
    componentOf: parent,
    browseName: point.attribute,
    nodeId: `s=${pointPath(asset, point.attribute)}`,
    description: point.description,
    minimumSamplingInterval: MINIMUM_SAMPLING_INTERVAL_MS,
  }
  if (point.dataType === 'boolean') {
    ns.addVariable({ ...common, dataType: 'Boolean', value: { get: () => new Variant({ dataType: DataType.Boolean, value: point.read(runtime.state) }) } })
    return
  }
  if (point.enumeration !== undefined) {
    ns.addVariable({ ...common, dataType: 'Int32', value: { get: () => new Variant({ dataType: DataType.Int32, value: point.read(runtime.state) }) } })
    return
  }
  const unit = point.unit === undefined ? undefined : UNITS[point.unit]
  if (unit === undefined || point.range === undefined) throw new Error(`demo plant: ${pointPath(asset, point.attribute)} needs a known unit and a range`)
  const write = point.write
  ns.addAnalogDataItem({
    ...common,
    dataType: 'Double',
    engineeringUnits: unit,
    engineeringUnitsRange: { low: point.range[0], high: point.range[1] },
    accessLevel: write === undefined ? 'CurrentRead' : 'CurrentRead | CurrentWrite',
    userAccessLevel: write === undefined ? 'CurrentRead' : 'CurrentRead | CurrentWrite',
    value: {
      get: () => new Variant({ dataType: DataType.Double, value: point.read(runtime.state) }),
      set:
        write === undefined
          ? null
          : (variant: Variant): StatusCode => {
              const outcome = runtime.command(write(Number(variant.value)))
              return outcome.ok ? StatusCodes.Good : REFUSAL[outcome.reason]
            },
    },
  })
}
