import { useAssetsStore } from '../../stores/assets-store'
import type { PenConfig } from '../../lib/trend-view'

/** Where a signal shows in the loaded model: the asset and attribute (the selected asset and its children first). */
export function ownerOf(signal: string): { assetName: string; attribute: string } | undefined {
  const { index, selectedAssetId } = useAssetsStore.getState()
  if (!index) return undefined
  const sel = selectedAssetId ? index.byId.get(selectedAssetId) : undefined
  for (const a of sel ? [sel, ...sel.children] : []) {
    const hit = a.signals.find((x) => x.signal === signal)
    if (hit) return { assetName: a.name, attribute: hit.attribute }
  }
  for (const a of index.byId.values()) {
    const hit = a.signals.find((x) => x.signal === signal)
    if (hit) return { assetName: a.name, attribute: hit.attribute }
  }
  return undefined
}

/** A pen for `signal` from what the model and catalog say now; kept in the pen so it reads the same after a restart. */
export function penFor(signal: string): PenConfig {
  const info = useAssetsStore.getState().catalog[signal]
  const owner = ownerOf(signal)
  return {
    signal,
    label: owner ? `${owner.assetName} · ${owner.attribute}` : (info?.name ?? signal),
    ...(info?.unit ? { unit: info.unit } : {}),
    ...(info?.decimals !== undefined ? { decimals: info.decimals } : {}),
    ...(info?.range ? { range: info.range } : {}),
    ...(info?.dataType ? { dataType: info.dataType } : {}),
  }
}
