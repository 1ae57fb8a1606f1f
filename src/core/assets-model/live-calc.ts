import type { AssetAttribute } from '../../shared/contract/asset-model'
import type { Quality, SampleValue } from '../../shared/model'
import { compileExpression, evaluationOrder, type Expression, type ExprValue } from './expression'

/**
 * The model's calculated attributes, live: which of an asset's calculated attributes evaluate (and in which order),
 * which do not and why, the signal each one's results are stored as, and one evaluation over the inputs' values.
 * Pure: the live link (live-link.ts) feeds it values and stores what it answers.
 */

const FNV_OFFSET = 0x811c9dc5
const hash = (s: string): string => {
  let h = FNV_OFFSET
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}

/**
 * The signal a calculated attribute's results are stored as: `model/<asset id>/<attribute>`, the name's characters a
 * signal id may not hold made `_`; when that changed the name, a hash of the name follows (`#1a2b3c4d`), so two names
 * that differ only there stay two signals. The same asset and name always give the same id.
 */
export function calcSignalId(assetId: string, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.:\-/#[\]]/g, '_').replace(/#/g, '_')
  const id = `model/${assetId.replace(/[^A-Za-z0-9_.:\-[\]]/g, '_')}/${safe}`
  return safe === name ? id.slice(0, 256) : `${id.slice(0, 247)}#${hash(name)}`
}

export interface CalcPlan {
  /** The calculated attributes that evaluate, each after the calculated ones it reads. */
  order: string[]
  exprs: ReadonlyMap<string, Expression>
  /** The calculated attributes that do not evaluate, with why (`bad_expression` in model.live). */
  bad: ReadonlyMap<string, string>
}

const isCalculated = (a: AssetAttribute): boolean => a.binding?.kind === 'calculated'

/** Plans an asset's calculated attributes: a parse error, a name the asset lacks, a cycle, or a bad input makes one bad. */
export function planCalculated(attributes: readonly AssetAttribute[]): CalcPlan {
  const names = new Set(attributes.map((a) => a.name))
  const exprs = new Map<string, Expression>()
  const bad = new Map<string, string>()
  for (const a of attributes) {
    if (!isCalculated(a)) continue
    try {
      const e = compileExpression(String(a.binding!['expression']))
      const missing = e.refs.filter((r) => !names.has(r))
      if (missing.length > 0) bad.set(a.name, `no attribute ${missing.map((m) => `"${m}"`).join(', ')} on this asset`)
      else exprs.set(a.name, e)
    } catch (e) {
      bad.set(a.name, (e as Error).message)
    }
  }
  // a cycle: every attribute on it (and whatever reads it, below) is bad
  for (const [name] of exprs) {
    const reach = new Map<string, readonly string[]>()
    const visit = (n: string) => {
      const e = exprs.get(n)
      if (!e || reach.has(n)) return
      reach.set(n, e.refs)
      e.refs.forEach(visit)
    }
    visit(name)
    try {
      evaluationOrder(reach)
    } catch (e) {
      if (inCycle(name, exprs)) bad.set(name, (e as Error).message)
    }
  }
  for (const n of bad.keys()) exprs.delete(n)
  // an expression reading a bad one never has that input
  for (let changed = true; changed; ) {
    changed = false
    for (const [name, e] of exprs) {
      const broken = e.refs.find((r) => bad.has(r))
      if (broken === undefined) continue
      bad.set(name, `reads "${broken}", which does not evaluate: ${bad.get(broken)}`)
      exprs.delete(name)
      changed = true
    }
  }
  return { order: evaluationOrder(new Map([...exprs].map(([n, e]) => [n, e.refs]))), exprs, bad }
}

/** True when `name` reads itself, directly or through other calculated attributes. */
function inCycle(name: string, exprs: ReadonlyMap<string, Expression>): boolean {
  const seen = new Set<string>()
  const stack = [...(exprs.get(name)?.refs ?? [])]
  while (stack.length > 0) {
    const n = stack.pop()!
    if (n === name) return true
    if (seen.has(n)) continue
    seen.add(n)
    stack.push(...(exprs.get(n)?.refs ?? []))
  }
  return false
}

/** An input's value now: a sample's value, quality and time, or a constant (no time). */
export interface InputValue {
  value: SampleValue
  quality: Quality
  ts?: number
}

export interface CalcResult {
  value: SampleValue
  quality: Quality
  /** The newest input's time (undefined: only constants). */
  ts: number | undefined
  status?: string
}

const RANK: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 }

/** A result as the attribute's data type: a number as a boolean (non-zero), a boolean as 0/1, anything as text. */
export function asType(v: ExprValue, dataType: AssetAttribute['dataType']): SampleValue {
  if (v === null) return null
  if (dataType === 'number') return typeof v === 'boolean' ? (v ? 1 : 0) : v
  if (dataType === 'boolean') return typeof v === 'number' ? v !== 0 : v
  return String(v)
}

/**
 * Evaluates an asset's calculated attributes in plan order. `read(name)` answers a non-calculated input's value now
 * (undefined: none yet). A missing input gives no result; a bad input a bad one (value null); otherwise the value,
 * with the worst input quality, at the newest input time. Calculated inputs read this evaluation's results.
 */
export function evaluateCalculated(plan: CalcPlan, types: ReadonlyMap<string, AssetAttribute['dataType']>, read: (name: string) => InputValue | undefined): Map<string, CalcResult> {
  const out = new Map<string, CalcResult>()
  for (const name of plan.order) {
    const e = plan.exprs.get(name)!
    const inputs = new Map<string, InputValue>()
    let missing = false
    for (const r of e.refs) {
      const v = plan.exprs.has(r) ? out.get(r) : read(r)
      if (v === undefined) {
        missing = true
        break
      }
      inputs.set(r, v)
    }
    if (missing) continue
    let quality: Quality = 'good'
    let ts: number | undefined
    const badInput: string[] = []
    for (const [r, v] of inputs) {
      if (RANK[v.quality] > RANK[quality]) quality = v.quality
      if (v.quality === 'bad') badInput.push(r)
      if (v.ts !== undefined && (ts === undefined || v.ts > ts)) ts = v.ts
    }
    if (quality === 'bad') {
      out.set(name, { value: null, quality: 'bad', ts, status: `bad input: ${badInput.join(', ')}` })
      continue
    }
    const value = e.evaluate((r) => {
      const v = inputs.get(r)?.value
      return typeof v === 'number' || typeof v === 'boolean' ? v : null
    })
    const dataType = types.get(name) ?? 'number'
    out.set(name, value === null ? { value: null, quality: 'bad', ts, status: 'no value (a text input, or a division by zero)' } : { value: asType(value, dataType), quality, ts })
  }
  return out
}
