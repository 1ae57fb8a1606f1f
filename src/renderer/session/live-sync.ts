import type { Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import { useAssetsStore } from '../stores/assets-store'
import { useLiveStore } from '../stores/live-store'
import { useSystemStore } from '../stores/system-store'
import { liveSignals } from '../lib/tree'
import { useTrendStore } from '../stores/trend-store'
import { overviewSignals, useOverviewStore } from './overview'

const DEBOUNCE_MS = 120

/**
 * Keeps this client's live stream on what the operator looks at: the selected asset (and its direct children),
 * the trend's pens and the overview's key values. Fetches their current values at once, so nothing waits for the next change.
 * Re-subscribes after every resync (a reconnected socket has no subscription on the server).
 */
export function startLiveSync(api: Api): () => void {
  let lastKey = ''
  let lastSyncs = -1
  let timer: ReturnType<typeof setTimeout> | undefined
  let seq = 0

  const apply = async () => {
    timer = undefined
    const a = useAssetsStore.getState()
    const { syncs, link } = useSystemStore.getState()
    if (link.state !== 'open' || !a.index) return
    const node = a.selectedAssetId ? a.index.byId.get(a.selectedAssetId) : undefined
    // what the faceplate and trend show, then the overview's signals (the stream takes up to 10,000)
    const pens = useTrendStore.getState().pens.map((p) => p.signal)
    const signals = [...new Set([...liveSignals(node, a.selectedSignalId), ...pens, ...overviewSignals(useOverviewStore.getState().cards)])].slice(0, 10_000)
    const key = signals.join('\n')
    if (key === lastKey && syncs === lastSyncs) return
    lastKey = key
    lastSyncs = syncs
    const my = ++seq
    try {
      await api.rpc.call('signals.subscribe', { signals })
      if (my === seq) useLiveStore.setState({ liveError: undefined })
      if (signals.length === 0) return
      const current = await api.rpc.call('signals.current', { signals })
      if (my === seq) useLiveStore.getState().ingest(current)
    } catch (e) {
      if (my !== seq) return
      lastKey = '' // retry on the next change or resync
      useLiveStore.setState({ liveError: toErrorShape(e) })
    }
  }

  const schedule = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void apply(), DEBOUNCE_MS)
  }

  const offA = useAssetsStore.subscribe((s, p) => {
    if (s.selectedAssetId !== p.selectedAssetId || s.selectedSignalId !== p.selectedSignalId || s.index !== p.index) schedule()
  })
  const offO = useOverviewStore.subscribe((s, p) => {
    if (s.cards !== p.cards) schedule()
  })
  const offT = useTrendStore.subscribe((s, p) => {
    if (s.pens !== p.pens) schedule()
  })
  const offS = useSystemStore.subscribe((s, p) => {
    if (s.syncs !== p.syncs) schedule()
  })
  return () => {
    offA()
    offO()
    offT()
    offS()
    if (timer) clearTimeout(timer)
  }
}
