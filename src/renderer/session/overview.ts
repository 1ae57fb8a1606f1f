import { create } from 'zustand'
import type { Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import type { Asset, AssetAttribute, AssetSummary, LiveAttribute } from '../../shared/contract'
import type { ErrorShape } from '../../shared/model'

/** Cards the overview shows at most, and equipment per card (the rest: "and N more", in the tree). */
export const MAX_CARDS = 16
export const MAX_ITEMS = 24
/** How deep the overview looks for groups of equipment (site › area › line). */
const MAX_DEPTH = 4

/** An attribute the overview shows for a piece of equipment: a state, or a value within its range. */
export interface KeyAttribute {
  name: string
  kind: 'state' | 'bar' | 'value'
  signal: string | null
  unit?: string | undefined
  range?: { min: number; max: number } | undefined
  decimals?: number | undefined
  enumeration?: Record<string, string> | undefined
  limits?: AssetAttribute['limits']
  /** Why it has no signal (not collected, a constant's value...). */
  fixed?: string | undefined
}
export interface OverviewItem {
  id: string
  name: string
  path: string
  kind: string
  keys: KeyAttribute[]
}
export interface OverviewCard {
  id: string
  name: string
  path: string
  items: OverviewItem[]
  more: number
}

interface OverviewState {
  cards: OverviewCard[]
  loaded: boolean
  error?: ErrorShape
}
export const useOverviewStore = create<OverviewState>()(() => ({ cards: [], loaded: false }))

const carries = (l: LiveAttribute | undefined) => !!l?.signal && (l.state === 'live' || l.state === 'calculated')

/**
 * What a piece of equipment shows at a glance, from its attributes alone (no template is named here): its first
 * state (an attribute with state labels that is not a setpoint), then up to two values with an engineering range as
 * bars, else its first numeric value.
 */
export function keyAttributes(a: Asset, live: readonly LiveAttribute[]): KeyAttribute[] {
  const byName = new Map(live.map((l) => [l.name, l]))
  const base = (at: AssetAttribute, kind: KeyAttribute['kind']): KeyAttribute => {
    const l = byName.get(at.name)
    return {
      name: at.name,
      kind,
      signal: carries(l) ? l!.signal : null,
      unit: at.unit,
      range: at.range,
      decimals: at.decimals,
      enumeration: at.enumeration,
      limits: at.limits,
      ...(carries(l) ? {} : { fixed: l?.state === 'constant' ? String(l.value ?? '') : (l?.reason ?? l?.state ?? 'not bound') }),
    }
  }
  const out: KeyAttribute[] = []
  const state = a.attributes.find((x) => x.enumeration && !x.writable)
  if (state) out.push(base(state, 'state'))
  const ranged = a.attributes.filter((x) => x.dataType === 'number' && x.range && !x.enumeration && !x.writable).slice(0, 2)
  for (const x of ranged) out.push(base(x, 'bar'))
  if (ranged.length === 0) {
    const first = a.attributes.find((x) => x.dataType === 'number' && !x.enumeration)
    if (first) out.push(base(first, 'value'))
  }
  return out
}

/** Every signal the overview shows, for the live stream. */
export function overviewSignals(cards: readonly OverviewCard[]): string[] {
  const set = new Set<string>()
  for (const c of cards) for (const i of c.items) for (const k of i.keys) if (k.signal) set.add(k.signal)
  return [...set]
}

let seq = 0
/**
 * Builds the overview from the model: every asset (down to four levels) whose children include equipment (an asset
 * with attributes) is a card, its equipment the items. One `model.children` per level looked at, one `model.live`
 * and a `model.get` per item shown; bounded by MAX_CARDS × MAX_ITEMS.
 */
export async function loadOverview(api: Api): Promise<void> {
  const my = ++seq
  try {
    const cards: OverviewCard[] = []
    const visit = async (parent: AssetSummary | null, depth: number): Promise<void> => {
      if (cards.length >= MAX_CARDS || depth > MAX_DEPTH) return
      const page = await api.rpc.call('model.children', { parent: parent?.id ?? null, limit: 200 })
      const primary = page.items.filter((x) => !x.reference)
      const equipment = primary.filter((x) => x.attributeCount > 0)
      // equipment at the top level (no line or area above it) gets a card of its own
      if (equipment.length > 0) {
        const shown = equipment.slice(0, MAX_ITEMS)
        const [live, assets] = await Promise.all([
          api.rpc.call('model.live', { ids: shown.map((x) => x.id) }),
          Promise.all(shown.map((x) => api.rpc.call('model.get', { id: x.id }))),
        ])
        cards.push({
          id: parent?.id ?? '',
          name: parent?.name ?? 'Top level',
          path: parent?.path ?? '',
          items: assets.map((a) => ({ id: a.id, name: a.name, path: a.path, kind: a.kind, keys: keyAttributes(a, live.assets[a.id] ?? []) })),
          more: equipment.length - shown.length + (page.next ? 1 : 0),
        })
      }
      for (const c of primary.filter((x) => x.hasChildren)) await visit(c, depth + 1)
    }
    await visit(null, 0)
    if (my === seq) useOverviewStore.setState({ cards, loaded: true, error: undefined })
  } catch (e) {
    if (my === seq) useOverviewStore.setState({ loaded: true, error: toErrorShape(e) })
  }
}

/** Loads the overview and again after model changes (debounced: an import sends many). Returns a stop function. */
export function startOverview(api: Api): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const off = api.rpc.on('model.changed', () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void loadOverview(api), 500)
  })
  return () => {
    off()
    if (timer) clearTimeout(timer)
  }
}
