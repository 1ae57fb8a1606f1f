import { z } from 'zod'
import { AppError } from '../../shared/model/errors'
import type { NotificationAction } from '../ports/driver'
import { MQTT, mqttAccessOf } from './mqtt-port'

/**
 * An alarm notification rule's MQTT action: publish `payload` to `topic` through a configured MQTT connection (its
 * collector's client, as `mqtt.publish` does). Both are templates (`{path}`, `{priority}`, `{message}`...: see
 * NotificationEvent); the payload's values are JSON-escaped, the topic's `+` and `#` become `_`.
 */
export const MqttNotifyAction = z
  .object({
    kind: z.literal(MQTT),
    connection: z.string().min(1).max(100),
    topic: z.string().min(1).max(1024),
    payload: z.string().max(65_536).default('{"key":"{key}","path":"{path}","attribute":"{attribute}","priority":"{priority}","event":"{event}","state":"{state}","message":"{message}","at":"{at}"}'),
    qos: z.union([z.literal(0), z.literal(1)]).default(1),
    retain: z.boolean().default(false),
  })
  .strict()
export type MqttNotifyAction = z.infer<typeof MqttNotifyAction>

export const mqttNotificationAction: NotificationAction<MqttNotifyAction> = {
  schema: MqttNotifyAction,
  async run(action, event, collector) {
    const access = mqttAccessOf(collector)
    if (!access) throw new AppError('notify.unknown_connection', `connection "${action.connection}" is not an MQTT connection`, { connection: action.connection })
    const topic = event.text(action.topic).replace(/[+#]/g, '_')
    // throws mqtt.not_connected while the broker is away (retried); a refusal answers ok: false
    const r = await access.publish({ topic, payload: event.json(action.payload), qos: action.qos, retain: action.retain })
    if (!r.ok) throw new AppError('notify.failed', `publish to "${topic}" failed: ${r.status}`, { topic })
  },
}
