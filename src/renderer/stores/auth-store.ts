import { create } from 'zustand'
import type { AuthStatus, PrincipalView } from '../../shared/contract/auth'
import { hasAccess, type Access } from '../../shared/model/principal'

interface AuthState {
  /** The last auth.status (null until the first answer). */
  status: AuthStatus | null
  /** The login screen is asked for (a "Sign in" click, or a call answered auth.required / expired). */
  loginOpen: boolean
  /** Why the login screen shows, when a call was refused (`auth.expired`…). */
  reason: string | null
  setStatus(s: AuthStatus): void
  openLogin(reason?: string | null): void
  closeLogin(): void
}

export const useAuthStore = create<AuthState>()((set) => ({
  status: null,
  loginOpen: false,
  reason: null,
  setStatus: (status) => set((s) => ({ status, loginOpen: status.principal ? false : s.loginOpen })),
  openLogin: (reason = null) => set({ loginOpen: true, reason }),
  closeLogin: () => set({ loginOpen: false, reason: null }),
}))

/** Who acts now: the logged-in principal, else the kiosk's viewer when the kiosk is on, else nobody. */
export function actingPrincipal(s: AuthStatus | null): PrincipalView | null {
  if (!s) return null
  if (s.principal) return s.principal
  return s.kiosk ? { kind: 'kiosk', user: 'kiosk', roles: ['viewer'], from: 'kiosk' } : null
}

/** Whether the acting principal may call methods of `access` (for disabling what it may not, with the reason). */
export function useMay(access: Access): boolean {
  return useAuthStore((s) => hasAccess(actingPrincipal(s.status) as never, access))
}

/** The reason shown on something disabled for want of `access`. */
export function needs(access: Access): string {
  return `Needs the ${access} role — sign in as a user who has it`
}
