import type { mqtt } from '../../shared/contract/mqtt'
import { AppError, type SignalInfo } from '../../shared/model'
import type { HandlerMap } from '../../shared/rpc/server'
import type { AssetCatalog } from '../assets/asset-catalog'
import type { Collector } from '../ports/collector'
import type { SampleStore } from '../ports/sample-store'
import type { MqttAccess } from './mqtt-port'
import { fillTemplate } from './payload-template'

export interface MqttHandlerDeps {
  collectors: Collector[]
  catalog: AssetCatalog
  /** Signals added at runtime are registered here before their first sample arrives. */
  store?: Pick<SampleStore, 'registerSignals'> | undefined
}

/** The `mqtt.*` methods: routing to the connection's MQTT access, plus the catalog and store bookkeeping of new mappings. */
export function createMqttHandlers(deps: MqttHandlerDeps): HandlerMap<typeof mqtt> {
  const access = (connection: string): MqttAccess => {
    const col = deps.collectors.find((c) => c.id === connection)
    if (!col?.mqtt) throw new AppError('mqtt.unknown_connection', `no MQTT connection "${connection}"`)
    return col.mqtt
  }

  return {
    'mqtt.topics': ({ connection, prefix, offset, limit }) => access(connection).topics(prefix, offset, limit),
    'mqtt.payload': ({ connection, topic }) => access(connection).payload(topic),
    'mqtt.metrics': ({ connection, entity }) => ({ metrics: access(connection).metrics(entity) }),
    'mqtt.mappings.list': ({ connection }) => ({ mappings: access(connection).mappings() }),
    'mqtt.mappings.add': async ({ connection, mapping: input }) => {
      const mq = access(connection)
      const mapping = mq.completeMapping(input)
      if (deps.catalog.has(mapping.id)) throw new AppError('mqtt.duplicate_signal', `signal "${mapping.id}" exists already`)
      const signal: SignalInfo = {
        id: mapping.id,
        name: mapping.name,
        dataType: mapping.dataType,
        connection,
        writable: false,
        ...(mapping.unit === undefined ? {} : { unit: mapping.unit }),
        ...(mapping.range === undefined ? {} : { range: mapping.range }),
        ...(mapping.description === undefined ? {} : { description: mapping.description }),
      }
      // registered first: the store rejects samples of signals it does not know
      await deps.store?.registerSignals([{ id: signal.id, name: signal.name, dataType: signal.dataType, connection, binding: `${mapping.topic}${mapping.metric ? `#${mapping.metric}` : ''}${mapping.path ? `:${mapping.path}` : ''}`, ...(signal.unit ? { unit: signal.unit } : {}) }])
      mq.addMapping(mapping)
      const folderId = `${connection}:mqtt-mappings`
      const folder = deps.catalog.root.children.find((n) => n.id === folderId)
      const attribute = { attribute: mapping.name, signal: mapping.id }
      if (folder) {
        deps.catalog.add([signal])
        folder.signals.push(attribute)
      } else deps.catalog.add([signal], { id: folderId, name: `${connection} (mapped)`, kind: 'folder', signals: [attribute], children: [] })
      return { mapping, signal }
    },
    'mqtt.mappings.remove': ({ connection, signal }) => ({ removed: access(connection).removeMapping(signal) }),
    'mqtt.rejections': ({ connection, signal }) => access(connection).rejections(signal),
    'mqtt.publish': ({ connection, topic, payload, values, qos, retain }) => access(connection).publish({ topic, payload: fillTemplate(payload, values), qos, retain }),
    'mqtt.request': ({ connection, topic, payload, values, responseTopic, timeoutMs }) =>
      access(connection).request({ topic, payload: fillTemplate(payload, values), timeoutMs, ...(responseTopic === undefined ? {} : { responseTopic }) }),
  }
}
