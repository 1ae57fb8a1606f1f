import type { ConfigTemplate } from '../core/config/asset-config'
import type { AssetAttribute, AttributeBinding } from '../shared/contract/asset-model'
import type { CommandDef } from '../shared/contract/command-def'
import { MQTT_PUBLISH_INTERVAL_MS, MQTT_TOPIC_ROOT } from './mqtt-points'
import type { PlantModel } from './plant-model'
import { PUMP_STATES, PUMP_TRIPPED } from './simulation'

/**
 * The simulated plant's equipment as templates: what a tank, a centrifugal pump, a valve, an energy meter and an
 * environment sensor are (units, ranges, decimals, limits, state labels, how often a value comes), and where an
 * instance's values come from as binding patterns over its lineage: `ns=1;s={line}.{asset}.Level` on the OPC UA
 * server, `plantdeck/demo/{line|lower}/meters/{asset}` on the broker. The demo's asset tree names these templates
 * (demo-config.ts), so each instance's bindings are its template's patterns filled for it.
 */

export const DEMO_OPCUA_CONNECTION_ID = 'demo-opcua'
export const DEMO_MQTT_CONNECTION_ID = 'demo-mqtt'
/** The demo connection's OPC UA sampling interval: values that change every simulation step arrive this often. */
export const DEMO_SAMPLING_INTERVAL_MS = 500

export const DEMO_TEMPLATE_IDS = { tank: 'tank', pump: 'centrifugal-pump', valve: 'valve', meter: 'energy-meter', sensor: 'environment-sensor' } as const

/** Labels of a two-state value: "0" is false, "1" true (as OPC UA's TwoStateDiscrete FalseState / TrueState). */
const twoState = (off: string, on: string): Record<string, string> => ({ '0': off, '1': on })
const range = (min: number, max: number) => ({ range: { min, max } })

export function demoTemplates(model: PlantModel, namespaceIndex: number): ConfigTemplate[] {
  const ua = (member: string): AttributeBinding => ({ kind: 'opcua', connection: DEMO_OPCUA_CONNECTION_ID, nodeId: `ns=${namespaceIndex};s={line}.{asset}.${member}` })
  const calculated = (expression: string): AttributeBinding => ({ kind: 'calculated', expression })
  const meterTopic = `${MQTT_TOPIC_ROOT}/{line|lower}/meters/{asset}`
  const sensorTopic = `${MQTT_TOPIC_ROOT}/env/{asset}`
  const field = (topic: string, path: string): Pick<AssetAttribute, 'binding' | 'expectedIntervalMs'> => ({
    binding: { kind: 'mqtt', connection: DEMO_MQTT_CONNECTION_ID, topic, path },
    expectedIntervalMs: MQTT_PUBLISH_INTERVAL_MS,
  })
  const every = { expectedIntervalMs: DEMO_SAMPLING_INTERVAL_MS }
  // commands (docs/commands.md): the server's writable setpoint and its Start/Stop, Open/Close methods
  const method = (id: string, label: string, member: string, more: Partial<CommandDef> = {}): CommandDef => ({
    id, label, kind: 'method', target: { objectId: `ns=${namespaceIndex};s={line}.{asset}`, methodId: `ns=${namespaceIndex};s={line}.{asset}.${member}` }, ...more,
  })
  const level = model.lines[0]?.pumps[0]
  const phases = ['L1', 'L2', 'L3'] as const
  return [
    {
      id: DEMO_TEMPLATE_IDS.tank,
      name: 'Tank',
      description: 'Buffer tank with level and temperature transmitters; its pump is level-controlled',
      base: null,
      attributes: [
        // interlocks at the plant's high and low levels; the level controller starts and stops the pump at hi and lo
        {
          name: 'Level', dataType: 'number', unit: '%', ...range(0, 100), decimals: 1, limits: { hihi: model.highLevel, hi: level?.startAbove ?? 80, lo: level?.stopBelow ?? 20, lolo: model.lowLevel }, ...every, binding: ua('Level'),
          // the level controller starts the tank's pump at Hi: the alarm comes now and then, the interlocks at HiHi / LoLo
          alarms: [
            { id: 'hihi', type: 'hihi', priority: 'critical', message: '{asset} overfilling: level {value} {unit} above {limit} {unit}', guidance: 'Close the inlet valve (Close), start the outlet pump; check the level transmitter', deadband: 2 },
            { id: 'hi', type: 'hi', priority: 'medium', message: '{asset} level high: {value} {unit}', guidance: 'Watch the outlet pump start; if it does not, start it by hand', deadband: 3, onDelayMs: 2000 },
            { id: 'lolo', type: 'lolo', priority: 'high', message: '{asset} nearly empty: level {value} {unit}', guidance: 'The outlet pump is stopped by its dry-run protection; open the inlet valve', deadband: 2 },
            { id: 'comm', type: 'comm', priority: 'high', message: 'No contact with {asset}: values are not updating', guidance: 'Check the PLC connection in the status bar' },
          ],
        },
        { name: 'Temperature', dataType: 'number', unit: '°C', ...range(0, 100), decimals: 1, limits: { hihi: 80, hi: 60, lo: 5, lolo: 2 }, ...every, binding: ua('Temperature'), alarms: [{ id: 'hi', type: 'hi', priority: 'medium', message: '{asset} temperature high: {value} {unit}', deadband: 2, onDelayMs: 5000 }] },
        // each instance gives its own capacity (a constant)
        { name: 'Capacity', dataType: 'number', unit: 'm³', decimals: 1 },
        { name: 'Volume', dataType: 'number', unit: 'm³', decimals: 2, binding: calculated('Level / 100 * Capacity') },
      ],
    },
    {
      id: DEMO_TEMPLATE_IDS.pump,
      name: 'Centrifugal pump',
      description: 'Variable-speed centrifugal pump; Start and Stop hold for a while, then its level controller resumes',
      base: null,
      attributes: [
        // starting a pump is the two-person command of the demo; stopping never waits for a second person
        { name: 'Running', dataType: 'boolean', enumeration: twoState('Stopped', 'Running'), binding: ua('Running'), commands: [method('start', 'Start', 'Start', { critical: true }), method('stop', 'Stop', 'Stop')] },
        // the motor protection trips now and then (the simulation's seed decides when) and resets by itself after a while
        {
          name: 'State', dataType: 'number', enumeration: { ...PUMP_STATES }, binding: ua('State'),
          alarms: [{ id: 'tripped', type: 'discrete', value: PUMP_TRIPPED, priority: 'high', message: '{asset} tripped: {value}', guidance: `Motor protection tripped: the pump stops and cannot be started until it resets (after ${model.pumpTripResetS} s). Watch the suction tank's level; check the motor current before it runs again` }],
        },
        { name: 'Speed', dataType: 'number', unit: '%', ...range(0, 100), decimals: 1, binding: ua('Speed') },
        { name: 'Flow', dataType: 'number', unit: 'm³/h', ...range(0, 100), decimals: 1, binding: ua('Flow') },
        // each instance gives its rated current as the range, and limits from it
        {
          name: 'MotorCurrent', dataType: 'number', unit: 'A', ...range(0, 50), decimals: 1, binding: ua('MotorCurrent'),
          alarms: [{ id: 'hi', type: 'hi', priority: 'high', message: '{asset} motor current high: {value} {unit} (limit {limit} {unit})', guidance: 'Reduce the speed setpoint; check for a blocked impeller', deadband: 1, onDelayMs: 3000 }],
        },
        {
          name: 'SpeedSetpoint', dataType: 'number', unit: '%', ...range(0, 100), decimals: 1, writable: true, binding: ua('SpeedSetpoint'),
          commands: [{ id: 'setpoint', label: 'Speed setpoint', kind: 'setpoint', maxStep: 25 }],
        },
        { name: 'Manual', dataType: 'boolean', enumeration: twoState('Auto', 'Manual'), binding: ua('Manual') },
      ],
    },
    {
      id: DEMO_TEMPLATE_IDS.valve,
      name: 'Valve',
      description: 'Control valve feeding a tank; Open and Close hold for a while, then automatic resumes',
      base: null,
      attributes: [
        {
          name: 'Position', dataType: 'number', unit: '%', ...range(0, 100), decimals: 1, binding: ua('Position'),
          // Open and Close hold the valve for the demo's manual hold (5 min): a second Open waits until automatic resumes
          commands: [method('open', 'Open', 'Open', { interlocks: [{ when: 'Manual == 0', message: 'the valve may open only in Auto: it is held by an operator command' }] }), method('close', 'Close', 'Close')],
        },
        { name: 'Manual', dataType: 'boolean', enumeration: twoState('Auto', 'Manual'), binding: ua('Manual') },
        { name: 'State', dataType: 'number', enumeration: { '0': 'Closed', '1': 'Throttling', '2': 'Open' }, binding: calculated('Position < 0.5 ? 0 : (Position > 99.5 ? 2 : 1)') },
      ],
    },
    {
      id: DEMO_TEMPLATE_IDS.meter,
      name: 'Energy meter',
      description: 'Three-phase energy meter on a pump feeder, publishing JSON telemetry over MQTT',
      base: null,
      attributes: [
        { name: 'Power', dataType: 'number', unit: 'kW', ...range(0, 40), decimals: 2, ...field(meterTopic, 'power.total') },
        ...phases.map((ph): AssetAttribute => ({ name: `Power${ph}`, dataType: 'number', unit: 'kW', ...range(0, 15), decimals: 2, ...field(meterTopic, `power.${ph.toLowerCase()}`) })),
        { name: 'EnergyImport', dataType: 'number', unit: 'kWh', decimals: 1, ...field(meterTopic, 'energy.import_kwh') },
        // EN 50160: the supply within ±10 % of 230 V; ±6 % warns
        ...phases.map((ph): AssetAttribute => ({ name: `Voltage${ph}`, dataType: 'number', unit: 'V', ...range(200, 260), decimals: 1, limits: { hihi: 253, hi: 244, lo: 216, lolo: 207 }, ...field(meterTopic, `voltage.${ph.toLowerCase()}`) })),
        ...phases.map((ph): AssetAttribute => ({ name: `Current${ph}`, dataType: 'number', unit: 'A', ...range(0, 50), decimals: 2, ...field(meterTopic, `current.${ph.toLowerCase()}`) })),
        { name: 'ApparentPower', dataType: 'number', unit: 'kVA', decimals: 2, binding: calculated('(VoltageL1 * CurrentL1 + VoltageL2 * CurrentL2 + VoltageL3 * CurrentL3) / 1000') },
        { name: 'PowerFactor', dataType: 'number', ...range(0, 1), decimals: 2, limits: { lo: 0.8, lolo: 0.7 }, binding: calculated('Power / ApparentPower'), alarms: [{ id: 'lo', type: 'lo', priority: 'low', message: '{asset} power factor low: {value}', deadband: 0.02, onDelayMs: 10000, suppressWhen: 'Power < 1' }] },
      ],
    },
    {
      id: DEMO_TEMPLATE_IDS.sensor,
      name: 'Environment sensor',
      description: 'Room or outdoor climate sensor, publishing JSON telemetry over MQTT',
      base: null,
      attributes: [
        { name: 'Temperature', dataType: 'number', unit: '°C', ...range(-20, 50), decimals: 1, limits: { hihi: 40, hi: 35, lo: 0, lolo: -10 }, ...field(sensorTopic, 'temperature'), alarms: [{ id: 'stale', type: 'stale', priority: 'low', message: '{asset} is not reporting', guidance: 'Check the sensor’s power and radio' }] },
        { name: 'Humidity', dataType: 'number', unit: '%RH', ...range(0, 100), decimals: 0, limits: { hihi: 90, hi: 80, lo: 20, lolo: 10 }, ...field(sensorTopic, 'humidity') },
        {
          name: 'CO2', dataType: 'number', unit: 'ppm', ...range(0, 2000), decimals: 0, limits: { hihi: 1500, hi: 1000 }, ...field(sensorTopic, 'co2'),
          alarms: [{ id: 'hi', type: 'hi', priority: 'low', message: '{asset} CO₂ high: {value} {unit}', guidance: 'Ventilate the room', deadband: 50, onDelayMs: 5000 }],
        },
      ],
    },
  ]
}
