import type { MqttMapping } from '../../shared/contract/mqtt'
import { AppError } from '../../shared/model'
import type { ModelSources, SourceBinding } from '../ports/driver'
import { modelSegment } from '../assets-model/runtime-assets'
import { MQTT, mqttAccessOf, type MqttAccess } from './mqtt-port'

type Source = { topic: string; path?: string | undefined; metric?: string | undefined }

/** The key of an MQTT binding: connection, topic, Sparkplug metric and JSON path (absent ones as null). */
export const mqttKey = (connection: string, s: Source): string => JSON.stringify([MQTT, connection, s.topic, s.metric ?? null, s.path ?? null])

const sourceOf = (b: SourceBinding): Source => ({
  topic: String(b['topic']),
  ...(typeof b['path'] === 'string' ? { path: b['path'] } : {}),
  ...(typeof b['metric'] === 'string' ? { metric: b['metric'] } : {}),
})

/** The attribute name a bound topic gets: the Sparkplug metric, else the JSON path's last field, else the topic's last level. */
export function mqttAttributeName(s: Source): string {
  if (s.metric) return modelSegment(s.metric.split('/').at(-1)!)
  if (s.path) return modelSegment(s.path.replace(/\[\d+\]$/, '').split('.').at(-1) || s.path)
  return modelSegment(s.topic.split('/').filter((x) => x !== '').at(-1) ?? s.topic)
}

const accessOf = (c: Parameters<ModelSources['collected']>[0]): MqttAccess => {
  const a = mqttAccessOf(c)
  if (!a) throw new AppError('model.bad_binding', `connection "${c.id}" is not an MQTT connection`)
  return a
}

const reasonOf = (e: unknown): string => (e instanceof AppError ? `${e.code}: ${e.message}` : (e as Error).message)

/** MQTT for the asset model's live link: mappings by topic, metric and path, added like `mqtt.mappings.add` does. */
export const mqttSources: ModelSources = {
  key: (b) => mqttKey(b.connection, sourceOf(b)),
  collected: (c) => mqttAccessOf(c)?.mappings().map((m) => ({ key: mqttKey(c.id, m), signal: m.id })) ?? [],
  async collect(c, wanted, deps) {
    const mq = accessOf(c)
    const failed: { key: string; reason: string }[] = []
    for (const spec of wanted) {
      const source = sourceOf(spec.binding)
      const key = mqttKey(c.id, source)
      let mapping: MqttMapping
      try {
        mapping = mq.completeMapping({ ...source, dataType: spec.dataType, name: spec.name.slice(0, 128), ...(spec.unit ? { unit: spec.unit.slice(0, 32) } : {}) })
        const known = deps.catalog.get(mapping.id)
        if ((known && known.connection !== c.id) || mq.mappings().some((m) => m.id === mapping.id)) throw new AppError('mqtt.duplicate_signal', `signal "${mapping.id}" exists already`)
      } catch (e) {
        failed.push({ key, reason: reasonOf(e) })
        continue
      }
      const binding = `${mapping.topic}${mapping.metric ? `#${mapping.metric}` : ''}${mapping.path ? `:${mapping.path}` : ''}`
      // registered before it is live: the store refuses samples of signals it does not know
      await deps.register?.([{ id: mapping.id, name: mapping.name, dataType: mapping.dataType, connection: c.id, binding, ...(mapping.unit ? { unit: mapping.unit } : {}), ...(spec.assetPath ? { assetPath: spec.assetPath } : {}) }])
      deps.catalog.add([{ id: mapping.id, name: mapping.name, dataType: mapping.dataType, connection: c.id, writable: false, ...(mapping.unit ? { unit: mapping.unit } : {}) }])
      try {
        mq.addMapping(mapping)
      } catch (e) {
        failed.push({ key, reason: reasonOf(e) })
      }
    }
    return { failed }
  },
  async expand(c, source, _max) {
    const mq = accessOf(c)
    const s = sourceOf(source)
    // fills the type from the last payload and checks the path; changes nothing
    const m = mq.completeMapping(s)
    return {
      sources: [{ binding: { kind: MQTT, connection: c.id, topic: m.topic, ...(m.path === undefined ? {} : { path: m.path }), ...(m.metric === undefined ? {} : { metric: m.metric }) }, name: mqttAttributeName(s), dataType: m.dataType, unit: m.unit, writable: false }],
      truncated: false,
    }
  },
}
