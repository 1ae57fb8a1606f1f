import type { AssetAttribute } from '../../shared/contract/asset-model'
import type { CommandDef, CommandInput } from '../../shared/contract/command-def'
import { AppError } from '../../shared/model/errors'
import type { SampleValue } from '../../shared/model'
import { compileExpression } from '../assets-model/expression'
import type { CommandKinds } from '../ports/driver'

/** The kinds the command service makes itself, through the binding's driver. */
export const WRITE_KINDS = ['setpoint', 'state'] as const

/** What the operator gives for a command: its own `input`, else by kind. */
export function inputOf(def: CommandDef): CommandInput {
  if (def.input) return def.input
  return def.kind === 'setpoint' ? 'number' : def.kind === 'state' ? 'state' : 'none'
}

/** The driver (by connection kind) that owns a command kind (`setpoint`/`state`: the binding's; else the one registering it). */
export function driverFor(def: CommandDef, at: AssetAttribute, drivers: ReadonlyMap<string, CommandKinds>): { kind: string; driver: CommandKinds } | undefined {
  if ((WRITE_KINDS as readonly string[]).includes(def.kind)) {
    const k = at.binding?.kind
    const d = k === undefined ? undefined : drivers.get(k)
    return d && k !== undefined ? { kind: k, driver: d } : undefined
  }
  for (const [kind, driver] of drivers) if (Object.hasOwn(driver.kinds, def.kind)) return { kind, driver }
  return undefined
}

/** A state's enumeration key as the attribute's value: `"1"` → true for a boolean, 2 for a number, the key for a string. */
export function stateValue(at: Pick<AssetAttribute, 'dataType'>, key: string): SampleValue | undefined {
  if (at.dataType === 'boolean') return key === '1' || key === 'true' ? true : key === '0' || key === 'false' ? false : undefined
  if (at.dataType === 'number') {
    const n = Number(key)
    return key.trim() !== '' && Number.isFinite(n) ? n : undefined
  }
  return key
}

/** The engineering range a number command may set: its own limits, else the attribute's range. */
export function limitsOf(def: CommandDef, at: AssetAttribute): { lo: number; hi: number } | undefined {
  return def.limits ?? (at.range ? { lo: at.range.min, hi: at.range.max } : undefined)
}

/**
 * Checks one command definition against its attribute and the asset's other attributes. Throws
 * `command.bad_definition` naming `at` and the reason.
 */
export function checkCommand(def: CommandDef, a: AssetAttribute, attributes: readonly AssetAttribute[], drivers: ReadonlyMap<string, CommandKinds>, at: string): void {
  const no = (why: string) => new AppError('command.bad_definition', `${at}: ${why}`, { path: at })
  const own = driverFor(def, a, drivers)
  const write = (WRITE_KINDS as readonly string[]).includes(def.kind)
  const input = inputOf(def)
  if (write) {
    if (!a.binding) throw no(`a ${def.kind} command writes to the attribute's bound source: the attribute has no binding`)
    if (!own) throw no(`a ${def.kind} command cannot write through a "${a.binding.kind}" binding`)
    if (!own.driver.writes) throw no(`the ${a.binding.kind} driver cannot write a ${def.kind}: use one of its own kinds (${Object.keys(own.driver.kinds).join(', ') || 'none'})`)
    if (def.kind === 'setpoint' && input !== 'number') throw no('a setpoint takes a number input')
    if (def.kind === 'state' && input !== 'state') throw no('a state command takes a state input')
    if (def.target !== undefined) throw no(`a ${def.kind} command has no target: it writes to the attribute's binding`)
  } else {
    if (!own) {
      const known = [...WRITE_KINDS, ...[...drivers.values()].flatMap((d) => Object.keys(d.kinds))]
      throw no(`unknown command kind "${def.kind}" (known: ${known.join(', ')})`)
    }
    const parsed = own.driver.kinds[def.kind]!.safeParse(def.target ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw no(`target ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`)
    }
    const problem = own.driver.inputProblem?.(def.kind, parsed.data, input)
    if (problem) throw no(problem)
  }
  if (input === 'number') {
    if (a.dataType !== 'number') throw no(`a number input needs a number attribute, not ${a.dataType}`)
    const lim = limitsOf(def, a)
    if (!lim) throw no('a number input needs limits: give the command limits or the attribute a range')
    if (!(lim.lo < lim.hi)) throw no(`limits ${lim.lo}..${lim.hi}: lo must be below hi`)
    if (def.limits && a.range && (def.limits.lo < a.range.min || def.limits.hi > a.range.max)) {
      throw no(`limits ${def.limits.lo}..${def.limits.hi} reach outside the attribute's range ${a.range.min}..${a.range.max}`)
    }
    if (def.maxStep !== undefined && def.maxStep > lim.hi - lim.lo) throw no(`maxStep ${def.maxStep} is larger than the limits ${lim.lo}..${lim.hi}`)
  } else if (def.limits || def.maxStep !== undefined) {
    throw no('limits and maxStep belong to a number input')
  }
  if (input === 'state') {
    if (!a.enumeration || Object.keys(a.enumeration).length === 0) throw no('a state input needs the attribute\'s enumeration (its states)')
    for (const k of def.states ?? Object.keys(a.enumeration)) {
      if (!Object.hasOwn(a.enumeration, k)) throw no(`state "${k}" is not in the attribute's enumeration (${Object.keys(a.enumeration).join(', ')})`)
      if (stateValue(a, k) === undefined) throw no(`state "${k}" is no ${a.dataType} value`)
    }
  } else if (def.states) {
    throw no('states belong to a state input')
  }
  const names = new Set(attributes.map((x) => x.name))
  def.interlocks?.forEach((il, k) => {
    let refs: readonly string[]
    try {
      refs = compileExpression(il.when).refs
    } catch (e) {
      throw no(`interlocks[${k}]: ${(e as Error).message}`)
    }
    const missing = refs.find((r) => !names.has(r))
    if (missing !== undefined) throw no(`interlocks[${k}] names no attribute "${missing}"`)
  })
}

/**
 * Checks every attribute's command definitions (beside the bindings and alarms: every path that saves attributes).
 * Refuses with `command.bad_definition`, the path (`attributes[4] (SpeedSetpoint).commands[0] (sp)`) and the reason:
 * a repeated id; an unknown kind; a setpoint or state on an unbound attribute or through a driver that cannot write;
 * a driver kind's target its driver refuses; a number input without limits, on a non-number, with limits outside the
 * attribute's range or lo ≥ hi, a step larger than the limits; a state input without an enumeration or with a state
 * it lacks; an interlock that does not parse or names a missing attribute.
 */
export function checkCommands(attributes: readonly AssetAttribute[], drivers: ReadonlyMap<string, CommandKinds>, where = 'attributes'): void {
  attributes.forEach((a, i) => {
    const ids = new Set<string>()
    a.commands?.forEach((def, j) => {
      const at = `${where}[${i}] (${a.name}).commands[${j}] (${def.id})`
      if (ids.has(def.id)) throw new AppError('command.bad_definition', `${at}: another command of this attribute has the id "${def.id}"`, { path: at })
      ids.add(def.id)
      checkCommand(def, a, attributes, drivers, at)
    })
  })
}
