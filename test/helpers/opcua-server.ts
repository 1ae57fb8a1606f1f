import { join } from 'node:path'
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Subscription,
  Variant,
  VariantArrayType,
  type UAVariable,
} from 'node-opcua'

/** Signals on the test server's changing variables (`ns=1;s=Tests.*`), as the resilience tests watch them. */
export const TEST_SIGNALS = [
  { id: 'ua/counter', name: 'Counter', nodeId: 'ns=1;s=Tests.Counter' },
  { id: 'ua/double', name: 'Double', nodeId: 'ns=1;s=Tests.Double' },
  { id: 'ua/int32', name: 'Int32', nodeId: 'ns=1;s=Tests.Int32' },
  { id: 'ua/bool', name: 'Bool', nodeId: 'ns=1;s=Tests.Bool', dataType: 'boolean' as const },
]

export interface TestServerOptions {
  /** Folder for the server's PKI; reuse it across a restart so the certificate stays the same. */
  pkiDir: string
  /** 0: any free port. A restart passes the port it had. */
  port?: number
  /** Variables `ns=1;s=Big.V<i>` under folder `ns=1;s=Big`. */
  bigCount?: number
  maxMonitoredItemsPerCall?: number
  /** Notifications the server puts in one publish response (node-opcua's default: 1,000); process-wide in node-opcua. */
  maxNotificationsPerPublish?: number
  /** Continuation points a session may hold (default: no limit, node-opcua's default). */
  maxBrowseContinuationPoints?: number
  maxMonitoredItemsPerSubscription?: number
  /** Only these security modes (default: None, Sign, SignAndEncrypt). */
  securityModes?: MessageSecurityMode[]
  /** Present a certificate that expired a year ago. */
  expiredCertificate?: boolean
  /** Present a self-signed certificate made for these host names and applicationUri; the server announces `serverApplicationUri` (default: the certificate's). */
  certificateFor?: { dns: string[]; applicationUri: string; serverApplicationUri?: string }
  /** X.509 user certificates are accepted only once trusted in `server.userCertificateManager` (default: any user certificate). */
  strictUserCertificates?: boolean
  /** Client application certificates are accepted only once trusted in `server.serverCertificateManager` (default: any). */
  strictClientCertificates?: boolean
}

export interface TestServer {
  url: string
  port: number
  server: OPCUAServer
  /** Variables the bench or a test changes, by name. */
  vars: Map<string, UAVariable>
  /** Monitored items across every session and subscription of the server. */
  monitoredItemCount(): number
  stop(): Promise<void>
}

/** A real node-opcua server for tests: typed variables, a method with typed arguments, a historized counter, a big folder. */
export async function startTestServer(o: TestServerOptions): Promise<TestServer> {
  if (o.maxNotificationsPerPublish) Subscription.maxNotificationPerPublishHighLimit = o.maxNotificationsPerPublish
  const pki = (name: string, acceptAll = true) => new OPCUACertificateManager({ rootFolder: join(o.pkiDir, name), automaticallyAcceptUnknownCertificate: acceptAll })
  const serverPki = pki('server', !o.strictClientCertificates)
  let own = {}
  if (o.expiredCertificate) {
    await serverPki.initialize()
    const certificateFile = join(o.pkiDir, 'expired.pem')
    await serverPki.createSelfSignedCertificate({
      applicationUri: 'urn:plantdeck:test:expired',
      subject: '/CN=Expired test server',
      dns: ['127.0.0.1'],
      startDate: new Date(Date.now() - 2 * 365 * 86_400_000),
      validity: 365,
      outputFile: certificateFile,
    })
    own = { certificateFile, privateKeyFile: join(serverPki.rootDir, 'own/private/private_key.pem'), serverInfo: { applicationUri: 'urn:plantdeck:test:expired' } }
  } else if (o.certificateFor) {
    await serverPki.initialize()
    const certificateFile = join(o.pkiDir, 'made-for.pem')
    await serverPki.createSelfSignedCertificate({
      applicationUri: o.certificateFor.applicationUri,
      subject: `/CN=Test server for ${o.certificateFor.dns.join(' ') || 'no host'}`,
      dns: o.certificateFor.dns,
      startDate: new Date(Date.now() - 86_400_000),
      validity: 365,
      outputFile: certificateFile,
    })
    const applicationUri = o.certificateFor.serverApplicationUri ?? o.certificateFor.applicationUri
    own = { certificateFile, privateKeyFile: join(serverPki.rootDir, 'own/private/private_key.pem'), serverInfo: { applicationUri } }
  }
  const server = new OPCUAServer({
    ...own,
    port: o.port ?? 0,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager: serverPki,
    userCertificateManager: pki('users', !o.strictUserCertificates),
    securityModes: o.securityModes ?? [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep],
    allowAnonymous: true,
    userManager: { isValidUser: (user: string, password: string) => user === 'operator' && password === 'secret' },
    isAuditing: false,
    serverCapabilities: {
      maxSessions: 50,
      maxMonitoredItemsPerSubscription: o.maxMonitoredItemsPerSubscription ?? 0,
      maxBrowseContinuationPoints: o.maxBrowseContinuationPoints ?? 0,
      operationLimits: { maxMonitoredItemsPerCall: o.maxMonitoredItemsPerCall ?? 0, maxNodesPerBrowse: 100 },
    },
  })
  await server.initialize()
  const space = server.engine.addressSpace!
  const ns = space.getOwnNamespace()
  const vars = new Map<string, UAVariable>()
  const tests = ns.addFolder(space.rootFolder.objects, { browseName: 'Tests', nodeId: 's=Tests' })
  const add = (name: string, dataType: DataType, value: unknown, extra: { valueRank?: number; dataTypeNode?: string } = {}) => {
    const v = ns.addVariable({
      componentOf: tests,
      browseName: name,
      nodeId: `s=Tests.${name}`,
      dataType: extra.dataTypeNode ?? DataType[dataType],
      valueRank: extra.valueRank ?? -1,
      accessLevel: 'CurrentRead | CurrentWrite',
      userAccessLevel: 'CurrentRead | CurrentWrite',
      minimumSamplingInterval: 0,
      value: new Variant({ dataType, value, arrayType: extra.valueRank === 1 ? VariantArrayType.Array : VariantArrayType.Scalar }),
    })
    vars.set(name, v)
    return v
  }
  add('Bool', DataType.Boolean, false)
  add('SByte', DataType.SByte, 0)
  add('Byte', DataType.Byte, 0)
  add('Int16', DataType.Int16, 0)
  add('UInt16', DataType.UInt16, 0)
  add('Int32', DataType.Int32, 0)
  add('UInt32', DataType.UInt32, 0)
  add('Int64', DataType.Int64, [0, 0])
  add('UInt64', DataType.UInt64, [0, 0])
  add('Float', DataType.Float, 0)
  add('Double', DataType.Double, 0)
  add('Text', DataType.String, '')
  add('When', DataType.DateTime, new Date(0))
  add('DoubleArray', DataType.Double, [0, 0, 0], { valueRank: 1 })
  add('State', DataType.Int32, 0, { dataTypeNode: 'ServerState' })
  const counter = add('Counter', DataType.Double, 0)
  space.installHistoricalDataNode(counter)
  let n = 0
  const tick = setInterval(() => counter.setValueFromSource({ dataType: DataType.Double, value: ++n }), 100)

  const method = ns.addMethod(tests, {
    browseName: 'Scale',
    nodeId: 's=Tests.Scale',
    inputArguments: [
      { name: 'Value', dataType: DataType.Double, valueRank: -1 },
      { name: 'Factor', dataType: DataType.Int16, valueRank: -1 },
    ],
    outputArguments: [{ name: 'Result', dataType: DataType.Double, valueRank: -1 }],
  })
  method.bindMethod(async (args: Variant[], _context: unknown) => ({
    statusCode: StatusCodes.Good,
    outputArguments: [{ dataType: DataType.Double, value: (args[0]!.value as number) * (args[1]!.value as number) }],
  }))

  if (o.bigCount) {
    const big = ns.addFolder(space.rootFolder.objects, { browseName: 'Big', nodeId: 's=Big' })
    for (let i = 0; i < o.bigCount; i++) {
      vars.set(`V${i}`, ns.addVariable({ componentOf: big, browseName: `V${i}`, nodeId: `s=Big.V${i}`, dataType: 'Double', minimumSamplingInterval: 0, value: { dataType: DataType.Double, value: i } }))
    }
  }

  await server.start()
  const port = server.endpoints[0]!.port
  return {
    url: `opc.tcp://127.0.0.1:${port}`,
    port,
    server,
    vars,
    monitoredItemCount() {
      let count = 0
      // _sessions is private in the typings; the engine keeps no public list of them
      const sessions = (server.engine as unknown as { _sessions: Record<string, unknown> })._sessions
      for (const session of Object.values(sessions)) {
        for (const sub of (session as { publishEngine: { subscriptions: { monitoredItemCount: number }[] } }).publishEngine.subscriptions) count += sub.monitoredItemCount
      }
      return count
    },
    async stop() {
      clearInterval(tick)
      await server.shutdown(0)
    },
  }
}
