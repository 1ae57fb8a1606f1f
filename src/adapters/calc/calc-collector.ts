import { compileExpression, evaluationOrder, type ExprValue, type Expression } from '../../core/assets-model/expression'
import type { CalcConnectionConfig } from '../../core/calc/calc-config'
import type { Collector, WriteRequest, WriteResult } from '../../core/ports/collector'
import type { Logger } from '../../core/ports/logger'
import type { Quality, Sample, SampleBatch } from '../../shared/model'
import { CollectorEvents } from '../collector-events'

/** What the calculations read: the live values of every signal, and their arrival. */
export interface LiveSource {
  get(signal: string): Sample | undefined
  onSamples(cb: (batch: SampleBatch) => void): () => void
}

interface Calc {
  id: string
  dataType: 'number' | 'boolean' | 'string'
  expr: Expression
}

const RANK: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2 }
const QUALITY: readonly Quality[] = ['good', 'uncertain', 'bad']

/**
 * Calculated signals: each is an expression over other signals' live values, computed again whenever one of its
 * inputs changes, and handed on like any collector's samples (live values, the store, the accounting). Its time is
 * the newest input's; its quality the worst input's; an input with no value yet, or a result that is not a number
 * (a division by zero), gives a bad sample with value null and says why. Calculations may read each other: they run
 * in dependency order within one batch. The configuration refuses cycles and bad expressions before this runs.
 */
export class CalcCollector extends CollectorEvents implements Collector {
  readonly id: string
  rejected = 0
  private readonly order: Calc[]
  /** Input signal → the calculations that read it. */
  private readonly readers = new Map<string, Calc[]>()
  private unsubscribe: (() => void) | undefined

  constructor(private readonly opts: { config: CalcConnectionConfig; live: LiveSource; logger: Logger }) {
    super(opts.logger.child({ connection: opts.config.id }))
    this.id = opts.config.id
    const byId = new Map(opts.config.signals.map((s) => [s.id, { id: s.id, dataType: s.dataType, expr: compileExpression(s.expression) }]))
    this.order = evaluationOrder(new Map([...byId].map(([id, c]) => [id, c.expr.refs]))).map((id) => byId.get(id)!)
    for (const c of this.order) for (const ref of c.expr.refs) this.readers.set(ref, [...(this.readers.get(ref) ?? []), c])
  }

  async start(): Promise<void> {
    this.unsubscribe ??= this.opts.live.onSamples((batch) => this.onInputs(batch))
    this.setState({ health: 'connected' })
    // values known already (the store's last ones after a restart) give a first result at once
    this.compute(new Set(this.order))
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.setState({ health: 'stopped' })
  }

  async write(cmd: WriteRequest): Promise<WriteResult> {
    return { ok: false, status: `calculated signals cannot be written (${cmd.signal})` }
  }

  private onInputs(batch: SampleBatch): void {
    const due = new Set<Calc>()
    for (const s of batch) for (const c of this.readers.get(s.signal) ?? []) due.add(c)
    if (due.size > 0) this.compute(due)
  }

  /** Computes `due` and whatever reads them, in dependency order; emits one batch. */
  private compute(due: Set<Calc>): void {
    const made = new Map<string, Sample>()
    const current = (id: string) => made.get(id) ?? this.opts.live.get(id)
    const out: Sample[] = []
    for (const c of this.order) {
      if (!due.has(c)) continue
      const sample = this.evaluate(c, current)
      if (!sample) continue
      made.set(c.id, sample)
      out.push(sample)
      for (const next of this.readers.get(c.id) ?? []) due.add(next)
    }
    if (out.length > 0) this.emit(out)
  }

  private evaluate(c: Calc, current: (id: string) => Sample | undefined): Sample | undefined {
    let ts = 0
    let worst = 0
    const missing: string[] = []
    const inputs = c.expr.refs.map((ref) => {
      const s = current(ref)
      if (!s) missing.push(ref)
      else {
        ts = Math.max(ts, s.ts)
        worst = Math.max(worst, RANK[s.quality])
      }
      return s
    })
    if (inputs.every((s) => s === undefined) && c.expr.refs.length > 0) return undefined // nothing to say yet
    const value = c.expr.evaluate((name) => {
      const v = current(name)?.value
      return typeof v === 'number' || typeof v === 'boolean' ? (v as ExprValue) : null
    })
    const at = ts || Date.now()
    if (value === null) {
      const status = missing.length > 0 ? `no value yet: ${missing.join(', ')}` : 'no value (an input is not a number, or a division by zero)'
      return { signal: c.id, ts: at, value: null, quality: 'bad', status }
    }
    const typed = c.dataType === 'boolean' ? (typeof value === 'boolean' ? value : value !== 0) : c.dataType === 'number' ? Number(value) : String(value)
    return { signal: c.id, ts: at, value: typed, quality: QUALITY[worst] ?? 'bad' }
  }
}
