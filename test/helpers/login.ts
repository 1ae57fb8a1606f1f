import { nodeIdentityCrypto, TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import type { CoreDeps } from '../../src/core/create-core'
import { MemoryUserStore } from '../../src/core/identity/memory-users'
import type { Contract, Events, LoginResult } from '../../src/shared/contract'
import type { Role } from '../../src/shared/model/principal'
import type { RpcClient } from '../../src/shared/rpc/client'
import { openClient } from './ws-client'

/**
 * THE way tests get an identity: users are created through the real paths (first-start setup, `users.create`, the
 * headless server's `--admin-user`) and sessions log in over the real transport. No test binds a principal itself.
 */

export const ADMIN_USER = 'admin'
export const TEST_PASSWORD = 'plantdeck test password'

type Api = RpcClient<Contract, Events>

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
