import type { Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import { loadAll } from './actions'
import { useConnectionsStore } from '../stores/connections-store'
import { startLiveSync } from './live-sync'
import { useLiveStore } from '../stores/live-store'
import { clockOffset, serverNow, useSystemStore } from '../stores/system-store'
import { refreshDiagnostics } from '../stores/diagnostics-store'
import { startAlarmSync } from './alarm-sync'
import { startConditionSync } from './condition-sync'
import { reloadModelView, startModelView } from './model-view'
import { loadOverview, startOverview } from './overview'
import { useTrendStore } from '../stores/trend-store'
import { refreshAuth, watchAuthErrors } from './auth'
import { useAuthStore } from '../stores/auth-store'
import { startWorkspaceSync } from './workspace-sync'

const PING_EVERY_MS = 10_000
const DIAGNOSTICS_EVERY_MS = 10_000

/**
 * Wires the API to the stores: events into stores, the link state into the banner, a 1 Hz clock for ages,
 * a ping that measures clock offset and detects a dead socket. The tree's condition marks are pushed by the core
 * (`conditions.changed`); nothing polls values.
 * Returns a function that stops it all.
 */
export function startSession(api: Api): () => void {
  const offs: (() => void)[] = []
  const timers: ReturnType<typeof setInterval>[] = []
  const linkUp = () => useSystemStore.getState().link.state === 'open'

  useSystemStore.setState({ via: api.via, link: api.link.status() })
  watchAuthErrors(api)
  offs.push(
    api.rpc.on('signals.samples', (batch) => {
      useLiveStore.getState().ingest(batch)
      useTrendStore.getState().append(batch)
    }),
    api.rpc.on('connections.state', (c) => useConnectionsStore.getState().upsert(c)),
    api.rpc.on('system.store', (s) => useSystemStore.getState().setStore(s)),
    api.rpc.on('sync.status', (s) => useSystemStore.getState().setSync(s)),
    api.link.onStatus((link) => {
      const wasOpens = useSystemStore.getState().link.opens
      useSystemStore.getState().setLink(link)
      if (link.state === 'open' && link.opens !== wasOpens) void resync()
    }),
  )

  let pinging = false
  const ping = async () => {
    if (pinging || !linkUp()) return
    pinging = true
    const sent = Date.now()
    try {
      const r = await api.rpc.call('system.ping', { nonce: String(sent) })
      useSystemStore.getState().setClockOffset(clockOffset(sent, Date.now(), r.at))
    } catch (e) {
      // A socket can die without closing (sleeping laptop, cut cable): an unanswered ping is the only sign.
      if (toErrorShape(e).code === 'rpc.timeout') api.link.reconnectNow()
    } finally {
      pinging = false
    }
  }

  const alarmSync = startAlarmSync(api)
  offs.push(() => alarmSync.stop())
  const conditionSync = startConditionSync(api)
  offs.push(() => conditionSync.stop())
  const workspace = startWorkspaceSync(api)
  offs.push(() => workspace.stop())
  const resync = async () => {
    await refreshAuth(api) // who this (new) connection is, before what it may load
    await workspace.load() // the user's tabs, trends and selection, before the model view opens the selection
    await loadAll(api)
    void alarmSync.reload()
    void conditionSync.reload()
    await reloadModelView()
    void loadOverview(api)
    void ping()
    void refreshDiagnostics(api)
  }

  timers.push(
    setInterval(() => useLiveStore.getState().tick(serverNow()), 1000),
    setInterval(() => void ping(), PING_EVERY_MS),
    setInterval(() => linkUp() && void refreshDiagnostics(api), DIAGNOSTICS_EVERY_MS),
  )
  offs.push(startModelView(api), startOverview(api), startLiveSync(api))
  // Over IPC a login keeps the link: what the new user may see is fetched when who is signed in changes.
  // (Over WebSocket a login reconnects with the cookie, and the new link resyncs.)
  let lastUser: string | null | undefined
  offs.push(
    useAuthStore.subscribe((s) => {
      const u = s.status?.principal?.user ?? null
      if (api.via === 'ipc' && lastUser !== undefined && u !== lastUser) void resync()
      lastUser = u
    }),
  )
  if (linkUp()) void resync()

  return () => {
    offs.forEach((off) => off())
    timers.forEach(clearInterval)
  }
}
