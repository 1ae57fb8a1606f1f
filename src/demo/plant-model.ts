/**
 * The demo plant as pure data: what exists, how it is piped, and the physical constants the
 * simulation integrates. Nothing here runs; `simulation.ts` gives it life.
 *
 * Topology of each line (n = 1, 2):
 *
 *   supply ─Valve n01─▶ Tank n01 ─Pump n01─▶ Tank n02 ─Pump n02─▶ out of the line
 *   additive ─Valve n02─────────────────────────▲
 *
 * Each pump is level-controlled on its suction tank (starts at `startAbove`, stops at
 * `stopBelow`), so both tanks fill and drain in a cycle of a few minutes with no operator.
 * Energy meter n01 feeds pump n01, meter n02 feeds pump n02.
 */

/** A buffer tank; level in % of `capacityM3`. */
export interface TankSpec {
  readonly id: string
  readonly capacityM3: number
  /** Level in % at start. */
  readonly initialLevel: number
  /** Temperature the tank settles around, in °C. */
  readonly baseTemperatureC: number
}

/** A variable-speed pump, level-controlled on its suction tank. */
export interface PumpSpec {
  readonly id: string
  /** Suction tank: its level drives the pump's automatic control. */
  readonly from: string
  /** Discharge tank, or null when the pump sends liquid out of the line. */
  readonly to: string | null
  /** Flow at 100 % speed, in m³/h. */
  readonly maxFlowM3h: number
  /** Motor current at 100 % speed, in A. */
  readonly ratedCurrentA: number
  /** Motor current of a running pump at zero speed (magnetising current), in A. */
  readonly idleCurrentA: number
  readonly initialSetpoint: number
  readonly initiallyRunning: boolean
  /** Hysteresis of the level controller, on the suction tank's level in %. */
  readonly startAbove: number
  readonly stopBelow: number
}

/** A control valve feeding a tank from a supply outside the model. */
export interface ValveSpec {
  readonly id: string
  /** Tank the valve feeds. */
  readonly feeds: string
  /** Flow when fully open, in m³/h. */
  readonly maxFlowM3h: number
  /** In automatic, the position follows a slow demand profile: base ± amplitude over a period. */
  readonly autoBase: number
  readonly autoAmplitude: number
  readonly autoPeriodS: number
}

/** A three-phase energy meter on a pump feeder (an MQTT device). */
export interface MeterSpec {
  readonly id: string
  /** The pump whose motor the meter measures. */
  readonly pump: string
  /** Lighting, controls and heat tracing on the same feeder, in kW. */
  readonly baseLoadKw: number
  readonly initialImportKwh: number
}

/** A process line: its assets, ids unique across the plant. */
export interface LineSpec {
  readonly id: string
  /** Lower-case topic segment for the line's MQTT devices. */
  readonly topicSegment: string
  readonly tanks: readonly TankSpec[]
  readonly pumps: readonly PumpSpec[]
  readonly valves: readonly ValveSpec[]
  readonly meters: readonly MeterSpec[]
}

/** An environmental sensor (an MQTT device), outside the process lines. */
export interface EnvSensorSpec {
  readonly id: string
  readonly location: string
  readonly baseTemperatureC: number
  readonly baseHumidity: number
  readonly baseCo2Ppm: number
}

/** The whole plant and the constants shared by its parts. */
export interface PlantModel {
  readonly name: string
  readonly lines: readonly LineSpec[]
  readonly envSensors: readonly EnvSensorSpec[]
  /** Safety interlocks, in % level; they override the operator as well as the controllers. */
  readonly highLevel: number
  readonly lowLevel: number
  /** How long an operator command (Start, Stop, Open, Close) holds before automatic resumes. */
  readonly manualHoldS: number
  /**
   * Motor-protection trips: each pump trips now and then while running, on average once per `pumpTripEveryS` of
   * simulated time (drawn from the seed, between half and one and a half of it), and resets by itself after
   * `pumpTripResetS`. A tripped pump stops and refuses to start until then.
   */
  readonly pumpTripEveryS: number
  readonly pumpTripResetS: number
  /** Ramp rates, in % per second. */
  readonly pumpRampPctPerS: number
  readonly valveTravelPctPerS: number
  /** Phase-to-neutral supply voltage, V, and motor power factor, for the meters. */
  readonly supplyVoltage: number
  readonly powerFactor: number
}

function line(n: 1 | 2): LineSpec {
  // Line 2 is a little bigger and slower, so the two lines never cycle in step.
  const scale = n === 1 ? 1 : 1.3
  const id = (kind: string, k: number): string => `${kind}${n}0${k}`
  return {
    id: `Line${n}`,
    topicSegment: `line${n}`,
    tanks: [
      { id: id('Tank', 1), capacityM3: 3 * scale, initialLevel: n === 1 ? 45 : 62, baseTemperatureC: 16 + n },
      { id: id('Tank', 2), capacityM3: 6 * scale, initialLevel: n === 1 ? 30 : 71, baseTemperatureC: 40 + 2 * n },
    ],
    pumps: [
      {
        id: id('Pump', 1), from: id('Tank', 1), to: id('Tank', 2), maxFlowM3h: 60, ratedCurrentA: 32, idleCurrentA: 6,
        initialSetpoint: 70, initiallyRunning: n === 2, startAbove: 80, stopBelow: 20,
      },
      {
        id: id('Pump', 2), from: id('Tank', 2), to: null, maxFlowM3h: 80, ratedCurrentA: 41, idleCurrentA: 8,
        initialSetpoint: 75, initiallyRunning: false, startAbove: 80, stopBelow: 20,
      },
    ],
    valves: [
      { id: id('Valve', 1), feeds: id('Tank', 1), maxFlowM3h: 40, autoBase: 50, autoAmplitude: 20, autoPeriodS: 600 * scale },
      { id: id('Valve', 2), feeds: id('Tank', 2), maxFlowM3h: 20, autoBase: 30, autoAmplitude: 10, autoPeriodS: 420 * scale },
    ],
    meters: [
      { id: id('EM', 1), pump: id('Pump', 1), baseLoadKw: 1.2, initialImportKwh: 18_342.5 * n },
      { id: id('EM', 2), pump: id('Pump', 2), baseLoadKw: 0.8, initialImportKwh: 23_117.2 * n },
    ],
  }
}

/** The plant every new user sees. */
export const DEMO_PLANT: PlantModel = {
  name: 'Demo plant',
  lines: [line(1), line(2)],
  envSensors: [
    { id: 'ES201', location: 'Pump house', baseTemperatureC: 22, baseHumidity: 45, baseCo2Ppm: 520 },
    { id: 'ES202', location: 'Electrical room', baseTemperatureC: 27, baseHumidity: 38, baseCo2Ppm: 470 },
    { id: 'ES203', location: 'Outdoor', baseTemperatureC: 12, baseHumidity: 68, baseCo2Ppm: 430 },
  ],
  highLevel: 95,
  lowLevel: 5,
  manualHoldS: 300,
  pumpTripEveryS: 600,
  pumpTripResetS: 60,
  pumpRampPctPerS: 20,
  valveTravelPctPerS: 10,
  supplyVoltage: 230,
  powerFactor: 0.85,
}
