import type { PlantModel } from './plant-model'
import { entry, type PlantState } from './simulation'

/** One value inside a device's JSON payload. */
export interface MqttFieldPoint {
  /** Dotted path into the payload (`power.total`). */
  readonly path: string
  /** Attribute name on the device's asset (`Power`). */
  readonly attribute: string
  readonly unit: string
  readonly range?: [number, number]
  readonly description: string
}

/** A simulated field device: where it publishes, what its payload holds, and how to build it. */
export interface MqttDevicePoint {
  readonly id: string
  readonly kind: 'meter' | 'sensor'
  /** The process line a meter belongs to; null for environmental sensors. */
  readonly line: string | null
  /** What the device is, for people: its asset's description (the asset is named by `id`, which its topic ends in). */
  readonly name: string
  /** Telemetry topic, published at 1 Hz, QoS 0, not retained. */
  readonly topic: string
  /** Retained birth message describing the device. */
  readonly infoTopic: string
  readonly info: Record<string, unknown>
  readonly fields: readonly MqttFieldPoint[]
  payload(state: PlantState, ts: number): Record<string, unknown>
}

export const MQTT_TOPIC_ROOT = 'plantdeck/demo'
/** How often every device publishes its telemetry (unless a test asks for faster). */
export const MQTT_PUBLISH_INTERVAL_MS = 1000

const round = (value: number, digits: number): number => Number(value.toFixed(digits))
const PHASES = ['l1', 'l2', 'l3'] as const

/** Every simulated MQTT device of the plant: energy meters per line, then the environment. */
export function mqttDevices(model: PlantModel): MqttDevicePoint[] {
  const meters = model.lines.flatMap((line) =>
    line.meters.map((meter): MqttDevicePoint => {
      const pump = line.pumps.find((p) => p.id === meter.pump)
      if (pump === undefined) throw new Error(`demo plant: ${meter.id} measures unknown pump ${meter.pump}`)
      const maxPhaseKw = Math.ceil((model.supplyVoltage * 1.1 * pump.ratedCurrentA * model.powerFactor) / 1000 + meter.baseLoadKw / 3)
      const maxPhaseA = Math.ceil(pump.ratedCurrentA * 1.1)
      const topic = `${MQTT_TOPIC_ROOT}/${line.topicSegment}/meters/${meter.id}`
      return {
        id: meter.id,
        kind: 'meter',
        line: line.id,
        name: `${meter.id} energy meter (${pump.id} feeder)`,
        topic,
        infoTopic: `${topic}/info`,
        info: { id: meter.id, type: 'energy-meter', model: 'PD-EM3 (simulated)', firmware: '2.4.1', line: line.id, feeds: pump.id, telemetry: topic, interval_ms: 1000 },
        fields: [
          { path: 'power.total', attribute: 'Power', unit: 'kW', range: [0, 3 * maxPhaseKw], description: `Active power, ${pump.id} feeder` },
          ...PHASES.map((ph): MqttFieldPoint => ({ path: `power.${ph}`, attribute: `Power${ph.toUpperCase()}`, unit: 'kW', range: [0, maxPhaseKw], description: `Active power, phase ${ph.toUpperCase()}` })),
          { path: 'energy.import_kwh', attribute: 'EnergyImport', unit: 'kWh', description: 'Imported active energy (only increases)' },
          ...PHASES.map((ph): MqttFieldPoint => ({ path: `voltage.${ph}`, attribute: `Voltage${ph.toUpperCase()}`, unit: 'V', range: [200, 260], description: `Phase-to-neutral voltage, ${ph.toUpperCase()}` })),
          ...PHASES.map((ph): MqttFieldPoint => ({ path: `current.${ph}`, attribute: `Current${ph.toUpperCase()}`, unit: 'A', range: [0, maxPhaseA], description: `Phase current, ${ph.toUpperCase()}` })),
        ],
        payload: (state, ts) => {
          const m = entry(state.meters, meter.id)
          const perPhase = (values: Record<(typeof PHASES)[number], number>, digits: number): Record<string, number> =>
            Object.fromEntries(PHASES.map((ph) => [ph, round(values[ph], digits)]))
          return {
            ts,
            power: { total: round(m.power.l1 + m.power.l2 + m.power.l3, 3), ...perPhase(m.power, 3) },
            energy: { import_kwh: round(m.importKwh, 3) },
            voltage: perPhase(m.voltage, 1),
            current: perPhase(m.current, 2),
          }
        },
      }
    }),
  )
  const sensors = model.envSensors.map((sensor): MqttDevicePoint => {
    const topic = `${MQTT_TOPIC_ROOT}/env/${sensor.id}`
    return {
      id: sensor.id,
      kind: 'sensor',
      line: null,
      name: `${sensor.id} ${sensor.location}`,
      topic,
      infoTopic: `${topic}/info`,
      info: { id: sensor.id, type: 'environment-sensor', model: 'PD-ENV1 (simulated)', firmware: '1.0.7', location: sensor.location, telemetry: topic, interval_ms: 1000 },
      fields: [
        { path: 'temperature', attribute: 'Temperature', unit: '°C', range: [-20, 50], description: `Air temperature, ${sensor.location}` },
        { path: 'humidity', attribute: 'Humidity', unit: '%RH', range: [0, 100], description: `Relative humidity, ${sensor.location}` },
        { path: 'co2', attribute: 'CO2', unit: 'ppm', range: [0, 2000], description: `CO₂ concentration, ${sensor.location}` },
      ],
      payload: (state, ts) => {
        const env = entry(state.env, sensor.id)
        return { ts, temperature: round(env.temperature, 2), humidity: round(env.humidity, 1), co2: Math.round(env.co2) }
      },
    }
  })
  return [...meters, ...sensors]
}
