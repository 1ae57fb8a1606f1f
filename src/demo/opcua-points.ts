import type { PlantModel } from './plant-model'
import { entry, PUMP_STATES, pumpState, type PlantCommand, type PlantState } from './simulation'

/** One variable of an asset: how to read it from the state, and what a client may write. */
export interface OpcuaVariablePoint {
  /** Browse name, and the last segment of the NodeId (`Level`, `Speed`). */
  readonly attribute: string
  readonly dataType: 'number' | 'boolean'
  readonly unit?: string
  readonly range?: [number, number]
  /** A discrete number (an Int32 on the server, no unit): its labels by value. */
  readonly enumeration?: Readonly<Record<string, string>>
  readonly description: string
  read(state: PlantState): number | boolean
  /** Present on writable variables: the command a written value becomes. */
  readonly write?: (value: number) => PlantCommand
}

export interface OpcuaMethodPoint {
  readonly name: 'Start' | 'Stop' | 'Open' | 'Close'
  readonly description: string
  readonly command: PlantCommand
}

/** A tank, pump or valve: one UA object under its line, with its variables and methods. */
export interface OpcuaAssetPoint {
  readonly line: string
  readonly id: string
  readonly kind: 'tank' | 'pump' | 'valve'
  readonly variables: readonly OpcuaVariablePoint[]
  readonly methods: readonly OpcuaMethodPoint[]
}

/** Dotted path of an asset member, e.g. `Line1.Pump101.Speed`: the string part of its NodeId. */
export function pointPath(asset: OpcuaAssetPoint, member: string): string {
  return `${asset.line}.${asset.id}.${member}`
}

/** A NodeId as a client writes it: `ns=<namespaceIndex>;s=<path>`. */
export function opcuaNodeId(namespaceIndex: number, path: string): string {
  return `ns=${namespaceIndex};s=${path}`
}

const PERCENT: [number, number] = [0, 100]

/** Everything the demo OPC UA server exposes, in address-space order. */
export function opcuaAssets(model: PlantModel): OpcuaAssetPoint[] {
  return model.lines.flatMap((line): OpcuaAssetPoint[] => [
    ...line.tanks.map((tank): OpcuaAssetPoint => ({
      line: line.id,
      id: tank.id,
      kind: 'tank',
      methods: [],
      variables: [
        { attribute: 'Level', dataType: 'number', unit: '%', range: PERCENT, description: `Fill level of ${tank.id} (${tank.capacityM3.toFixed(1)} m³)`, read: (s) => entry(s.tanks, tank.id).level },
        { attribute: 'Temperature', dataType: 'number', unit: '°C', range: [0, 100], description: `Liquid temperature in ${tank.id}`, read: (s) => entry(s.tanks, tank.id).temperature },
      ],
    })),
    ...line.pumps.map((pump): OpcuaAssetPoint => ({
      line: line.id,
      id: pump.id,
      kind: 'pump',
      methods: [
        { name: 'Start', description: `Start ${pump.id} (holds for ${model.manualHoldS} s, then automatic resumes)`, command: { kind: 'start', pump: pump.id } },
        { name: 'Stop', description: `Stop ${pump.id} (holds for ${model.manualHoldS} s, then automatic resumes)`, command: { kind: 'stop', pump: pump.id } },
      ],
      variables: [
        { attribute: 'Running', dataType: 'boolean', description: `${pump.id} motor energised`, read: (s) => entry(s.pumps, pump.id).running },
        { attribute: 'State', dataType: 'number', enumeration: PUMP_STATES, description: `${pump.id} state: 0 Stopped, 1 Running, 2 Tripped (motor protection; resets by itself after ${model.pumpTripResetS} s)`, read: (s) => pumpState(entry(s.pumps, pump.id)) },
        { attribute: 'Speed', dataType: 'number', unit: '%', range: PERCENT, description: `${pump.id} actual speed`, read: (s) => entry(s.pumps, pump.id).speed },
        { attribute: 'Flow', dataType: 'number', unit: 'm³/h', range: [0, pump.maxFlowM3h], description: `${pump.id} discharge flow, ${pump.from} to ${pump.to ?? 'out of the line'}`, read: (s) => entry(s.pumps, pump.id).flow },
        { attribute: 'MotorCurrent', dataType: 'number', unit: 'A', range: [0, pump.ratedCurrentA], description: `${pump.id} motor current`, read: (s) => entry(s.pumps, pump.id).current },
        {
          attribute: 'SpeedSetpoint', dataType: 'number', unit: '%', range: PERCENT, description: `Speed ${pump.id} ramps to while running`,
          read: (s) => entry(s.pumps, pump.id).setpoint,
          write: (value) => ({ kind: 'setpoint', pump: pump.id, value }),
        },
        { attribute: 'Manual', dataType: 'boolean', description: `${pump.id} under an operator command rather than its level controller`, read: (s) => entry(s.pumps, pump.id).manualUntil !== null },
      ],
    })),
    ...line.valves.map((valve): OpcuaAssetPoint => ({
      line: line.id,
      id: valve.id,
      kind: 'valve',
      methods: [
        { name: 'Open', description: `Open ${valve.id} fully (holds for ${model.manualHoldS} s)`, command: { kind: 'open', valve: valve.id } },
        { name: 'Close', description: `Close ${valve.id} (holds for ${model.manualHoldS} s)`, command: { kind: 'close', valve: valve.id } },
      ],
      variables: [
        { attribute: 'Position', dataType: 'number', unit: '%', range: PERCENT, description: `${valve.id} opening, feeding ${valve.feeds}`, read: (s) => entry(s.valves, valve.id).position },
        { attribute: 'Manual', dataType: 'boolean', description: `${valve.id} under an operator command rather than automatic`, read: (s) => entry(s.valves, valve.id).manualUntil !== null },
      ],
    })),
  ])
}
