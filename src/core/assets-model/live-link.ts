import type { Asset, AssetAttribute, LiveAttribute } from '../../shared/contract/asset-model'
import { AppError, type Sample, type SampleBatch, type SignalInfo } from '../../shared/model'
import type { AssetCatalog } from '../assets/asset-catalog'
import type { AssetStore } from '../ports/asset-store'
import type { Collector } from '../ports/collector'
import type { ModelSources, SourceBinding, SourceSpec } from '../ports/driver'
import type { Logger } from '../ports/logger'
import type { SignalDef } from '../ports/sample-store'
import type { LiveValues } from '../signals/live-values'
import { checkBindings, type BindingSchemas } from './bindings'
import { calcSignalId, evaluateCalculated, planCalculated, type CalcPlan, type InputValue } from './live-calc'
import { modelSegment } from './runtime-assets'
import { SerialRebuild } from './serial-rebuild'

/** The connection id calculated attributes' signals carry (no collector: the core evaluates them). */
export const MODEL_CONNECTION = 'model'
const DEFAULT_BIND_MAX = 1000

export interface LiveLinkDeps {
  store: AssetStore
  /** Each protocol's sources, by binding kind (core/drivers.ts). */
  sources: ReadonlyMap<string, ModelSources>
  bindings: BindingSchemas
  connections: () => readonly { id: string; kind: string }[]
  collectors: readonly Collector[]
  catalog: AssetCatalog
  live: LiveValues
  /** Registers signal definitions with the local history (absent without one). */
  register?: ((defs: SignalDef[]) => Promise<void>) | undefined
  /** Calculated samples into the core's data path (live values, store). */
  emit: (batch: SampleBatch) => void
  now: () => number
  log: Logger
}

interface CalcAsset {
  id: string
  plan: CalcPlan
  types: Map<string, AssetAttribute['dataType']>
  /** Non-calculated inputs: a bound attribute's signal, or a constant. */
  inputs: Map<string, { signal: string } | { constant: InputValue }>
  last: Map<string, Sample>
}

export type BindResult = { asset: Asset; attributes: string[]; collected: number; failed: { source: string; reason: string }[]; truncated: boolean; change: number | null }

/**
 * The asset model's live link: binds model attributes to the signals collectors deliver. It keeps an index from
 * binding key to signal (rebuilt when collections or the model change), makes connections collect what the model binds
 * and they do not collect yet (at start and after every model change; never written to the configuration), evaluates
 * calculated attributes when an input changes, and gives bound signals their model path in the store.
 */
export class LiveLink {
  private index = new Map<string, { signal: string; refused?: string }>()
  private dirty = true
  /** Keys a collect attempt refused, with why. */
  private readonly failures = new Map<string, string>()
  /** Signal → the model path it was last registered with. */
  private readonly registered = new Map<string, string>()
  private paths = new Map<string, string>()
  private calcs = new Map<string, CalcAsset>()
  private byInput = new Map<string, Set<string>>()
  private readonly serial = new SerialRebuild(
    () => this.syncOnce(),
    undefined,
    (e) => this.d.log.error({ err: e.message }, 'asset model live link: sync failed'),
  )
  private readonly unsubs: (() => void)[] = []

  constructor(private readonly d: LiveLinkDeps) {}

  /** The model path of a signal the model binds (`<asset path>/<attribute>`), for the store. */
  assetPath(signal: string): string | undefined {
    return this.paths.get(signal)
  }

  /** The signal an attribute's live values arrive on (a collected source, or its calculated signal); undefined while none. */
  signalFor(assetId: string, at: AssetAttribute): string | undefined {
    if (at.binding?.kind === 'calculated') return calcSignalId(assetId, at.name)
    this.rebuildIndex()
    return this.signalOf(at)
  }

  /** Builds the index and the model paths before the catalog's signals are first registered (no collecting yet). */
  prepare(): void {
    const assets = this.d.store.subtree(null)
    this.rebuildIndex()
    this.paths = this.pathsOf(assets)
    for (const [s, p] of this.paths) this.registered.set(s, p)
  }

  /** After the collectors started: collects what the model binds, follows live values and collection changes. */
  async start(): Promise<void> {
    this.unsubs.push(this.d.live.onSamples((b) => this.onSamples(b)))
    for (const c of this.d.collectors) this.unsubs.push(c.onState(() => void (this.dirty = true)))
    await this.sync()
  }

  stop(): void {
    this.unsubs.splice(0).forEach((u) => u())
  }

  /** The model changed: collect and rebuild in the background (serialized; a change meanwhile runs it once more). */
  changed(): void {
    this.dirty = true
    void this.sync()
  }

  /** Resolves once no sync is running or waiting (tests, and model.bind answering after its own collection). */
  settled(): Promise<void> {
    return this.serial.settled()
  }

  sync(): Promise<void> {
    return this.serial.changed()
  }

  private async syncOnce(): Promise<void> {
    const assets = this.d.store.subtree(null)
    this.rebuildIndex()
    const wanted = new Map<string, Map<string, SourceSpec>>()
    for (const a of assets) {
      for (const at of a.attributes) {
        const b = this.protocolBinding(at)
        if (!b) continue
        const key = b.sources.key(b.binding)
        if (this.index.has(key) || this.failures.has(key)) continue
        if (!this.collector(b.binding.connection)) continue
        const per = wanted.get(b.binding.connection) ?? new Map<string, SourceSpec>()
        wanted.set(b.binding.connection, per)
        if (!per.has(key)) per.set(key, { binding: b.binding, name: at.name, dataType: at.dataType, unit: at.unit, writable: at.writable, assetPath: `${a.path}/${at.name}` })
      }
    }
    for (const [connection, specs] of wanted) await this.collect(connection, [...specs.values()])
    this.rebuildIndex()
    await this.rebuildCalculated(assets)
    await this.updatePaths(this.pathsOf(assets))
  }

  private async collect(connection: string, specs: SourceSpec[]): Promise<{ failed: Map<string, string> }> {
    const col = this.collector(connection)!
    const sources = this.d.sources.get(specs[0]!.binding.kind)!
    const failed = new Map<string, string>()
    try {
      const r = await sources.collect(col, specs, { catalog: this.d.catalog, register: this.d.register })
      for (const f of r.failed) failed.set(f.key, f.reason)
    } catch (e) {
      for (const s of specs) failed.set(sources.key(s.binding), e instanceof AppError ? `${e.code}: ${e.message}` : (e as Error).message)
    }
    for (const [k, why] of failed) this.failures.set(k, why)
    this.dirty = true
    if (failed.size > 0) this.d.log.warn({ connection, refused: failed.size, first: [...failed.values()][0] }, 'asset model: sources not collected')
    return { failed }
  }

  private collector(connection: string): Collector | undefined {
    return this.d.collectors.find((c) => c.id === connection)
  }

  private protocolBinding(at: AssetAttribute): { binding: SourceBinding; sources: ModelSources } | undefined {
    const b = at.binding
    if (!b || typeof b['connection'] !== 'string') return undefined
    const sources = this.d.sources.get(b.kind)
    return sources ? { binding: b as SourceBinding, sources } : undefined
  }

  private rebuildIndex(): void {
    if (!this.dirty) return
    this.dirty = false
    const index = new Map<string, { signal: string; refused?: string }>()
    for (const col of this.d.collectors) {
      const kind = this.d.connections().find((c) => c.id === col.id)?.kind
      const sources = kind === undefined ? undefined : this.d.sources.get(kind)
      if (!sources) continue
      for (const s of sources.collected(col)) {
        if (index.has(s.key)) continue
        index.set(s.key, s.refused === undefined ? { signal: s.signal } : { signal: s.signal, refused: s.refused })
        if (s.refused === undefined) this.failures.delete(s.key)
      }
    }
    this.index = index
  }

  private signalOf(at: AssetAttribute): string | undefined {
    const b = this.protocolBinding(at)
    const hit = b && this.index.get(b.sources.key(b.binding))
    return hit && hit.refused === undefined ? hit.signal : undefined
  }

  /** Signal → `<asset path>/<attribute>`, the first attribute that binds it. */
  private pathsOf(assets: readonly Asset[]): Map<string, string> {
    const out = new Map<string, string>()
    for (const a of assets) {
      for (const at of a.attributes) {
        const signal = at.binding?.kind === 'calculated' ? calcSignalId(a.id, at.name) : this.signalOf(at)
        if (signal !== undefined && !out.has(signal)) out.set(signal, `${a.path}/${at.name}`)
      }
    }
    return out
  }

  private async updatePaths(paths: Map<string, string>): Promise<void> {
    this.paths = paths
    const defs: SignalDef[] = []
    for (const [signal, path] of paths) {
      if (this.registered.get(signal) === path) continue
      const info = this.d.catalog.get(signal)
      if (!info) continue
      defs.push({ id: info.id, name: info.name, dataType: info.dataType, connection: info.connection, ...(info.unit ? { unit: info.unit } : {}), assetPath: path })
    }
    if (defs.length === 0) return
    await this.d.register?.(defs)
    for (const d of defs) this.registered.set(d.id, d.assetPath!)
  }

  // --- calculated attributes ---

  private async rebuildCalculated(assets: readonly Asset[]): Promise<void> {
    const calcs = new Map<string, CalcAsset>()
    const byInput = new Map<string, Set<string>>()
    const fresh: (SignalInfo & { path: string })[] = []
    for (const a of assets) {
      if (!a.attributes.some((x) => x.binding?.kind === 'calculated')) continue
      const plan = planCalculated(a.attributes)
      const types = new Map(a.attributes.map((x) => [x.name, x.dataType]))
      const inputs: CalcAsset['inputs'] = new Map()
      for (const at of a.attributes) {
        if (at.binding?.kind === 'calculated') continue
        if (at.binding?.kind === 'constant') inputs.set(at.name, { constant: { value: at.binding['value'] as InputValue['value'], quality: 'good' } })
        else {
          const signal = this.signalOf(at)
          if (signal === undefined) continue
          inputs.set(at.name, { signal })
          const set = byInput.get(signal) ?? new Set<string>()
          set.add(a.id)
          byInput.set(signal, set)
        }
      }
      for (const name of plan.order) {
        const id = calcSignalId(a.id, name)
        const at = a.attributes.find((x) => x.name === name)!
        const known = this.d.catalog.get(id)
        if (!known || known.dataType !== at.dataType || known.unit !== at.unit || known.name !== name) {
          fresh.push({ id, name, dataType: at.dataType, connection: MODEL_CONNECTION, writable: false, ...(at.unit ? { unit: at.unit } : {}), path: `${a.path}/${name}` })
        }
      }
      calcs.set(a.id, { id: a.id, plan, types, inputs, last: this.calcs.get(a.id)?.last ?? new Map() })
    }
    if (fresh.length > 0) {
      // known to the store (with their model paths) and the catalog before their first sample
      await this.d.register?.(fresh.map((s) => ({ id: s.id, name: s.name, dataType: s.dataType, connection: s.connection, ...(s.unit ? { unit: s.unit } : {}), assetPath: s.path })))
      for (const s of fresh) this.registered.set(s.id, s.path)
      this.d.catalog.add(fresh.map(({ path: _p, ...info }) => info))
    }
    this.calcs = calcs
    this.byInput = byInput
    this.evaluate([...calcs.keys()])
  }

  private onSamples(batch: SampleBatch): void {
    if (this.byInput.size === 0) return
    const hit = new Set<string>()
    for (const s of batch) for (const a of this.byInput.get(s.signal) ?? []) hit.add(a)
    if (hit.size > 0) this.evaluate([...hit])
  }

  private evaluate(assetIds: readonly string[]): void {
    const out: Sample[] = []
    for (const id of assetIds) {
      const c = this.calcs.get(id)
      if (!c) continue
      const results = evaluateCalculated(c.plan, c.types, (name) => {
        const i = c.inputs.get(name)
        if (!i) return undefined
        if ('constant' in i) return i.constant
        const s = this.d.live.get(i.signal)
        return s && { value: s.value, quality: s.quality, ts: s.ts }
      })
      for (const [name, r] of results) {
        const prev = c.last.get(name)
        let ts = r.ts ?? prev?.ts ?? this.d.now()
        if (prev && ts <= prev.ts) {
          if (prev.value === r.value && prev.quality === r.quality) continue
          ts = Math.round((prev.ts + 0.001) * 1000) / 1000
        }
        const sample: Sample = { signal: calcSignalId(id, name), ts, value: r.value, quality: r.quality, ...(r.status ? { status: r.status } : {}) }
        c.last.set(name, sample)
        out.push(sample)
      }
    }
    if (out.length > 0) this.d.emit(out)
  }

  // --- the API ---

  /** `model.live`: each attribute of the given assets as the core resolves it now. */
  resolve(ids: readonly string[]): Record<string, LiveAttribute[]> {
    // read afresh: a server answers a new monitored item (accepted or refused) after the collect that asked for it
    this.dirty = true
    this.rebuildIndex()
    const out: Record<string, LiveAttribute[]> = {}
    for (const id of ids) {
      const a = this.d.store.get(id)
      if (!a) continue
      let plan: CalcPlan | undefined
      out[id] = a.attributes.map((at): LiveAttribute => {
        const b = at.binding
        if (!b) return { name: at.name, signal: null, state: 'unbound' }
        if (b.kind === 'constant') return { name: at.name, signal: null, state: 'constant', value: b['value'] as LiveAttribute['value'] }
        if (b.kind === 'calculated') {
          plan ??= planCalculated(a.attributes)
          const why = plan.bad.get(at.name)
          if (why !== undefined) return { name: at.name, signal: null, state: 'bad_expression', reason: why }
          const signal = calcSignalId(a.id, at.name)
          return withValue({ name: at.name, signal, state: 'calculated' }, this.d.live.get(signal))
        }
        const p = this.protocolBinding(at)
        if (!p) return { name: at.name, signal: null, state: 'not_collected', reason: `no driver collects bindings of kind "${b.kind}"` }
        if (!this.collector(p.binding.connection)) return { name: at.name, signal: null, state: 'not_collected', reason: `no connection "${p.binding.connection}"` }
        const key = p.sources.key(p.binding)
        const hit = this.index.get(key)
        if (hit && hit.refused === undefined) return withValue({ name: at.name, signal: hit.signal, state: 'live' }, this.d.live.get(hit.signal))
        if (hit) return { name: at.name, signal: hit.signal, state: 'not_collected', reason: `the server refused it: ${hit.refused}` }
        return { name: at.name, signal: null, state: 'not_collected', reason: this.failures.get(key) ?? 'not collected yet (the connection is being asked to)' }
      })
    }
    return out
  }

  /**
   * `model.bind`: the concrete sources `source` stands for become bound attributes of the asset (a bound attribute of
   * the same name is rebound), the connection collecting what it did not; refused sources are listed, not bound.
   */
  async bind(p: { asset: string; source: { kind: string } & Record<string, unknown>; name?: string | undefined; max?: number | undefined }, who: string): Promise<BindResult> {
    const asset = this.d.store.get(p.asset)
    if (!asset) throw new AppError('model.unknown', `no asset with id "${p.asset}"`, { id: p.asset })
    const sources = this.d.sources.get(p.source.kind)
    if (!sources) throw new AppError('model.bad_binding', `no protocol binds sources of kind "${p.source.kind}"`)
    checkBindings([{ name: p.name ?? 'source', dataType: 'number', binding: p.source }], this.d.bindings, this.d.connections(), 'source')
    const source = p.source as SourceBinding
    const col = this.collector(source.connection)
    if (!col) throw new AppError('model.bad_binding', `connection "${source.connection}" has no collector`)
    const label = (b: SourceBinding) => Object.entries(b).filter(([k]) => k !== 'kind' && k !== 'connection').map(([, v]) => String(v)).join(' ')
    let expanded: { sources: SourceSpec[]; truncated: boolean }
    try {
      expanded = await sources.expand(col, source, p.max ?? DEFAULT_BIND_MAX)
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      return { asset, attributes: [], collected: 0, failed: [{ source: label(source), reason: `${e.code}: ${e.message}` }], truncated: false, change: null }
    }
    const failed: BindResult['failed'] = []
    const picked = new Map<string, SourceSpec>()
    for (const s of expanded.sources) {
      const name = expanded.sources.length === 1 && p.name ? p.name : modelSegment(s.name)
      if (picked.has(name)) failed.push({ source: label(s.binding), reason: `another source of this bind is named "${name}" already` })
      else picked.set(name, { ...s, name, assetPath: `${asset.path}/${name}` })
    }
    await this.settled()
    this.dirty = true
    this.rebuildIndex()
    const fresh = [...picked.values()].filter((s) => !this.index.get(sources.key(s.binding)))
    let collected = 0
    if (fresh.length > 0) {
      for (const s of fresh) this.failures.delete(sources.key(s.binding))
      const r = await this.collect(source.connection, fresh)
      collected = fresh.length - r.failed.size
      for (const [name, s] of [...picked]) {
        const why = r.failed.get(sources.key(s.binding))
        if (why === undefined) continue
        failed.push({ source: label(s.binding), reason: why })
        picked.delete(name)
      }
    }
    this.dirty = true
    if (picked.size === 0) return { asset, attributes: [], collected, failed, truncated: expanded.truncated, change: null }
    const byName = new Map(asset.attributes.map((a) => [a.name, a]))
    for (const [name, s] of picked) {
      const old = byName.get(name)
      const { unit: _u, writable: _w, binding: _b, ...kept } = old ?? { name, dataType: s.dataType }
      byName.set(name, { ...kept, name, dataType: s.dataType, ...(s.unit ? { unit: s.unit } : old?.unit ? { unit: old.unit } : {}), ...(s.writable ? { writable: true } : {}), binding: s.binding })
    }
    const updated = this.d.store.update(asset.id, { attributes: [...byName.values()] }, who)
    const change = this.d.store.changes({ limit: 1 })[0]!.id
    return { asset: updated, attributes: [...picked.keys()], collected, failed, truncated: expanded.truncated, change }
  }
}

const withValue = (a: LiveAttribute, s: Sample | undefined): LiveAttribute => (s ? { ...a, value: s.value } : a)
