import { getApi, type Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import { useAssetsStore } from '../stores/assets-store'
import { useConnectionsStore } from '../stores/connections-store'
import { useSystemStore } from '../stores/system-store'

/** Everything the screen shows, fetched again after each (re)connect or when the operator asks. */
export async function loadAll(api: Api): Promise<void> {
  const sys = useSystemStore.getState()
  await Promise.all([
    api.rpc.call('system.info', {}).then(sys.setInfo, (e) => sys.setInfoError(toErrorShape(e))),
    // only the store's state is shown; a failed answer leaves it unknown (the status bar then shows nothing)
    api.rpc.call('system.diagnostics', {}).then((d) => sys.setStore(d.store ?? undefined), () => sys.setStore(undefined)),
    // the status bar's store size and sync backlog; pushed about once a second after this (`sync.status`)
    api.rpc.call('sync.status', {}).then(sys.setSync, () => sys.setSync(undefined)),
    api.rpc.call('assets.tree', {}).then(
      (tree) => useAssetsStore.getState().setTree(tree),
      (e) => useAssetsStore.getState().setError(toErrorShape(e)),
    ),
    api.rpc.call('connections.list', {}).then(
      (list) => useConnectionsStore.getState().setAll(list),
      (e) => useConnectionsStore.getState().setError(toErrorShape(e)),
    ),
  ])
  // Live streams and trends hang off this counter: they are set up again on fresh data.
  useSystemStore.setState((s) => ({ syncs: s.syncs + 1 }))
}

/** "Retry" on a failed load: fetch everything again. */
export function retryLoad(): void {
  void loadAll(getApi())
}

/** The asset tree again, after the engineer added signals (an OPC UA subtree, an MQTT mapping). */
export async function reloadAssets(api: Api = getApi()): Promise<void> {
  try {
    useAssetsStore.getState().setTree(await api.rpc.call('assets.tree', {}))
  } catch (e) {
    useAssetsStore.getState().setError(toErrorShape(e))
  }
}
