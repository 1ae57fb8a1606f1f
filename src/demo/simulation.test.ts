import { describe, expect, it } from 'vitest'
import { DEMO_PLANT } from './plant-model'
import { checkAlarms } from '../core/assets-model/alarm-check'
import { demoTemplates } from './demo-templates'
import { applyCommand, entry, initialState, pumpState, PUMP_TRIPPED, step, type PlantCommand, type PlantState } from './simulation'

const M = DEMO_PLANT

function run(state: PlantState, seconds: number, dt = 0.5): PlantState {
  let s = state
  for (let t = 0; t < seconds - 1e-9; t += dt) s = step(s, dt)
  return s
}

function command(state: PlantState, cmd: PlantCommand): PlantState {
  const outcome = applyCommand(state, cmd)
  if (!outcome.ok) throw new Error(outcome.message)
  return outcome.state
}

/** Line 1 with its inlet valve held wide open and Pump101 held stopped: Tank101 only fills. */
function fillingTank101(level: number): PlantState {
  let s = initialState()
  entry(s.tanks, 'Tank101').level = level
  s = command(command(s, { kind: 'open', valve: 'Valve101' }), { kind: 'stop', pump: 'Pump101' })
  entry(s.valves, 'Valve101').position = 100
  return s
}

describe('tank levels', () => {
  it('rise by exactly the inflow when nothing flows out', () => {
    const before = fillingTank101(40)
    const after = step(before, 10)
    // 40 m³/h for 10 s into a 3 m³ tank.
    expect(entry(after.tanks, 'Tank101').level - 40).toBeCloseTo(((40 * 10) / 3600 / 3) * 100, 6)
  })

  it('fall when the pump takes out more than the valve lets in', () => {
    let s = command(initialState(), { kind: 'close', valve: 'Valve101' })
    s = command(s, { kind: 'start', pump: 'Pump101' })
    s = run(s, 30)
    expect(entry(s.tanks, 'Tank101').level).toBeLessThan(45 - 5)
    expect(entry(s.tanks, 'Tank102').level).toBeGreaterThan(30 + 5)
  })

  it('clamp at 100 % and at 0 %, even over a huge step', () => {
    const full = step(fillingTank101(94.9), 120)
    expect(entry(full.tanks, 'Tank101').level).toBe(100)

    let s = command(command(initialState(), { kind: 'close', valve: 'Valve101' }), { kind: 'setpoint', pump: 'Pump101', value: 100 })
    s = command(s, { kind: 'start', pump: 'Pump101' })
    entry(s.valves, 'Valve101').position = 0
    entry(s.pumps, 'Pump101').speed = 100
    entry(s.tanks, 'Tank101').level = 6
    expect(entry(step(s, 120).tanks, 'Tank101').level).toBe(0)
  })
})

describe('actuators', () => {
  it('ramp pump speed at the configured rate up to the setpoint', () => {
    let s = command(initialState(), { kind: 'start', pump: 'Pump101' })
    s = step(s, 1)
    expect(entry(s.pumps, 'Pump101').speed).toBeCloseTo(M.pumpRampPctPerS, 9)
    s = run(s, 10)
    const pump = entry(s.pumps, 'Pump101')
    expect(pump.speed).toBe(70)
    // flow and current ripple within ±1 % of their ideal values
    expect(Math.abs(pump.flow / (0.7 * 60) - 1)).toBeLessThanOrEqual(0.01)
    expect(Math.abs(pump.current / (6 + 0.7 * (32 - 6)) - 1)).toBeLessThanOrEqual(0.01)
    expect(pump.flow).not.toBe(run(s, 1).pumps['Pump101']!.flow)
  })

  it('bring a stopped pump to zero speed, flow and current', () => {
    let s = run(command(initialState(), { kind: 'start', pump: 'Pump101' }), 10)
    s = command(s, { kind: 'stop', pump: 'Pump101' })
    s = step(s, 1)
    expect(entry(s.pumps, 'Pump101').speed).toBeCloseTo(70 - M.pumpRampPctPerS, 9)
    expect(entry(s.pumps, 'Pump101').current).toBeGreaterThan(0)
    s = run(s, 5)
    expect(entry(s.pumps, 'Pump101')).toMatchObject({ running: false, speed: 0, flow: 0, current: 0 })
  })

  it('follow a new setpoint while running', () => {
    let s = run(command(initialState(), { kind: 'start', pump: 'Pump101' }), 10)
    s = run(command(s, { kind: 'setpoint', pump: 'Pump101', value: 30 }), 1)
    expect(entry(s.pumps, 'Pump101').speed).toBeCloseTo(70 - M.pumpRampPctPerS, 9)
    expect(entry(run(s, 5).pumps, 'Pump101').speed).toBe(30)
  })

  it('travel valves at the configured rate', () => {
    let s = command(initialState(), { kind: 'close', valve: 'Valve101' })
    s = step(s, 2)
    expect(entry(s.valves, 'Valve101').position).toBeCloseTo(50 - 2 * M.valveTravelPctPerS, 9)
    expect(entry(run(s, 5).valves, 'Valve101').position).toBe(0)
  })
})

describe('level controller', () => {
  const withTank101 = (level: number, running: boolean): PlantState => {
    const s = initialState()
    entry(s.tanks, 'Tank101').level = level
    entry(s.pumps, 'Pump101').running = running
    return s
  }
  const runsAfter = (s: PlantState): boolean => entry(step(s, 0.001).pumps, 'Pump101').running

  it('starts the pump above 80 % and stops it below 20 %, keeping its state in between', () => {
    expect(runsAfter(withTank101(81, false))).toBe(true)
    expect(runsAfter(withTank101(50, false))).toBe(false)
    expect(runsAfter(withTank101(50, true))).toBe(true)
    expect(runsAfter(withTank101(21, true))).toBe(true)
    expect(runsAfter(withTank101(19, true))).toBe(false)
  })

  it('leaves an operator command alone until the manual hold expires', () => {
    let s = command(withTank101(85, true), { kind: 'stop', pump: 'Pump101' })
    entry(s.valves, 'Valve101').target = 0
    s = step(s, M.manualHoldS - 1)
    expect(entry(s.pumps, 'Pump101')).toMatchObject({ running: false, manualUntil: M.manualHoldS })
    entry(s.tanks, 'Tank101').level = 85
    s = step(s, 2)
    expect(entry(s.pumps, 'Pump101')).toMatchObject({ running: true, manualUntil: null })
  })

  it('keeps the unattended plant cycling: every tank fills and drains, every pump starts and stops', () => {
    let s = initialState()
    const levels = new Map<string, number[]>()
    const runs = new Map<string, Set<boolean>>()
    for (let i = 0; i < 2 * 3600; i++) {
      s = step(s, 1)
      for (const [id, tank] of Object.entries(s.tanks)) levels.set(id, [...(levels.get(id) ?? []), tank.level])
      for (const [id, pump] of Object.entries(s.pumps)) runs.set(id, (runs.get(id) ?? new Set()).add(pump.running))
    }
    for (const [id, series] of levels) {
      expect(Math.min(...series.slice(-1800)), id).toBeLessThan(30)
      expect(Math.max(...series.slice(-1800)), id).toBeGreaterThan(70)
    }
    for (const [id, seen] of runs) expect([...seen].sort(), id).toEqual([false, true])
  })
})

describe('interlocks and refusals', () => {
  it('refuses to start a pump on a nearly empty tank, and trips one that gets there', () => {
    const s = initialState()
    entry(s.tanks, 'Tank101').level = M.lowLevel - 1
    expect(applyCommand(s, { kind: 'start', pump: 'Pump101' })).toMatchObject({ ok: false, reason: 'interlock' })
    entry(s.pumps, 'Pump101').running = true
    expect(entry(step(s, 0.1).pumps, 'Pump101').running).toBe(false)
  })

  it('closes an inlet valve on a full tank, whatever the operator asked', () => {
    const s = fillingTank101(90)
    entry(s.tanks, 'Tank101').level = M.highLevel + 1
    expect(entry(step(s, 1).valves, 'Valve101').target).toBe(0)
    expect(applyCommand(s, { kind: 'open', valve: 'Valve101' })).toMatchObject({ ok: false, reason: 'interlock' })
  })

  it('refuses setpoints outside 0..100 and unknown targets, leaving the state alone', () => {
    const s = initialState()
    for (const value of [-1, 100.5, Number.NaN]) {
      expect(applyCommand(s, { kind: 'setpoint', pump: 'Pump101', value })).toMatchObject({ ok: false, reason: 'out_of_range' })
    }
    expect(applyCommand(s, { kind: 'stop', pump: 'Pump999' })).toMatchObject({ ok: false, reason: 'unknown_target' })
    expect(s).toEqual(initialState())
  })
})

describe('meters, sensors and determinism', () => {
  it('meter power follows its pump, and imported energy only grows', () => {
    let s = run(command(initialState(), { kind: 'start', pump: 'Pump101' }), 10)
    const total = (st: PlantState): number => {
      const p = entry(st.meters, 'EM101').power
      return p.l1 + p.l2 + p.l3
    }
    const running = total(s)
    const energy = entry(s.meters, 'EM101').importKwh
    s = run(command(s, { kind: 'stop', pump: 'Pump101' }), 10)
    expect(running).toBeGreaterThan(10)
    expect(total(s)).toBeLessThan(2)
    expect(total(s)).toBeGreaterThan(0)
    expect(entry(s.meters, 'EM101').importKwh).toBeGreaterThan(energy)
    expect(entry(s.meters, 'EM101').voltage.l1).toBeCloseTo(M.supplyVoltage, -1)
  })

  it('is pure and deterministic for a given seed', () => {
    const start = initialState(M, 42)
    const copy = structuredClone(start)
    const a = run(start, 60)
    expect(start).toEqual(copy)
    expect(run(initialState(M, 42), 60)).toEqual(a)
    expect(run(initialState(M, 7), 60).tanks).not.toEqual(a.tanks)
  })

  it('keeps environmental readings plausible', () => {
    const s = run(initialState(), 3600, 5)
    for (const env of Object.values(s.env)) {
      expect(env.temperature).toBeGreaterThan(-20)
      expect(env.temperature).toBeLessThan(50)
      expect(env.humidity).toBeGreaterThanOrEqual(0)
      expect(env.humidity).toBeLessThanOrEqual(100)
      expect(env.co2).toBeGreaterThanOrEqual(350)
    }
  })
})

describe('pump trips', () => {
  /** Steps of 0.5 s (the demo's tick is shorter; the trip does not depend on it) for `seconds`; every pump's State at every step. */
  function follow(seed: number, seconds: number) {
    let s = initialState(M, seed)
    const states = new Map<string, number[]>()
    for (let i = 0; i < seconds * 2; i++) {
      s = step(s, 0.5)
      for (const [id, p] of Object.entries(s.pumps)) states.set(id, [...(states.get(id) ?? []), pumpState(p)])
    }
    return { s, states }
  }
  const N = 2 * 1800 // ticks of 0.5 s: half an hour of simulated time

  it(`a running pump trips within ${N} ticks, stops, refuses to start, and resets by itself after ${M.pumpTripResetS} s`, () => {
    const { states } = follow(1, 1800)
    const tripped = [...states].filter(([, seq]) => seq.includes(PUMP_TRIPPED))
    expect(tripped.length).toBeGreaterThan(0)
    for (const [id, seq] of tripped) {
      const at = seq.indexOf(PUMP_TRIPPED)
      expect(seq[at - 1], `${id} was running when it tripped`).toBe(1)
      const back = seq.findIndex((v, i) => i > at && v !== PUMP_TRIPPED)
      expect(back, `${id} reset`).toBeGreaterThan(at)
      expect((back - at) / 2, `${id} tripped for the reset time`).toBeCloseTo(M.pumpTripResetS, 0)
    }
    // while tripped: stopped, and Start is refused by the interlock
    let s = initialState(M, 1)
    while (!Object.values(s.pumps).some((p) => p.tripped)) s = step(s, 0.5)
    const [id, p] = Object.entries(s.pumps).find(([, x]) => x.tripped)!
    expect(p).toMatchObject({ running: false, trips: 1 })
    expect(applyCommand(s, { kind: 'start', pump: id })).toMatchObject({ ok: false, reason: 'interlock', message: expect.stringContaining('motor protection tripped') })
    expect(entry(step(s, 1).pumps, id).speed).toBeLessThan(p.speed + 1e-9)
  })

  it('trips again after the reset, now and then; the same seed trips at the same times, another seed at others', () => {
    const a = follow(1, 3600)
    const b = follow(1, 3600)
    expect(a.states).toEqual(b.states)
    const trips = Object.values(a.s.pumps).reduce((n, p) => n + p.trips, 0)
    expect(trips).toBeGreaterThanOrEqual(4) // four pumps, an hour: a trip every few minutes across the plant
    expect(Object.values(a.s.pumps).some((p) => p.trips >= 2)).toBe(true)
    expect(follow(7, 3600).states).not.toEqual(a.states)
  })

  it('the pump template carries a discrete "tripped" alarm on State that the model\'s checks accept', () => {
    const pump = demoTemplates(M, 1).find((t) => t.id === 'centrifugal-pump')!
    const st = pump.attributes.find((a) => a.name === 'State')!
    expect(st.enumeration?.[String(PUMP_TRIPPED)]).toBe('Tripped')
    expect(st.alarms).toEqual([expect.objectContaining({ id: 'tripped', type: 'discrete', value: PUMP_TRIPPED, priority: 'high', guidance: expect.stringContaining('resets') })])
    expect(() => checkAlarms([st], 'centrifugal-pump')).not.toThrow()
    expect(() => checkAlarms([{ ...st, alarms: [{ ...st.alarms![0]!, value: undefined }] }], 'centrifugal-pump')).toThrow(/discrete/)
  })
})
