import { DEMO_PLANT, type PlantModel, type PumpSpec, type ValveSpec } from './plant-model'

/** A tank as the simulation sees it. */
export interface TankState {
  /** % of capacity, always within 0..100. */
  level: number
  temperature: number
}

/** A pump: what it was told to do and what it does. */
export interface PumpState {
  /** Commanded state: the motor is energised. Speed follows with a ramp. */
  running: boolean
  /** % of full speed. */
  speed: number
  /** % of full speed the pump ramps to while running. */
  setpoint: number
  flow: number
  current: number
  /** Simulated time at which an operator command stops overriding the controller; null in automatic. */
  manualUntil: number | null
  /** Motor protection tripped: stopped, and nothing starts it until `resetAt`. */
  tripped: boolean
  /** Simulated time of the next trip (the first moment after it that the pump runs). */
  nextTripAt: number
  /** When a trip resets by itself; null while not tripped. */
  resetAt: number | null
  trips: number
  /** Seed of this pump's next trip interval (its own stream, so the trips never shift the plant's noise). */
  tripRng: number
}

/** A pump's discrete state, as its `State` value carries it: 0 Stopped, 1 Running, 2 Tripped. */
export const PUMP_STATES = { '0': 'Stopped', '1': 'Running', '2': 'Tripped' } as const
export const PUMP_TRIPPED = 2

export function pumpState(p: PumpState): 0 | 1 | 2 {
  return p.tripped ? PUMP_TRIPPED : p.running ? 1 : 0
}

/** A valve and where its actuator is heading. */
export interface ValveState {
  /** % open. */
  position: number
  /** % open the actuator travels to. */
  target: number
  manualUntil: number | null
}

/** One value per phase of a three-phase supply. */
export interface Phases {
  l1: number
  l2: number
  l3: number
}

/** An energy meter's readings. */
export interface MeterState {
  voltage: Phases
  current: Phases
  /** kW per phase. */
  power: Phases
  /** Only ever increases. */
  importKwh: number
}

/** An environmental sensor's readings: °C, % relative humidity, ppm. */
export interface EnvState {
  temperature: number
  humidity: number
  co2: number
}

/** Everything that changes. Plain data: clone it, log it, compare it. */
export interface PlantState {
  /** Simulated seconds since start. */
  t: number
  /** Seed of the next random draw; keeping it in the state makes `step` deterministic. */
  rng: number
  tanks: Record<string, TankState>
  pumps: Record<string, PumpState>
  valves: Record<string, ValveState>
  meters: Record<string, MeterState>
  env: Record<string, EnvState>
}

/** What an operator can ask of the plant. */
export type PlantCommand =
  | { kind: 'start' | 'stop'; pump: string }
  | { kind: 'open' | 'close'; valve: string }
  | { kind: 'setpoint'; pump: string; value: number }

/** The new state, or why the plant refused (and the state is unchanged). */
export type CommandOutcome =
  | { ok: true; state: PlantState }
  | { ok: false; reason: 'unknown_target' | 'out_of_range' | 'interlock'; message: string }

const PHASE_IMBALANCE: Phases = { l1: 1, l2: 0.97, l3: 1.03 }

/** Looks an id up in a state record; an unknown id is a programming error. */
export function entry<T>(record: Record<string, T>, id: string): T {
  const value = record[id]
  if (value === undefined) throw new Error(`demo plant: unknown id ${id}`)
  return value
}

/** The plant at t = 0, with every actuator in automatic. */
export function initialState(model: PlantModel = DEMO_PLANT, seed = 1): PlantState {
  const state: PlantState = { t: 0, rng: seed | 0, tanks: {}, pumps: {}, valves: {}, meters: {}, env: {} }
  for (const line of model.lines) {
    for (const tank of line.tanks) state.tanks[tank.id] = { level: tank.initialLevel, temperature: tank.baseTemperatureC }
    for (const pump of line.pumps) {
      const [u, tripRng] = draw(Math.imul((seed | 0) ^ 0x5bd1e995, Object.keys(state.pumps).length + 1))
      state.pumps[pump.id] = {
        running: pump.initiallyRunning, speed: 0, setpoint: pump.initialSetpoint, flow: 0, current: 0, manualUntil: null,
        tripped: false, nextTripAt: model.pumpTripEveryS * (0.5 + u), resetAt: null, trips: 0, tripRng,
      }
    }
    for (const valve of line.valves) {
      state.valves[valve.id] = { position: valve.autoBase, target: valve.autoBase, manualUntil: null }
    }
    for (const meter of line.meters) {
      const v = model.supplyVoltage
      state.meters[meter.id] = { voltage: { l1: v, l2: v, l3: v }, current: { l1: 0, l2: 0, l3: 0 }, power: { l1: 0, l2: 0, l3: 0 }, importKwh: meter.initialImportKwh }
    }
  }
  for (const sensor of model.envSensors) {
    state.env[sensor.id] = { temperature: sensor.baseTemperatureC, humidity: sensor.baseHumidity, co2: sensor.baseCo2Ppm }
  }
  return state
}

/**
 * Advances the plant by `dtSeconds` (> 0). Pure: returns a new state and leaves `state` alone;
 * the same state, dt and model always give the same result. Order within a step: controllers and
 * interlocks decide, actuators ramp, flows follow, tanks integrate, meters and sensors read.
 */
export function step(state: PlantState, dtSeconds: number, model: PlantModel = DEMO_PLANT): PlantState {
  const next = structuredClone(state)
  const dt = dtSeconds
  next.t += dt
  const random = (): number => {
    // mulberry32: tiny, good enough for noise, and its whole state is one int.
    next.rng = (next.rng + 0x6d2b79f5) | 0
    let x = Math.imul(next.rng ^ (next.rng >>> 15), 1 | next.rng)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  // Ornstein-Uhlenbeck: pulled toward target with time constant tau, uniform noise of std sigma·√dt.
  const relax = (x: number, target: number, tauS: number, sigma: number): number =>
    x + (target - x) * Math.min(1, dt / tauS) + sigma * Math.sqrt(3 * dt) * (2 * random() - 1)
  const wave = (periodS: number, phase: number): number => Math.sin((2 * Math.PI * next.t) / periodS + phase)

  const inflow: Record<string, number> = {}
  const addFlow = (tankId: string | null, m3h: number): void => {
    if (tankId !== null) inflow[tankId] = (inflow[tankId] ?? 0) + m3h
  }

  for (const line of model.lines) {
    for (const spec of line.pumps) {
      const pump = entry(next.pumps, spec.id)
      trip(model, pump, next.t)
      controlPump(model, spec, pump, next)
      pump.speed = approach(pump.speed, pump.running ? pump.setpoint : 0, model.pumpRampPctPerS * dt)
      // Real flow and motor current ripple by a percent or so around their ideal values; a flat line looks dead.
      const ripple = pump.speed > 0 ? 1 + 0.01 * (2 * random() - 1) : 1
      pump.flow = ((spec.maxFlowM3h * pump.speed) / 100) * ripple
      pump.current = pump.running || pump.speed > 0 ? (spec.idleCurrentA + ((spec.ratedCurrentA - spec.idleCurrentA) * pump.speed) / 100) * ripple : 0
      addFlow(spec.from, -pump.flow)
      addFlow(spec.to, pump.flow)
    }
    for (const spec of line.valves) {
      const valve = entry(next.valves, spec.id)
      controlValve(model, spec, valve, next)
      valve.position = approach(valve.position, valve.target, model.valveTravelPctPerS * dt)
      addFlow(spec.feeds, (spec.maxFlowM3h * valve.position) / 100)
    }
  }

  let phase = 0
  for (const line of model.lines) {
    for (const spec of line.tanks) {
      const tank = entry(next.tanks, spec.id)
      const deltaPct = (((inflow[spec.id] ?? 0) * dt) / 3600 / spec.capacityM3) * 100
      tank.level = clamp(tank.level + deltaPct, 0, 100)
      tank.temperature = relax(tank.temperature, spec.baseTemperatureC + 1.5 * wave(1200, phase++), 300, 0.03)
    }
    for (const spec of line.meters) {
      const meter = entry(next.meters, spec.id)
      const motorA = entry(next.pumps, spec.pump).current
      const baseA = (spec.baseLoadKw * 1000) / (3 * model.supplyVoltage * model.powerFactor)
      for (const ph of ['l1', 'l2', 'l3'] as const) {
        const motorPhaseA = motorA * PHASE_IMBALANCE[ph]
        // Heavier load, slightly lower voltage: the feeder's impedance shows.
        meter.voltage[ph] = relax(meter.voltage[ph], model.supplyVoltage - 0.04 * motorPhaseA, 5, 0.3)
        meter.current[ph] = motorPhaseA + baseA
        meter.power[ph] = (meter.voltage[ph] * meter.current[ph] * model.powerFactor) / 1000
      }
      meter.importKwh += ((meter.power.l1 + meter.power.l2 + meter.power.l3) * dt) / 3600
    }
  }

  model.envSensors.forEach((spec, i) => {
    const env = entry(next.env, spec.id)
    const daily = wave(1800, i)
    env.temperature = relax(env.temperature, spec.baseTemperatureC + 2 * daily, 120, 0.03)
    env.humidity = clamp(relax(env.humidity, spec.baseHumidity - 4 * daily, 120, 0.1), 0, 100)
    env.co2 = Math.max(350, relax(env.co2, spec.baseCo2Ppm + 75 * (1 + wave(900, 2 * i)), 60, 3))
  })
  return next
}

/**
 * Applies an operator command. Pure. Start, Stop, Open and Close hold for `model.manualHoldS`
 * before automatic control resumes; a setpoint only changes what a running pump ramps to.
 * Refused: an unknown target, a setpoint outside 0..100, and anything an interlock forbids.
 */
export function applyCommand(state: PlantState, command: PlantCommand, model: PlantModel = DEMO_PLANT): CommandOutcome {
  const next = structuredClone(state)
  const holdUntil = next.t + model.manualHoldS
  switch (command.kind) {
    case 'open':
    case 'close': {
      const spec = model.lines.flatMap((l) => l.valves).find((v) => v.id === command.valve)
      const valve = next.valves[command.valve]
      if (spec === undefined || valve === undefined) return unknown(command.valve)
      const reason = command.kind === 'open' ? valveInterlock(model, spec, next) : null
      if (reason !== null) return { ok: false, reason: 'interlock', message: `${spec.id} cannot open: ${reason}` }
      valve.target = command.kind === 'open' ? 100 : 0
      valve.manualUntil = holdUntil
      return { ok: true, state: next }
    }
    case 'start':
    case 'stop':
    case 'setpoint': {
      const spec = model.lines.flatMap((l) => l.pumps).find((p) => p.id === command.pump)
      const pump = next.pumps[command.pump]
      if (spec === undefined || pump === undefined) return unknown(command.pump)
      if (command.kind === 'setpoint') {
        if (!Number.isFinite(command.value) || command.value < 0 || command.value > 100) {
          return { ok: false, reason: 'out_of_range', message: `${spec.id} speed setpoint must be within 0..100 %, got ${command.value}` }
        }
        pump.setpoint = command.value
        return { ok: true, state: next }
      }
      const reason = command.kind === 'start' ? pumpInterlock(model, spec, next) : null
      if (reason !== null) return { ok: false, reason: 'interlock', message: `${spec.id} cannot start: ${reason}` }
      pump.running = command.kind === 'start'
      pump.manualUntil = holdUntil
      return { ok: true, state: next }
    }
  }
}

/** A running pump trips once its time came; a tripped one resets after `pumpTripResetS` and draws its next trip. */
function trip(model: PlantModel, pump: PumpState, t: number): void {
  if (pump.tripped) {
    if (pump.resetAt !== null && t >= pump.resetAt) {
      const [u, rng] = draw(pump.tripRng)
      pump.tripped = false
      pump.resetAt = null
      pump.tripRng = rng
      pump.nextTripAt = t + model.pumpTripEveryS * (0.5 + u)
    }
    return
  }
  if (pump.running && t >= pump.nextTripAt) {
    pump.tripped = true
    pump.running = false
    pump.trips++
    pump.resetAt = t + model.pumpTripResetS
  }
}

/** mulberry32 on its own state: a number in [0, 1) and the next state. */
function draw(rng: number): [number, number] {
  const next = (rng + 0x6d2b79f5) | 0
  let x = Math.imul(next ^ (next >>> 15), 1 | next)
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
  return [((x ^ (x >>> 14)) >>> 0) / 4294967296, next]
}

function controlPump(model: PlantModel, spec: PumpSpec, pump: PumpState, state: PlantState): void {
  if (pump.manualUntil !== null && state.t >= pump.manualUntil) pump.manualUntil = null
  if (pump.manualUntil === null) {
    // Between the two thresholds the pump keeps doing what it did: that is the hysteresis.
    const level = entry(state.tanks, spec.from).level
    if (level >= spec.startAbove) pump.running = true
    else if (level <= spec.stopBelow) pump.running = false
  }
  if (pump.running && pumpInterlock(model, spec, state) !== null) pump.running = false
}

function controlValve(model: PlantModel, spec: ValveSpec, valve: ValveState, state: PlantState): void {
  if (valve.manualUntil !== null && state.t >= valve.manualUntil) valve.manualUntil = null
  if (valve.manualUntil === null) {
    valve.target = spec.autoBase + spec.autoAmplitude * Math.sin((2 * Math.PI * state.t) / spec.autoPeriodS)
  }
  if (valveInterlock(model, spec, state) !== null) valve.target = 0
}

function pumpInterlock(model: PlantModel, spec: PumpSpec, state: PlantState): string | null {
  const pump = entry(state.pumps, spec.id)
  if (pump.tripped) return `its motor protection tripped; it resets by itself at t = ${Math.round(pump.resetAt ?? state.t)} s`
  if (entry(state.tanks, spec.from).level < model.lowLevel) return `${spec.from} is below ${model.lowLevel} % (dry-run protection)`
  if (spec.to !== null && entry(state.tanks, spec.to).level >= model.highLevel) {
    return `${spec.to} is above ${model.highLevel} % (overflow protection)`
  }
  return null
}

function valveInterlock(model: PlantModel, spec: ValveSpec, state: PlantState): string | null {
  return entry(state.tanks, spec.feeds).level >= model.highLevel ? `${spec.feeds} is above ${model.highLevel} % (overflow protection)` : null
}

function unknown(id: string): CommandOutcome {
  return { ok: false, reason: 'unknown_target', message: `the demo plant has no ${id}` }
}

function approach(value: number, target: number, maxDelta: number): number {
  return value < target ? Math.min(target, value + maxDelta) : Math.max(target, value - maxDelta)
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}
