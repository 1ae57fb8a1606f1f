import { useAssetsStore } from '../stores/assets-store'
import { useUiStore } from '../stores/ui-store'

/** Overview | the selected asset: the operator view's centre. */
export function CentreTabs() {
  const tab = useUiStore((s) => s.operatorTab)
  const set = useUiStore((s) => s.setOperatorTab)
  const name = useAssetsStore((s) => (s.selectedAssetId ? s.index?.byId.get(s.selectedAssetId)?.name : undefined))
  return (
    <div className="centre-tabs tab-strip" role="tablist" aria-label="Operator view">
      <button role="tab" aria-selected={tab === 'overview'} className={tab === 'overview' ? 'on' : ''} onClick={() => set('overview')} data-testid="tab-overview">
        Overview
      </button>
      <button role="tab" aria-selected={tab === 'asset'} className={tab === 'asset' ? 'on' : ''} onClick={() => set('asset')} data-testid="tab-asset">
        {name ?? 'Asset'}
      </button>
    </div>
  )
}
