import type { Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import { useAuthStore } from '../stores/auth-store'
import { AppError, type ErrorCode } from '../../shared/model/errors'

/** Codes that mean "nobody is logged in (any more)": the login screen is shown. */
const LOGIN_CODES = new Set(['auth.required', 'auth.expired', 'auth.bad_session', 'auth.setup_required'])

export async function refreshAuth(api: Api): Promise<void> {
  try {
    useAuthStore.getState().setStatus(await api.rpc.call('auth.status', {}))
  } catch {
    /* the link is down: the banner says so; asked again when it is back */
  }
}

/** Watches every call's answer: one refused for want of a login opens the login screen (once), with the reason. */
export function watchAuthErrors(api: Api): void {
  const call = api.rpc.call.bind(api.rpc)
  api.rpc.call = (async (method: string, params: unknown) => {
    try {
      return await (call as (m: string, p: unknown) => Promise<unknown>)(method, params)
    } catch (e) {
      const code = toErrorShape(e).code
      if (LOGIN_CODES.has(code) && method !== 'auth.login' && method !== 'auth.setup') {
        void refreshAuth(api).then(() => {
          const s = useAuthStore.getState()
          if (!s.status?.principal && !s.loginOpen) s.openLogin(code === 'auth.expired' ? 'Your session expired: sign in again.' : code === 'auth.bad_session' ? 'Your session was ended: sign in again.' : null)
        })
      }
      throw e
    }
  }) as typeof api.rpc.call
}

/** Waits until the link has opened again after `opensBefore` (a reconnect with the new cookie). */
function reopened(api: Api, opensBefore: number): Promise<void> {
  return new Promise((resolve) => {
    if (api.link.status().opens > opensBefore && api.link.status().state === 'open') return resolve()
    const off = api.link.onStatus((s) => {
      if (s.state === 'open' && s.opens > opensBefore) {
        off()
        resolve()
      }
    })
  })
}

async function post(path: string, body: unknown): Promise<void> {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' })
  if (!res.ok) {
    const j = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } }
    throw new AppError((j.error?.code ?? 'rpc.internal') as ErrorCode, j.error?.message ?? `HTTP ${res.status}`)
  }
}

/**
 * Logs in. In the browser through `POST /auth/login`, so the session secret lands in an HttpOnly cookie that page
 * scripts never see, then the WebSocket reconnects carrying it; on the desktop over IPC (`auth.login`).
 */
export async function login(api: Api, user: string, password: string): Promise<void> {
  if (api.via === 'ws') {
    await post('auth/login', { user, password })
    const opens = api.link.status().opens
    api.link.reconnectNow()
    await reopened(api, opens)
  } else await api.rpc.call('auth.login', { user, password })
  await refreshAuth(api)
}

/** First start: creates the administrator (from this machine only), then logs in as it. */
export async function setup(api: Api, user: string, password: string): Promise<void> {
  await api.rpc.call('auth.setup', { user, password })
  if (api.via === 'ws') await login(api, user, password) // the cookie, so a reload stays logged in
  else await refreshAuth(api)
}

export async function logout(api: Api): Promise<void> {
  await api.rpc.call('auth.logout', {}).catch(() => undefined)
  if (api.via === 'ws') {
    await post('auth/logout', {}).catch(() => undefined)
    const opens = api.link.status().opens
    api.link.reconnectNow()
    await reopened(api, opens)
  }
  await refreshAuth(api)
}
