import type { MqttMapping, mqtt } from '../../shared/contract/mqtt'
import { AppError, type SignalInfo } from '../../shared/model'
import type { HandlerMap } from '../../shared/rpc/server'
import { saveEdit } from '../config/save-edit'
import { MQTT, mqttAccessOf, type MqttAccess } from './mqtt-port'
import { modelSegment, type RuntimeAttribute } from '../assets-model/runtime-assets'
import type { DriverDeps } from '../ports/driver'
import { fillTemplate } from './payload-template'

/** What the `mqtt.*` methods use of the drivers' collaborators (see DriverDeps). */
export type MqttHandlerDeps = Pick<DriverDeps, 'collectors' | 'catalog' | 'register' | 'persistence' | 'model'>

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

/** The asset model's folder for a connection's runtime mappings; attributes named by the signal id (unique, one path segment). */
const modelFolder = (connection: string) => `${connection} (mapped)`
const modelName = (connection: string, signal: string) => modelSegment(signal.slice(connection.length + 1))
const modelAttribute = (connection: string, m: MqttMapping): RuntimeAttribute => ({
  name: modelName(connection, m.id),
  dataType: m.dataType,
  unit: m.unit,
  binding: { kind: MQTT, connection, topic: m.topic, ...(m.path === undefined ? {} : { path: m.path }), ...(m.metric === undefined ? {} : { metric: m.metric }) },
})

const binding = (m: MqttMapping) => `${m.topic}${m.metric ? `#${m.metric}` : ''}${m.path ? `:${m.path}` : ''}`

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
    'mqtt.mappings.add': async ({ connection, mapping: input }, { session }) => {
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
      deps.model?.place(modelFolder(connection), [modelAttribute(connection, mapping)], session)
      return { mapping, signal, ...(await saveEdit(deps.persistence, { connection, upsert: [{ ...mapping, writable: false }] })) }
    },
    'mqtt.mappings.update': async ({ connection, signal: id, changes }, { session }) => {
      const mq = access(connection)
      const mapping = mq.updatedMapping(id, changes)
      const signal = signalOf(connection, mapping)
      // the store learns a new type before the first sample of that type
      await deps.register?.([{ id: signal.id, name: signal.name, dataType: signal.dataType, connection, binding: binding(mapping), ...(signal.unit ? { unit: signal.unit } : {}) }])
      mq.replaceMapping(mapping)
      deps.model?.place(modelFolder(connection), [modelAttribute(connection, mapping)], session)
      const old = deps.catalog.get(id)
      deps.catalog.add([signal])
      if (old && old.name !== signal.name) deps.catalog.relabel(id, old.name, signal.name)
      return { mapping, signal, ...(await saveEdit(deps.persistence, { connection, upsert: [{ ...mapping, writable: false }] })) }
    },
    'mqtt.mappings.remove': async ({ connection, signal }, { session }) => {
      const removed = access(connection).removeMapping(signal)
      if (removed) deps.model?.remove(modelFolder(connection), [modelName(connection, signal)], session)
      return { removed, ...(await saveEdit(deps.persistence, { connection, remove: [signal] })) }
    },
    'mqtt.rejections': ({ connection, signal }) => access(connection).rejections(signal),
    'mqtt.publish': ({ connection, topic, payload, values, qos, retain }) => access(connection).publish({ topic, payload: fillTemplate(payload, values), qos, retain }),
    'mqtt.request': ({ connection, topic, payload, values, responseTopic, timeoutMs }) =>
      access(connection).request({ topic, payload: fillTemplate(payload, values), timeoutMs, ...(responseTopic === undefined ? {} : { responseTopic }) }),
  }
}
