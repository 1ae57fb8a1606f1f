import type { Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import type { EventPayload } from '../../shared/contract'
import { idOf, MODEL_PAGE, TOP } from '../lib/model-tree'
import { useAssetsStore, type AssetDetail } from '../stores/assets-store'

/** How many children of the selection the faceplate shows with their values. */
export const FACEPLATE_CHILDREN = 24
/** `model.live` takes at most this many ids a call. */
const LIVE_BATCH = 200
const WANT_DEBOUNCE_MS = 60
/** An attribute still waiting for its source (auto-collect runs after a change) is asked for again this often. */
const PENDING_EVERY_MS = 4000

let api: Api | undefined
const wanted = new Set<string>()
let wantTimer: ReturnType<typeof setTimeout> | undefined

/** Loads one level of the model tree (`TOP` or a row key): the first page, or the next (`more`). */
export async function loadLevel(parent: string, more = false): Promise<void> {
  if (!api) return
  const s = useAssetsStore.getState()
  const cursor = more ? s.model.levels[parent]?.next : undefined
  s.levelLoading(parent)
  try {
    const page = await api.rpc.call('model.children', { parent: parent === TOP ? null : idOf(parent), limit: MODEL_PAGE, ...(cursor ? { cursor } : {}) })
    useAssetsStore.getState().levelLoaded(parent, page, more)
    // remembered open rows of this page load their own levels
    const m = useAssetsStore.getState().model
    const opened = page.items.map((a) => `${parent}/${a.id}`).filter((k) => m.expanded[k] && !m.levels[k])
    await Promise.all(opened.map((k) => loadLevel(k)))
  } catch (e) {
    useAssetsStore.getState().levelFailed(parent, toErrorShape(e))
  }
}

/** Opens or closes a row, loading its level the first time (or after a failure). */
export function toggleRow(key: string, open: boolean): void {
  const s = useAssetsStore.getState()
  s.setExpanded(key, open)
  const lv = s.model.levels[key]
  if (open && (!lv || lv.error)) void loadLevel(key)
}

/** Each asset's record and live attributes; an id that no longer exists is dropped. */
export async function fetchDetails(ids: readonly string[]): Promise<AssetDetail[]> {
  if (!api || ids.length === 0) return []
  const out: AssetDetail[] = []
  for (let i = 0; i < ids.length; i += LIVE_BATCH) {
    const part = ids.slice(i, i + LIVE_BATCH)
    const [live, assets] = await Promise.all([
      api.rpc.call('model.live', { ids: [...part] }),
      Promise.all(part.map((id) => api!.rpc.call('model.get', { id }).catch(() => undefined))),
    ])
    for (const a of assets) if (a && live.assets[a.id]) out.push({ asset: a, live: live.assets[a.id]! })
    const gone = part.filter((id) => !live.assets[id])
    if (gone.length) useAssetsStore.getState().dropDetails(gone)
  }
  return out
}

async function loadDetails(ids: readonly string[]): Promise<void> {
  try {
    useAssetsStore.getState().setDetails(await fetchDetails(ids))
  } catch {
    /* shown rows keep what they had; the next change or selection asks again */
  }
}

/** A row in view asks for its asset's attributes (for its condition mark); asked in batches. */
export function wantDetails(id: string): void {
  if (useAssetsStore.getState().details[id]) return
  wanted.add(id)
  if (wantTimer) return
  wantTimer = setTimeout(() => {
    wantTimer = undefined
    const ids = [...wanted]
    wanted.clear()
    void loadDetails(ids)
  }, WANT_DEBOUNCE_MS)
}

/** The trended signal follows the selection once its attributes are known (the first numeric one). */
function pickTrended(id: string): void {
  const s = useAssetsStore.getState()
  const node = s.index?.byId.get(id)
  if (!node || s.selectedAssetId !== id) return
  const own = [...node.signals, ...node.children.flatMap((c) => c.signals)]
  if (s.selectedSignalId && own.some((x) => x.signal === s.selectedSignalId)) return
  const first = own.find((x) => s.catalog[x.signal]?.dataType === 'number') ?? own[0]
  if (first) s.selectSignal(first.signal)
}

/**
 * Selects an asset and loads what its faceplate shows: its attributes and its first children's. Opens the
 * path to it in the tree (levels loaded from the top), so a selection made elsewhere shows where it is.
 */
export async function openAsset(id: string): Promise<void> {
  useAssetsStore.getState().selectAsset(id)
  if (!api) return
  try {
    const chain: string[] = []
    for (let cur: string | null = id; cur; ) {
      const a: AssetDetail['asset'] = await api.rpc.call('model.get', { id: cur })
      chain.unshift(a.id)
      cur = a.parent
    }
    // open each ancestor's row, loading its level when it is not there yet
    let key = TOP
    for (const [i, aid] of chain.entries()) {
      if (!useAssetsStore.getState().model.levels[key]) await loadLevel(key)
      key = `${key}/${aid}`
      if (i < chain.length - 1) useAssetsStore.getState().setExpanded(key, true)
    }
    useAssetsStore.getState().focusRow(key)
    const kids = await api.rpc.call('model.children', { parent: id, limit: FACEPLATE_CHILDREN })
    await loadDetails([id, ...kids.items.map((k) => k.id)])
    if (!useAssetsStore.getState().model.levels[key]) useAssetsStore.getState().levelLoaded(key, { items: kids.items, next: kids.next }, false)
    pickTrended(id)
  } catch (e) {
    if (toErrorShape(e).code === 'model.unknown' && useAssetsStore.getState().selectedAssetId === id) useAssetsStore.setState({ selectedAssetId: undefined })
  }
}

/** After a change: every open level again (a change may add, rename or remove anywhere) and the loaded assets it touched. */
async function onChanged(e: EventPayload<'model.changed'>): Promise<void> {
  const s = useAssetsStore.getState()
  const open = Object.keys(s.model.levels).filter((k) => k === TOP || (s.model.expanded[k] && s.model.nodes[k]))
  await Promise.all(open.map((k) => loadLevel(k)))
  const touched = e.all ? Object.keys(useAssetsStore.getState().details) : e.ids.filter((id) => useAssetsStore.getState().details[id])
  await loadDetails(touched)
  const sel = useAssetsStore.getState().selectedAssetId
  if (sel) pickTrended(sel)
}

/**
 * The operator view's asset tree reads the asset model: the top level at start (and the remembered selection's path,
 * or the first asset), levels as they open, and again on every `model.changed`. Returns a function that stops it.
 */
export function startModelView(a: Api): () => void {
  api = a
  const offChanged = a.rpc.on('model.changed', (e) => void onChanged(e))
  // attributes waiting for their source (collected after a change) are asked for again until they resolve
  const pending = setInterval(() => {
    const s = useAssetsStore.getState()
    const ids = Object.values(s.details)
      .filter((d) => d.live.some((x) => x.state === 'not_collected'))
      .map((d) => d.asset.id)
      .slice(0, LIVE_BATCH)
    if (ids.length) void loadDetails(ids)
  }, PENDING_EVERY_MS)
  return () => {
    offChanged()
    clearInterval(pending)
    api = undefined
  }
}

/** After each (re)connect: the model's top level, the loaded levels and the selection again. */
export async function reloadModelView(): Promise<void> {
  const s = useAssetsStore.getState()
  const open = Object.keys(s.model.levels).filter((k) => k !== TOP && s.model.expanded[k])
  await loadLevel(TOP)
  await Promise.all(open.map((k) => loadLevel(k)))
  let sel = useAssetsStore.getState().selectedAssetId
  if (!sel) {
    const top = useAssetsStore.getState().model.levels[TOP]?.ids[0]
    sel = top ? idOf(top) : undefined
  }
  if (sel) await openAsset(sel)
  if (sel && !s.selectedAssetId) {
    // a first start: the top asset open, so the plant's lines show at once
    const key = `${TOP}/${sel}`
    if (useAssetsStore.getState().model.nodes[key]?.hasChildren) toggleRow(key, true)
  }
  await loadDetails(Object.keys(useAssetsStore.getState().details))
}
