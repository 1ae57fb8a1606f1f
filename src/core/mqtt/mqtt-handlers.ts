import type { MqttMapping, mqtt } from '../../shared/contract/mqtt'
import { AppError, type SignalInfo } from '../../shared/model'
import type { HandlerMap } from '../../shared/rpc/server'
import type { AssetCatalog } from '../assets/asset-catalog'
import { saveEdit } from '../config/save-edit'
import type { PlantPersistence } from '../ports/plant-persistence'
import type { Collector } from '../ports/collector'
import type { SignalDef } from '../ports/sample-store'
import { mqttAccessOf, type MqttAccess } from './mqtt-port'
import { fillTemplate } from './payload-template'

export interface MqttHandlerDeps {
  collectors: Collector[]
  catalog: AssetCatalog
  /** Signals added at runtime are registered here (the local history) before their first sample arrives. */
  register?: ((defs: SignalDef[]) => Promise<void>) | undefined
  /** Keeps added, changed and removed mappings across restarts; absent: they last until the next restart. */
  persistence?: PlantPersistence | undefined
}

const signalOf = (connection: string, m: MqttMapping): SignalInfo => ({
  id: m.id,
  name: m.name,
  dataType: m.dataType,
  connection,
  writable: false,
  ...(m.unit === undefined ? {} : { unit: m.unit }),
  ...(m.range === undefined ? {} : { range: m.range }),
  ...(m.description === undefined ? {} : { description: m.description }),
})

const binding = (m: MqttMapping) => `${m.topic}${m.metric ? `#${m.metric}` : ''}${m.path ? `:${m.path}` : ''}`

/** Tree labels that were the signal's old name follow a rename. */
/** The `mqtt.*` methods: routing to the connection's MQTT access, plus the catalog and store bookkeeping of new mappings. */
export function createMqttHandlers(deps: MqttHandlerDeps): HandlerMap<typeof mqtt> {
  const access = (connection: string): MqttAccess => {
    const access = mqttAccessOf(deps.collectors.find((c) => c.id === connection))
    if (!access) throw new AppError('mqtt.unknown_connection', `no MQTT connection "${connection}"`)
    return access
  }

  return {
    'mqtt.topics': ({ connection, prefix, offset, limit }) => access(connection).topics(prefix, offset, limit),
    'mqtt.payload': ({ connection, topic }) => access(connection).payload(topic),
    'mqtt.metrics': ({ connection, entity }) => ({ metrics: access(connection).metrics(entity) }),
    'mqtt.mappings.list': ({ connection }) => ({ mappings: access(connection).mappings() }),
    'mqtt.mappings.add': async ({ connection, mapping: input }) => {
      const mq = access(connection)
      const mapping = mq.completeMapping(input)
      // a signal removed from this connection earlier may come back; anything else known is a duplicate
      const known = deps.catalog.get(mapping.id)
      if ((known && known.connection !== connection) || mq.mappings().some((m) => m.id === mapping.id)) {
        throw new AppError('mqtt.duplicate_signal', `signal "${mapping.id}" exists already`)
      }
      const signal = signalOf(connection, mapping)
      // placed first, so the store learns the signal with its asset path
      if (!deps.catalog.placed(mapping.id)) deps.catalog.place({ id: `${connection}:mqtt-mappings`, name: `${connection} (mapped)` }, [{ attribute: mapping.name, signal: mapping.id }])
      deps.catalog.add([signal])
      // registered before it is live: the store rejects samples of signals it does not know
      await deps.register?.([{ id: signal.id, name: signal.name, dataType: signal.dataType, connection, binding: binding(mapping), ...(signal.unit ? { unit: signal.unit } : {}) }])
      mq.addMapping(mapping)
      return { mapping, signal, ...(await saveEdit(deps.persistence, { connection, upsert: [{ ...mapping, writable: false }] })) }
    },
    'mqtt.mappings.update': async ({ connection, signal: id, changes }) => {
      const mq = access(connection)
      const mapping = mq.updatedMapping(id, changes)
      const signal = signalOf(connection, mapping)
      // the store learns a new type before the first sample of that type
      await deps.register?.([{ id: signal.id, name: signal.name, dataType: signal.dataType, connection, binding: binding(mapping), ...(signal.unit ? { unit: signal.unit } : {}) }])
      mq.replaceMapping(mapping)
      const old = deps.catalog.get(id)
      deps.catalog.add([signal])
      if (old && old.name !== signal.name) deps.catalog.relabel(id, old.name, signal.name)
      return { mapping, signal, ...(await saveEdit(deps.persistence, { connection, upsert: [{ ...mapping, writable: false }] })) }
    },
    'mqtt.mappings.remove': async ({ connection, signal }) => {
      const removed = access(connection).removeMapping(signal)
      return { removed, ...(await saveEdit(deps.persistence, { connection, remove: [signal] })) }
    },
    'mqtt.rejections': ({ connection, signal }) => access(connection).rejections(signal),
    'mqtt.publish': ({ connection, topic, payload, values, qos, retain }) => access(connection).publish({ topic, payload: fillTemplate(payload, values), qos, retain }),
    'mqtt.request': ({ connection, topic, payload, values, responseTopic, timeoutMs }) =>
      access(connection).request({ topic, payload: fillTemplate(payload, values), timeoutMs, ...(responseTopic === undefined ? {} : { responseTopic }) }),
  }
}
