import { nodeIdentityCrypto, TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import type { CoreDeps } from '../../src/core/create-core'
import { MemoryUserStore } from '../../src/core/identity/memory-users'
import type { Contract, Events, LoginResult } from '../../src/shared/contract'
import type { Role } from '../../src/shared/model/principal'
import { createRpcClient, type RpcClient } from '../../src/shared/rpc/client'
import type { ConnectOptions } from '../../src/shared/rpc/server'
import { createMemoryPair, type Transport } from '../../src/shared/rpc/transport'
import { openClient } from './ws-client'

/**
 * THE way tests get an identity: users are created through the real paths (first-start setup, `users.create`, the
 * headless server's `--admin-user`) and sessions log in over the real transport. No test binds a principal itself.
 */

export const ADMIN_USER = 'admin'
export const TEST_PASSWORD = 'plantdeck test password'

/** An API client of the contract (what connectApi and openApi answer). */
export type Api = RpcClient<Contract, Events>

/** Users in memory and scrypt at a test cost, for a core made in a test (`createCore({ ..., identity: testIdentity() })`). */
export function testIdentity(): NonNullable<CoreDeps['identity']> {
  return { users: new MemoryUserStore(), crypto: nodeIdentityCrypto(TEST_SCRYPT) }
}

/** Logs `api` in as the administrator: the first-start setup when no user exists yet (this session is local), else auth.login. */
export async function loginAdmin(api: Api): Promise<LoginResult> {
  const status = await api.call('auth.status', {})
  if (status.setupRequired) return api.call('auth.setup', { user: ADMIN_USER, password: TEST_PASSWORD })
  return api.call('auth.login', { user: ADMIN_USER, password: TEST_PASSWORD })
}

/**
 * Logs `api` in as a user of `role` (default `<role>-user`), creating it first through `users.create` by `admin`
 * (a session logged in as the administrator) when it does not exist. `admin` omitted: `api` logs in as the
 * administrator (set up if needed) for that, then as the user.
 */
export async function loginAs(api: Api, role: Role, o: { admin?: Api; user?: string; scopes?: string[] } = {}): Promise<LoginResult> {
  if (role === 'admin' && !o.user) return loginAdmin(api)
  const user = o.user ?? `${role}-user`
  const admin = o.admin ?? api
  if (!o.admin) await loginAdmin(api)
  const exists = (await admin.call('users.list', {})).some((u) => u.name === user)
  if (!exists) await admin.call('users.create', { name: user, password: TEST_PASSWORD, role, ...(o.scopes ? { scopes: o.scopes } : {}) })
  return api.call('auth.login', { user, password: TEST_PASSWORD })
}

/** What a test connects to: a runtime's RPC server (`rt.rpc`, src/app/runtime.ts), or one made by the test. */
interface RpcServerLike {
  connect(transport: Transport, o?: ConnectOptions): unknown
}

/**
 * A client of `server` (a runtime's `rt.rpc`) on an in-memory transport, not logged in: every call goes through the
 * server's access checks. `remote`: where the server sees it (default `memory`, a local session, which may do the
 * first-start setup).
 */
export function connectApi(server: RpcServerLike, o: { remote?: string; timeoutMs?: number } = {}): Api {
  const [a, b] = createMemoryPair()
  server.connect(b, { remote: o.remote ?? 'memory' })
  return createRpcClient<Contract, Events>(a, { timeoutMs: o.timeoutMs ?? 20_000 })
}

/**
 * A client of a runtime's RPC server (`rt.rpc`) logged in for real: as the administrator (set up on first start,
 * else auth.login), or with `role` as a user of that role (`user`, default `<role>-user`; `scopes` limit it),
 * created through users.create by `admin` (or, omitted, by this session logged in as the administrator first).
 * Events pushed to the session come through `api.on(event, cb)`.
 */
export async function openApi(rt: { rpc: RpcServerLike }, o: { role?: Role; user?: string; scopes?: string[]; admin?: Api; remote?: string; timeoutMs?: number } = {}): Promise<Api> {
  const api = connectApi(rt.rpc, o)
  if (o.role) await loginAs(api, o.role, { ...(o.admin ? { admin: o.admin } : {}), ...(o.user ? { user: o.user } : {}), ...(o.scopes ? { scopes: o.scopes } : {}) })
  else await loginAdmin(api)
  return api
}

/** The headless server's command-line flags that create the administrator on first start (the password from a file). */
export function adminFlags(passwordFile: string): string[] {
  return ['--admin-user', ADMIN_USER, '--admin-password-file', passwordFile]
}

/**
 * Logs in to a headless server over HTTP (`POST /auth/login`, as the login screen does) and answers the session
 * cookie for a WebSocket's `Cookie` header. Throws with the server's error code when refused.
 */
export async function loginCookie(baseUrl: string, user = ADMIN_USER, password = TEST_PASSWORD): Promise<string> {
  const res = await fetch(new URL('auth/login', baseUrl), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user, password }) })
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } }
    throw Object.assign(new Error(`login refused: ${res.status} ${body.error?.message ?? ''}`), { code: body.error?.code ?? `http.${res.status}` })
  }
  const cookie = res.headers.get('set-cookie')
  if (!cookie) throw new Error('login answered without a cookie')
  return cookie.split(';')[0]!
}

/**
 * A WebSocket API client of a headless server (`url`: its page URL) logged in as the administrator or, with
 * `role`, as a user of that role (created through users.create by the administrator first): the session cookie
 * from `POST /auth/login`, as a browser has it. `headers`: more (a Host, an Origin).
 */
export async function openLoggedIn(url: string, o: { role?: Role; user?: string; headers?: Record<string, string> } = {}) {
  const api = url.replace(/^http/, 'ws') + 'api'
  let user = ADMIN_USER
  if (o.role && (o.role !== 'admin' || o.user)) {
    user = o.user ?? `${o.role}-user`
    const admin = await openClient(api, { Cookie: await loginCookie(url) })
    if (!(await admin.client.call('users.list', {})).some((u) => u.name === user)) await admin.client.call('users.create', { name: user, password: TEST_PASSWORD, role: o.role })
    admin.ws.close()
  }
  const cookie = await loginCookie(url, user)
  return { cookie, ...(await openClient(api, { ...o.headers, Cookie: cookie })) }
}
