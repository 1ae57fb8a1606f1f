import type { mqtt } from '../../shared/contract/mqtt'
import type { MqttConnectionConfig } from './mqtt-config'
import type { CoreDriver } from '../ports/driver'
import { mqttSources } from './mqtt-sources'
import { createMqttHandlers } from './mqtt-handlers'
import { MQTT } from './mqtt-port'
import { MqttBinding } from './mqtt-binding'
import { mqttNotificationAction } from './mqtt-notify'
import { mqttAudits } from './mqtt-audit'
import { mqttCommands } from './mqtt-commands'

/** MQTT in the core: `mqtt.*`, mappings added at runtime under `<connection> (mapped)`. */
export const mqttDriver: CoreDriver<MqttConnectionConfig, typeof mqtt> = {
  kind: MQTT,
  binding: MqttBinding,
  sources: mqttSources,
  notificationAction: mqttNotificationAction as never,
  audited: mqttAudits,
  commands: mqttCommands,
  // the URL as configured: credentials live in `username`/`password`, never in it
  target: (c) => c.url,
  runtimeFolder: (c) => ({ id: `${c.id}:mqtt-mappings`, name: `${c.id} (mapped)`, attribute: (s) => s.name }),
  handlers: (deps) => createMqttHandlers({ collectors: deps.collectors, catalog: deps.catalog, register: deps.register, persistence: deps.persistence, model: deps.model }),
}
