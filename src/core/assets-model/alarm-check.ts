import type { AlarmDef } from '../../shared/contract/alarms'
import type { AssetAttribute } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model/errors'
import { compileExpression } from './expression'

const LIMIT_TYPES = new Set(['hihi', 'hi', 'lo', 'lolo'])
const MAX_DELAY_MS = 3_600_000

/** The limit a limit alarm uses: its own `limit`, else the attribute's limit of its type. */
export function limitOf(at: Pick<AssetAttribute, 'limits'>, def: AlarmDef): number | undefined {
  if (def.limit !== undefined) return def.limit
  return LIMIT_TYPES.has(def.type) ? at.limits?.[def.type as 'hi'] : undefined
}

/**
 * Checks every attribute's alarm definitions against the asset's attributes (beside checkBindings: model.create,
 * update, import, instantiate, template create, update and apply). Refuses with `alarms.bad_definition`, the path
 * (`attributes[2] (Level).alarms[0] (hi)`) and the reason: a repeated id; a limit alarm without a limit or on a
 * non-number; a deadband larger than the attribute's range; a delay out of bounds; a discrete alarm without a value;
 * rate of change without a rate; a deviation whose setpoint attribute is missing; stale without an expected interval;
 * comm on an attribute without a connection; a suppression expression that does not parse, names a missing attribute,
 * or reads the alarm's own attribute (directly or through calculated attributes: a loop).
 */
export function checkAlarms(attributes: readonly AssetAttribute[], where = 'attributes'): void {
  const byName = new Map(attributes.map((a) => [a.name, a]))
  attributes.forEach((a, i) => {
    const ids = new Set<string>()
    a.alarms?.forEach((def, j) => {
      const at = `${where}[${i}] (${a.name}).alarms[${j}] (${def.id})`
      const no = (why: string) => new AppError('alarms.bad_definition', `${at}: ${why}`, { path: at })
      if (ids.has(def.id)) throw no(`another alarm of this attribute has the id "${def.id}"`)
      ids.add(def.id)
      const numeric = ['hihi', 'hi', 'lo', 'lolo', 'roc', 'deviation'].includes(def.type)
      if (numeric && a.dataType !== 'number') throw no(`a ${def.type} alarm needs a number attribute, not ${a.dataType}`)
      if (LIMIT_TYPES.has(def.type) && limitOf(a, def) === undefined) throw no(`no limit: give the alarm a limit or the attribute limits.${def.type}`)
      if (def.deadband !== undefined && a.range && def.deadband > a.range.max - a.range.min) {
        throw no(`deadband ${def.deadband} is larger than the range ${a.range.min}..${a.range.max}`)
      }
      for (const k of ['onDelayMs', 'offDelayMs'] as const) {
        const d = def[k]
        if (d !== undefined && (!Number.isInteger(d) || d < 0 || d > MAX_DELAY_MS)) throw no(`${k} ${d} is out of bounds (0 to ${MAX_DELAY_MS} ms)`)
      }
      if (def.type === 'discrete' && def.value === undefined) throw no('a discrete alarm needs the abnormal value')
      if (def.type === 'roc' && def.rate === undefined) throw no('a rate-of-change alarm needs a rate (units per second)')
      if (def.type === 'deviation') {
        if (def.limit === undefined) throw no('a deviation alarm needs a limit')
        if (def.setpoint === undefined) throw no('a deviation alarm needs a setpoint attribute')
        const sp = byName.get(def.setpoint)
        if (!sp) throw no(`no attribute "${def.setpoint}" for the setpoint`)
        if (sp.dataType !== 'number') throw no(`the setpoint "${def.setpoint}" is not a number`)
      }
      if (def.type === 'stale' && a.expectedIntervalMs === undefined) throw no('a stale alarm needs the attribute\'s expected update interval')
      if (def.type === 'comm' && typeof a.binding?.['connection'] !== 'string') throw no('a comm alarm needs an attribute bound to a connection')
      if (def.suppressWhen !== undefined) {
        let refs: readonly string[]
        try {
          refs = compileExpression(def.suppressWhen).refs
        } catch (e) {
          throw no(`suppressWhen: ${(e as Error).message}`)
        }
        const missing = refs.find((r) => !byName.has(r))
        if (missing !== undefined) throw no(`suppressWhen names no attribute "${missing}"`)
        const loop = reaches(refs, a.name, byName)
        if (loop) throw no(`suppressWhen reads the alarm's own attribute (${loop.join(' -> ')}): a suppression loop`)
      }
    })
  })
}

/** A path from `refs` to `target` through calculated attributes' expressions, if any. */
function reaches(refs: readonly string[], target: string, byName: ReadonlyMap<string, AssetAttribute>): string[] | undefined {
  const seen = new Set<string>()
  const walk = (name: string, path: string[]): string[] | undefined => {
    if (name === target) return [...path, name]
    if (seen.has(name)) return undefined
    seen.add(name)
    const b = byName.get(name)?.binding
    if (b?.kind !== 'calculated' || typeof b['expression'] !== 'string') return undefined
    let inner: readonly string[] = []
    try {
      inner = compileExpression(b['expression']).refs
    } catch {
      return undefined
    }
    for (const r of inner) {
      const hit = walk(r, [...path, name])
      if (hit) return hit
    }
    return undefined
  }
  for (const r of refs) {
    const hit = walk(r, [])
    if (hit) return hit
  }
  return undefined
}
