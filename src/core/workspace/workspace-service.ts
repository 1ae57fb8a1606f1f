import { MAX_WORKSPACE_BYTES, Workspace, type WorkspaceGet } from '../../shared/contract/workspace'
import type { Contract } from '../../shared/contract'
import type { HandlerMap } from '../../shared/rpc/server'
import { AppError } from '../../shared/model/errors'
import type { Principal } from '../../shared/model/principal'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { WorkspaceRecord, WorkspaceStore } from '../ports/workspaces'

/** Workspaces in memory (a core without the application database; lost at restart). */
export class MemoryWorkspaceStore implements WorkspaceStore {
  private readonly byUser = new Map<string, WorkspaceRecord>()
  get(user: string): WorkspaceRecord | undefined {
    return this.byUser.get(user.toLowerCase())
  }
  put(user: string, record: WorkspaceRecord): void {
    this.byUser.set(user.toLowerCase(), record)
  }
}

export interface WorkspaceCounters {
  saved: number
  refused: Record<string, number>
  unreadable: number
}

/**
 * `workspace.get` / `workspace.save`: one workspace per logged-in user, kept whole. The kiosk (and the API token) has
 * no user to keep it for: it gets none and its saves are refused (the renderer keeps the kiosk's in the browser).
 * A stored workspace that no longer validates is answered as none with the problem (`workspace.invalid`), logged once
 * per user and counted; it never fails the call.
 */
export function workspaceHandlers(store: WorkspaceStore, clock: Clock, log: Logger): { handlers: Pick<HandlerMap<Contract>, 'workspace.get' | 'workspace.save'>; counters: WorkspaceCounters } {
  const counters: WorkspaceCounters = { saved: 0, refused: {}, unreadable: 0 }
  const warned = new Set<string>()
  const refuse = (e: AppError): never => {
    counters.refused[e.code] = (counters.refused[e.code] ?? 0) + 1
    throw e
  }
  const userOf = (p: Principal | null | undefined): string | undefined => (p?.kind === 'user' ? p.user : undefined)

  const handlers: Pick<HandlerMap<Contract>, 'workspace.get' | 'workspace.save'> = {
    'workspace.get': (_p, { principal }): WorkspaceGet => {
      const user = userOf(principal)
      if (!user) return { workspace: null, savedAt: null, perBrowser: true }
      let rec: WorkspaceRecord | undefined
      try {
        rec = store.get(user)
      } catch (e) {
        log.error({ user, err: (e as Error).message }, 'workspace could not be read')
        return { workspace: null, savedAt: null, perBrowser: false, problem: { code: 'workspace.invalid', message: `the saved workspace could not be read: ${(e as Error).message}` } }
      }
      if (!rec) return { workspace: null, savedAt: null, perBrowser: false }
      let parsed: unknown
      try {
        parsed = JSON.parse(rec.json)
      } catch {
        parsed = undefined
      }
      const r = Workspace.safeParse(parsed)
      if (!r.success) {
        counters.unreadable++
        const first = r.error.issues[0]
        const why = parsed === undefined ? 'it is not JSON' : `${first?.path.join('.') || 'the workspace'}: ${first?.message ?? 'invalid'}`
        if (!warned.has(user.toLowerCase())) {
          warned.add(user.toLowerCase())
          log.warn({ user, why }, 'saved workspace does not read; the screen starts fresh')
        }
        return { workspace: null, savedAt: rec.savedAt, perBrowser: false, problem: { code: 'workspace.invalid', message: `the saved workspace does not read (${why}); starting fresh` } }
      }
      return { workspace: r.data, savedAt: rec.savedAt, perBrowser: false }
    },
    'workspace.save': ({ workspace }, { principal: p }) => {
      if (p?.kind === 'kiosk') refuse(new AppError('workspace.kiosk', 'the kiosk keeps its workspace in this browser, not on the server: sign in to keep it per user'))
      const user = userOf(p)
      if (!user) return refuse(new AppError('workspace.no_user', 'only a logged-in user has a workspace on the server'))
      const json = JSON.stringify(workspace)
      const bytes = new TextEncoder().encode(json).length
      if (bytes > MAX_WORKSPACE_BYTES) refuse(new AppError('workspace.too_large', `the workspace is ${bytes} bytes, over the ${MAX_WORKSPACE_BYTES} allowed: close tabs or delete saved views`))
      const savedAt = clock.now()
      store.put(user, { json, savedAt })
      counters.saved++
      warned.delete(user.toLowerCase())
      return { savedAt, bytes }
    },
  }
  return { handlers, counters }
}
