import { MessageSecurityMode, OPCUAClient, SecurityPolicy, type EndpointDescription } from 'node-opcua'
import type { OpcuaTools } from '../../core/opcua/opcua-port'
import { AppError } from '../../shared/model'
import { APPLICATION_NAME, type OpcuaPki } from './certificates'
import { explain } from './errors'
import { describeEndpoints } from './security'

/** A discovery round trip never waits longer than this: a silent host is a state, not a hang. */
const DISCOVERY_TIMEOUT_MS = 10_000

/**
 * GetEndpoints over an unsecured channel (always allowed for discovery), failing fast:
 * no retries, so an unreachable host or a socket closed mid-handshake surfaces at once.
 */
export async function getEndpoints(url: string, pki: OpcuaPki): Promise<EndpointDescription[]> {
  await pki.initialize()
  const client = OPCUAClient.create({
    applicationName: APPLICATION_NAME,
    clientCertificateManager: pki.manager,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    transportTimeout: DISCOVERY_TIMEOUT_MS,
  })
  let timer: NodeJS.Timeout | undefined
  try {
    const run = (async () => {
      await client.connect(url)
      return client.getEndpoints()
    })()
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('opcua.unreachable', `no answer from ${url} within ${DISCOVERY_TIMEOUT_MS / 1000} s`)), DISCOVERY_TIMEOUT_MS)
    })
    run.catch(() => undefined) // the timeout may win; the loser's rejection is expected
    return await Promise.race([run, timeout])
  } catch (e) {
    const x = explain(e)
    throw new AppError(x.code, `${url}: ${x.message}`)
  } finally {
    clearTimeout(timer)
    await client.disconnect().catch(() => undefined)
  }
}

/** Endpoint discovery and certificate decisions for the API, over the application's one PKI. */
export function createOpcuaTools(pki: OpcuaPki): OpcuaTools {
  return {
    endpoints: async (url) => describeEndpoints(await getEndpoints(url, pki)),
    certificates: () => pki.list(),
    trust: (thumbprint) => pki.trust(thumbprint),
    reject: (thumbprint) => pki.reject(thumbprint),
  }
}
