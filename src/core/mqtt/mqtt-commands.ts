import { z } from 'zod'
import { AppError, isAppError, type SampleValue } from '../../shared/model'
import type { CommandKinds, CommandSent } from '../ports/driver'
import { mqttAccessOf } from './mqtt-port'

/**
 * An MQTT `publish` command: `payload` (a template: `{value}`, `{asset}`, `{attribute}`, `{command}`, `{user}`; in a
 * JSON payload `{value}` is JSON and the others are escaped for a JSON string) to `topic` with QoS 1 (or 0). With
 * `request` it is MQTT 5 request/response: a response topic and correlation data go with it, and the device's answer
 * (JSON) is the outcome: `okPath` equal to `okValue` is success, anything else rejected with `statusPath`'s text.
 * Without it, verify waits for the attribute's bound signal to report the value sent.
 */
export const MqttPublishTarget = z
  .object({
    /** Default: the attribute binding's connection. */
    connection: z.string().min(1).max(100).optional(),
    topic: z
      .string()
      .min(1)
      .max(1024)
      .refine((t) => !/[+#]/.test(t), { message: 'a command topic has no wildcards' }),
    payload: z.string().max(65_536),
    qos: z.union([z.literal(0), z.literal(1)]).default(1),
    retain: z.boolean().default(false),
    request: z
      .object({
        /** Where the device answers (default `plantdeck/response/<client id>`). */
        responseTopic: z.string().min(1).max(1024).optional(),
        okPath: z.string().min(1).max(200).default('ok'),
        okValue: z.union([z.boolean(), z.number(), z.string().max(200)]).default(true),
        statusPath: z.string().min(1).max(200).default('status'),
      })
      .strict()
      .optional(),
  })
  .strict()

const field = (v: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v)

const jsonLike = (s: string) => /^\s*[[{]/.test(s)

export const mqttCommands: CommandKinds = {
  kinds: { publish: MqttPublishTarget as unknown as z.ZodType<Record<string, unknown>> },
  writes: false,
  connectionOf: (t) => (typeof t['connection'] === 'string' ? t['connection'] : undefined),
  async send(req, collector): Promise<CommandSent> {
    const access = mqttAccessOf(collector)
    if (!access) throw new AppError('command.bad_definition', `connection "${collector.id}" is not an MQTT connection`)
    const t = MqttPublishTarget.parse(req.target)
    const topic = req.text(t.topic).replace(/[+#]/g, '_')
    const payload = req.text(t.payload, { json: jsonLike(t.payload) })
    if (t.request) {
      let answer: { text?: string }
      try {
        answer = await access.request({ topic, payload, ...(t.request.responseTopic ? { responseTopic: req.text(t.request.responseTopic) } : {}), timeoutMs: req.timeoutMs })
      } catch (e) {
        if (isAppError(e) && e.code === 'mqtt.timeout') return { outcome: 'timeout', status: e.message }
        if (isAppError(e) && e.code === 'mqtt.publish_failed') return { outcome: 'rejected', status: e.message }
        throw e
      }
      let body: unknown
      try {
        body = JSON.parse(answer.text ?? '')
      } catch {
        return { outcome: 'rejected', status: `the device's answer is not JSON: ${(answer.text ?? '(binary)').slice(0, 200)}` }
      }
      const status = field(body, t.request.statusPath)
      const statusText = status === undefined ? JSON.stringify(body).slice(0, 200) : String(status)
      const ok = field(body, t.request.okPath) === t.request.okValue
      const readBack = field(body, 'value')
      return { outcome: ok ? 'success' : 'rejected', status: statusText, ...(isSample(readBack) ? { readBack } : {}) }
    }
    const r = await access.publish({ topic, payload, qos: t.qos, retain: t.retain })
    if (!r.ok) return { outcome: 'rejected', status: r.status }
    // verify: the device reports the value sent on the attribute's signal (any new report for a push button)
    const seen = await req.awaitValue(req.value, req.timeoutMs)
    if (seen.matched) return { outcome: 'success', status: `${r.status}; reported back`, ...(seen.last !== undefined ? { readBack: seen.last } : {}) }
    if (seen.seen > 0) return { outcome: 'mismatch', status: `${r.status}; the device reported ${JSON.stringify(seen.last)}`, ...(seen.last !== undefined ? { readBack: seen.last } : {}) }
    return { outcome: 'timeout', status: `${r.status}; no report on the attribute within ${req.timeoutMs} ms` }
  },
}

const isSample = (v: unknown): v is SampleValue => v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string'
