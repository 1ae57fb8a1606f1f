import { z } from 'zod'
import { MQTT } from './mqtt-port'

/** An asset attribute bound to an MQTT topic of a connection; `path` picks a field of a JSON payload, `metric` a Sparkplug B metric. */
export const MqttBinding = z
  .object({ kind: z.literal(MQTT), connection: z.string().min(1).max(100), topic: z.string().min(1).max(1024), path: z.string().min(1).max(256).optional(), metric: z.string().min(1).max(512).optional() })
  .strict()
