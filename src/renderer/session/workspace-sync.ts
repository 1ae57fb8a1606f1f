import type { Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import { MAX_WORKSPACE_BYTES, Workspace } from '../../shared/contract/workspace'
import { useAssetsStore } from '../stores/assets-store'
import { useAuthStore } from '../stores/auth-store'
import { useTrendStore } from '../stores/trend-store'
import { useUiStore } from '../stores/ui-store'
import { useWorkspaceStore } from '../stores/workspace-store'
import { openAsset } from './model-view'

/** Changes are saved this long after the last one (a drag or a run of clicks is one save). */
export const SAVE_DEBOUNCE_MS = 800
/** The kiosk's workspace, kept aside in this browser while a user's is shown. */
const BROWSER_KEY = 'plantdeck.workspace.browser'

const storage = (): Storage | undefined => {
  try {
    return window.localStorage
  } catch {
    return undefined
  }
}

/**
 * Keeps the operator's workspace (tabs, trends, selection, theme) per user on the server: loaded once a user is
 * signed in on a connection (before the model view opens the selection), saved debounced after every change. The
 * kiosk's stays in this browser (the stores' own localStorage), set aside while a user's is shown and brought back
 * at sign-out. `load` is called by the session after `auth.status`; the returned `stop` ends the saving.
 */
export function startWorkspaceSync(api: Api): { load(): Promise<void>; stop(): void; flush(): Promise<void> } {
  /** Whose workspace the stores hold: `user:<name>` or `browser`. Saving waits until it is known. */
  let holder: string | undefined
  let lastJson = ''
  let timer: ReturnType<typeof setTimeout> | undefined
  let saving: Promise<void> | undefined

  const keyNow = (): string => {
    const p = useAuthStore.getState().status?.principal
    return p?.kind === 'user' ? `user:${p.user.toLowerCase()}` : 'browser'
  }

  const save = async (): Promise<void> => {
    timer = undefined
    if (!holder?.startsWith('user:') || holder !== keyNow()) return
    const doc = useWorkspaceStore.getState().toDoc()
    const json = JSON.stringify(doc)
    if (json === lastJson) return
    const ws = useWorkspaceStore.getState()
    if (json.length > MAX_WORKSPACE_BYTES) {
      ws.setSync({ state: 'error', error: { code: 'workspace.too_large', message: 'the workspace is too large to keep on the server: close tabs or delete saved views' } })
      return
    }
    ws.setSync({ state: 'saving' })
    try {
      const r = await api.rpc.call('workspace.save', { workspace: doc })
      lastJson = json
      useWorkspaceStore.getState().setSync({ state: 'saved', savedAt: r.savedAt, error: undefined })
    } catch (e) {
      useWorkspaceStore.getState().setSync({ state: 'error', error: toErrorShape(e) })
    }
  }
  const schedule = () => {
    if (!holder?.startsWith('user:')) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      saving = save()
    }, SAVE_DEBOUNCE_MS)
  }

  const load = async (): Promise<void> => {
    const key = keyNow()
    if (key === holder) return
    const ws = useWorkspaceStore.getState()
    const local = storage()
    if (key === 'browser') {
      // back to the kiosk (signed out): its own workspace again, as this browser left it
      const raw = local?.getItem(BROWSER_KEY)
      const kept = raw ? Workspace.safeParse(JSON.parse(raw)) : undefined
      if (holder && kept?.success) ws.applyDoc(kept.data)
      local?.removeItem(BROWSER_KEY)
      holder = key
      lastJson = ''
      ws.setSync({ where: 'browser', state: 'idle', error: undefined, savedAt: undefined })
      return
    }
    if (holder === 'browser' || holder === undefined) {
      try {
        local?.setItem(BROWSER_KEY, JSON.stringify(ws.toDoc()))
      } catch {
        /* a full localStorage: the kiosk's tabs are not kept aside */
      }
    }
    holder = undefined // nothing is saved while another user's would be overwritten
    ws.setSync({ where: 'server', state: 'loading', error: undefined })
    try {
      const r = await api.rpc.call('workspace.get', {})
      if (keyNow() !== key) return
      if (r.workspace) useWorkspaceStore.getState().applyDoc(r.workspace)
      holder = key
      // what the server has is saved; a first login keeps what this browser shows and saves it
      lastJson = r.workspace ? JSON.stringify(useWorkspaceStore.getState().toDoc()) : ''
      useWorkspaceStore.getState().setSync({ state: r.problem ? 'error' : r.workspace ? 'saved' : 'idle', savedAt: r.savedAt ?? undefined, error: r.problem })
      if (!r.workspace) schedule()
    } catch (e) {
      useWorkspaceStore.getState().setSync({ state: 'error', error: toErrorShape(e) })
    }
  }

  const offs = [
    useWorkspaceStore.subscribe((s, p) => {
      if (s.tabs !== p.tabs || s.active !== p.active) schedule()
    }),
    useTrendStore.subscribe((s, p) => {
      if (s.pens !== p.pens || s.range !== p.range || s.axes !== p.axes || s.timeZone !== p.timeZone || s.views !== p.views) schedule()
    }),
    useUiStore.subscribe((s, p) => s.theme !== p.theme && schedule()),
    useAssetsStore.subscribe((s, p) => s.selectedAssetId !== p.selectedAssetId && schedule()),
    // an asset tab shown selects its asset; a selection made elsewhere (the faceplate's "contains") moves the shown asset tab
    useWorkspaceStore.subscribe((s, p) => {
      if (s.active === p.active) return
      const tab = s.tabs.find((t) => t.id === s.active)
      if (tab?.kind === 'asset' && tab.asset !== useAssetsStore.getState().selectedAssetId) void openAsset(tab.asset)
    }),
    useAssetsStore.subscribe((s, p) => {
      const id = s.selectedAssetId
      if (id && id !== p.selectedAssetId) useWorkspaceStore.getState().followSelection(id, s.index?.byId.get(id)?.name ?? id)
    }),
  ]
  return {
    load,
    stop() {
      offs.forEach((o) => o())
      if (timer) clearTimeout(timer)
    },
    async flush() {
      if (timer) {
        clearTimeout(timer)
        await save()
      } else await saving
    },
  }
}
