import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { MessageSecurityMode, SecurityPolicy, UserTokenType, type EndpointDescription, type UserIdentityInfo } from 'node-opcua'
import type { OpcuaConnectionConfig, OpcuaIdentity } from '../../core/opcua/opcua-config'
import type { EndpointInfo, SecurityModeName } from '../../shared/contract/opcua'
import { AppError } from '../../shared/model'
import { summarize } from './certificates'

const POLICY_PREFIX = 'http://opcfoundation.org/UA/SecurityPolicy#'

/** Policies Plantdeck uses, strongest first. Basic128Rsa15 and Basic256 rely on SHA-1 and are refused. */
const SUPPORTED_POLICIES = ['Aes256_Sha256_RsaPss', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep'] as const
const DEPRECATED_POLICIES = ['Basic128Rsa15', 'Basic256', 'Basic192Rsa15', 'Basic256Rsa15'] as const

const policyName = (uri: string | null | undefined): string => (uri ?? '').replace(POLICY_PREFIX, '') || 'None'

const MODE_NAMES: Record<number, SecurityModeName> = {
  [MessageSecurityMode.None]: 'None',
  [MessageSecurityMode.Sign]: 'Sign',
  [MessageSecurityMode.SignAndEncrypt]: 'SignAndEncrypt',
}

const TOKEN_NAMES: Partial<Record<UserTokenType, EndpointInfo['userIdentities'][number]>> = {
  [UserTokenType.Anonymous]: 'anonymous',
  [UserTokenType.UserName]: 'username',
  [UserTokenType.Certificate]: 'certificate',
}

const rank = (e: EndpointDescription): number => {
  const policy = policyName(e.securityPolicyUri)
  const mode = e.securityMode === MessageSecurityMode.SignAndEncrypt ? 2 : e.securityMode === MessageSecurityMode.Sign ? 1 : 0
  const index = SUPPORTED_POLICIES.indexOf(policy as (typeof SUPPORTED_POLICIES)[number])
  // Deprecated policies rank below every supported one, whatever the server claims; then mode, our policy order, the server's opinion.
  return (index < 0 ? 0 : 1e7) + mode * 1e6 + (index < 0 ? 0 : SUPPORTED_POLICIES.length - index) * 1e3 + Math.min(e.securityLevel, 999)
}

/** Endpoints as an engineer compares them, most secure first. */
export function describeEndpoints(endpoints: EndpointDescription[]): EndpointInfo[] {
  return [...endpoints]
    .filter((e) => MODE_NAMES[e.securityMode] !== undefined)
    .sort((a, b) => rank(b) - rank(a))
    .map((e) => {
      const policy = policyName(e.securityPolicyUri)
      const cert = e.serverCertificate && e.serverCertificate.length > 0 ? safeSummary(e.serverCertificate) : null
      return {
        url: e.endpointUrl ?? '',
        securityMode: MODE_NAMES[e.securityMode]!,
        securityPolicy: policy,
        securityLevel: e.securityLevel,
        deprecated: (DEPRECATED_POLICIES as readonly string[]).includes(policy),
        userIdentities: [...new Set((e.userIdentityTokens ?? []).flatMap((t) => TOKEN_NAMES[t.tokenType] ?? []))],
        certificate: cert,
      }
    })
}

function safeSummary(der: Buffer) {
  try {
    return summarize(der)
  } catch {
    return null
  }
}

type Choice = Pick<OpcuaConnectionConfig, 'securityMode' | 'securityPolicy'>

/**
 * The endpoint to connect to. `auto` means the most secure one offered with a supported policy;
 * an unsecured endpoint is chosen only when the configuration asks for `None` in so many words.
 */
export function selectEndpoint(endpoints: EndpointDescription[], choice: Choice): EndpointDescription {
  const mode = choice.securityMode ?? 'auto'
  const policy = choice.securityPolicy ?? 'auto'
  if ((DEPRECATED_POLICIES as readonly string[]).includes(policy)) {
    throw new AppError('opcua.bad_endpoint', `security policy ${policy} is deprecated (SHA-1) and refused; use Basic256Sha256, Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss`)
  }
  if ((mode === 'None') !== (policy === 'None') && mode !== 'auto' && policy !== 'auto') {
    throw new AppError('opcua.bad_endpoint', `security mode ${mode} cannot be combined with policy ${policy}`)
  }
  const candidates = [...endpoints].sort((a, b) => rank(b) - rank(a))
  const fits = (e: EndpointDescription) => {
    const m = MODE_NAMES[e.securityMode]
    const p = policyName(e.securityPolicyUri)
    if (m === undefined) return false
    if (mode === 'auto' && policy === 'auto') return m !== 'None' && (SUPPORTED_POLICIES as readonly string[]).includes(p)
    if (mode === 'None' || policy === 'None') return m === 'None'
    return (mode === 'auto' || m === mode) && (policy === 'auto' ? (SUPPORTED_POLICIES as readonly string[]).includes(p) : p === policy)
  }
  const found = candidates.find(fits)
  if (found) return found
  const offered = describeEndpoints(endpoints).map((e) => `${e.securityMode}/${e.securityPolicy}${e.deprecated ? ' (deprecated, refused)' : ''}`)
  const wanted = mode === 'auto' && policy === 'auto' ? 'secure endpoint with a supported policy' : `${mode}/${policy} endpoint`
  const hint = mode === 'auto' && offered.every((o) => o.startsWith('None')) ? '; to connect without security set securityMode None explicitly' : ''
  throw new AppError('opcua.bad_endpoint', `server offers no ${wanted} (offered: ${offered.join(', ') || 'nothing'})${hint}`)
}

export function securityOf(e: EndpointDescription): { securityMode: MessageSecurityMode; securityPolicy: SecurityPolicy } {
  return { securityMode: e.securityMode, securityPolicy: (e.securityPolicyUri ?? SecurityPolicy.None) as SecurityPolicy }
}

/** node-opcua's identity from our configuration; an X.509 identity reads its files here so a missing file is a clear error. */
export async function userIdentity(identity: OpcuaIdentity | undefined): Promise<UserIdentityInfo> {
  if (!identity || identity.kind === 'anonymous') return { type: UserTokenType.Anonymous }
  if (identity.kind === 'username') return { type: UserTokenType.UserName, userName: identity.username, password: identity.password }
  // one after the other: with both missing, the error always names the certificate first
  const cert = await readPem(identity.certificateFile, 'user certificate')
  const key = await readPem(identity.privateKeyFile, 'user private key')
  try {
    const pem = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem' }).toString()
    return { type: UserTokenType.Certificate, certificateData: new X509Certificate(cert).raw, privateKey: pem }
  } catch (e) {
    throw new AppError('opcua.bad_endpoint', `the user certificate or key is not valid PEM/DER: ${(e as Error).message}`)
  }
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (e) {
    throw new AppError('opcua.bad_endpoint', `cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}
