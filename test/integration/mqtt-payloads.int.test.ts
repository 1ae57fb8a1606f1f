import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { silentLogger } from '../../src/core/ports/logger'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { until, record } from '../helpers/mqtt-harness'
import { encodeSparkplug } from '../helpers/mqtt-sparkplug-encoder'

let broker: Mosquitto
let pub: MqttClient
beforeAll(async () => {
  broker = await startMosquitto()
  pub = await mqtt.connectAsync(broker.url)
})
afterAll(async () => {
  await pub?.endAsync()
  await broker?.stop()
})

async function collector(receive: Receive, config: Record<string, unknown>) {
  const col = new MqttCollector({ config: MqttConnectionConfig.parse({ kind: 'mqtt', name: 'T', url: broker.url, ...config }), logger: silentLogger, topicTree: { maxTopics: 100 }, receive })
  const { samples, states } = record(col)
  await col.start()
  await until(() => states.at(-1)?.health === 'connected')
  return { col, samples }
}

const T0 = Date.parse('2026-01-02T03:04:05.000Z')

// both receive paths: the collector's own PUBLISH reader (default), and mqtt.js's (behind the oversize guard)
type Receive = 'tap' | 'mqtt.js'
const PATHS: Receive[] = ['tap', 'mqtt.js']

describe.each(PATHS)('payload forms, timestamps and bad input against a real mosquitto, PUBLISH read by %s', (receive) => {
  it('maps every payload form, reads payload timestamps, counts bad input per mapping, and keeps good samples flowing', async () => {
    const { col, samples } = await collector(receive, {
      id: 'p',
      subscriptions: [{ filter: 'f/#', qos: 1 }],
      signals: [
        { id: 'p/num', name: 'num', topic: 'f/num' },
        { id: 'p/bool', name: 'bool', topic: 'f/bool', dataType: 'boolean' },
        { id: 'p/str', name: 'str', topic: 'f/str', dataType: 'string' },
        { id: 'p/a', name: 'a', topic: 'f/json', path: 'm.a', tsPath: 'time', tsFormat: 'iso' },
        { id: 'p/b1', name: 'b1', topic: 'f/json', path: 'rows[1].v', tsPath: 'time', tsFormat: 'iso' },
        { id: 'p/s', name: 's', topic: 'f/sec', path: 'v', tsPath: 't', tsFormat: 's' },
        { id: 'p/ms', name: 'ms', topic: 'f/ms', path: 'v' },
      ],
    })
    await pub.publishAsync('f/num', '-12.5', { qos: 1 })
    await pub.publishAsync('f/bool', 'true', { qos: 1 })
    await pub.publishAsync('f/str', 'RUNNING', { qos: 1 })
    await pub.publishAsync('f/json', JSON.stringify({ time: '2026-01-02T03:04:05.000Z', m: { a: 1 }, rows: [{ v: 9 }, { v: 10 }] }), { qos: 1 })
    await pub.publishAsync('f/sec', JSON.stringify({ t: T0 / 1000, v: 2 }), { qos: 1 })
    await pub.publishAsync('f/ms', JSON.stringify({ ts: T0 + 1, v: 3 }), { qos: 1 })
    // bad input: malformed JSON, wrong type, missing field, invalid UTF-8, 5 MB, a flood of unmapped topics
    await pub.publishAsync('f/json', '{"m":', { qos: 1 })
    await pub.publishAsync('f/json', JSON.stringify({ time: '2026-01-02T03:04:05.000Z', m: { a: 'x' }, rows: [] }), { qos: 1 })
    await pub.publishAsync('f/num', Buffer.from([0x31, 0xff, 0xfe]), { qos: 1 })
    await pub.publishAsync('f/num', Buffer.alloc(5 * 1024 * 1024, 0x31), { qos: 1 })
    for (let i = 0; i < 300; i++) pub.publish(`f/flood/${i}`, 'x', { qos: 0 })
    await pub.publishAsync('f/num', '7', { qos: 1 }) // good input still flows after all that
    await until(() => samples.some((s) => s.signal === 'p/num' && s.value === 7))
    await until(() => col.engineering.topics('f/flood', 0, 1).total + col.engineering.topics('', 0, 1).untracked >= 300 - 10)

    const by = (id: string) => samples.filter((s) => s.signal === id)
    expect(by('p/num').map((s) => s.value)).toEqual([-12.5, 7])
    expect(by('p/bool')[0]!.value).toBe(true)
    expect(by('p/str')[0]!.value).toBe('RUNNING')
    expect(by('p/a')[0]).toMatchObject({ value: 1, ts: T0, quality: 'good' })
    expect(by('p/b1').map((s) => [s.value, s.ts])).toEqual([[10, T0]])
    expect(by('p/s')[0]).toMatchObject({ value: 2, ts: T0 })
    expect(by('p/ms')[0]).toMatchObject({ value: 3, ts: T0 + 1 })

    const r = col.engineering.rejections()
    expect(r.byReason).toMatchObject({ not_json: 1, wrong_type: 1, missing_field: 1, bad_utf8: 1, too_large: 1 })
    // the 5 MB message was rejected with its size as published (the collector drops what is over the limit unread)
    expect(r.last.find((e) => e.reason === 'too_large')).toMatchObject({ topic: 'f/num', bytes: 5 * 1024 * 1024, preview: expect.stringMatching(/^1{100}/) })
    expect(r.byReason.topic_limit).toBeGreaterThan(0) // the tree holds 100 topics here; the rest are only counted
    expect(r.bySignal).toEqual(
      expect.arrayContaining([
        { signal: 'p/a', total: 1, byReason: { wrong_type: 1 } },
        { signal: 'p/b1', total: 1, byReason: { missing_field: 1 } },
      ]),
    )
    expect(col.engineering.rejections('p/a').last).toEqual([expect.objectContaining({ topic: 'f/json', reason: 'wrong_type', signal: 'p/a' })])
    expect(r.last.filter((e) => e.reason === 'topic_limit')).toHaveLength(10) // the last few per reason, however many came
    expect(col.engineering.topics('', 0, 10).tracked).toBe(100)
    await col.stop()
  })

  it('mappings are editable while connected: added, used by the next message, removed', async () => {
    await pub.publishAsync('e/retained', 'on', { qos: 1, retain: true }) // before we subscribe: arrives flagged retained
    const { col, samples } = await collector(receive, { id: 'e', subscriptions: [{ filter: 'e/#', qos: 0 }] })
    await pub.publishAsync('e/meter', JSON.stringify({ p: { kw: 4.5 }, on: true }), { qos: 1 })
    await until(() => col.engineering.topics('e', 0, 10).entries.length === 2)
    expect(col.engineering.topics('e', 0, 10).entries.find((e) => e.name === 'retained')!.last).toMatchObject({ retained: true, preview: 'on' })
    // the topic browser's two clicks: a topic, then a field of its last payload
    const m = col.engineering.completeMapping({ topic: 'e/meter', path: 'p.kw', unit: 'kW' })
    expect(m).toMatchObject({ id: 'e/e/meter.p.kw', name: 'p.kw', dataType: 'number', unit: 'kW' })
    expect(col.engineering.completeMapping({ topic: 'e/meter', path: 'on' }).dataType).toBe('boolean')
    col.engineering.addMapping(m)
    expect(() => col.engineering.addMapping(m)).toThrow(/mapped already/)
    await pub.publishAsync('e/meter', JSON.stringify({ p: { kw: 5.5 } }), { qos: 1 })
    await until(() => samples.some((s) => s.value === 5.5))
    expect(col.engineering.removeMapping(m.id)).toBe(true)
    await pub.publishAsync('e/meter', JSON.stringify({ p: { kw: 6.5 } }), { qos: 1 })
    await pub.publishAsync('e/other', '1', { qos: 1 })
    await until(() => col.engineering.topics('e', 0, 10).entries.length === 3)
    expect(samples.map((s) => s.value)).toEqual([5.5])
    const page = col.engineering.topics('e', 0, 10)
    expect(page.entries.find((e) => e.name === 'meter')!.last).toMatchObject({ count: 3, retained: false })
    expect(JSON.parse(col.engineering.payload('e/meter').text!)).toEqual({ p: { kw: 6.5 } })
    await col.stop()
  })
})

describe.each(PATHS)('Sparkplug B (payloads from an independent encoder), PUBLISH read by %s', (receive) => {
  it('births, aliases, data, sequence gaps, rebirth requests and deaths', async () => {
    const node = 'spBv1.0/Plant/Edge1'
    const { col, samples } = await collector(receive, {
      id: 'sp',
      subscriptions: [{ filter: 'spBv1.0/Plant/#', qos: 0 }],
      signals: [
        { id: 'sp/temp', name: 'Temperature', topic: node, metric: 'Temperature' },
        { id: 'sp/speed', name: 'Speed', topic: `${node}/Pump1`, metric: 'Speed' },
        { id: 'sp/run', name: 'Running', topic: `${node}/Pump1`, metric: 'Running', dataType: 'boolean' },
        { id: 'sp/mode', name: 'Mode', topic: `${node}/Pump1`, metric: 'Mode', dataType: 'string' },
        { id: 'sp/count', name: 'Count', topic: `${node}/Pump1`, metric: 'Count' },
      ],
    })
    const cmds: string[] = []
    const watcher = await mqtt.connectAsync(broker.url)
    await watcher.subscribeAsync('spBv1.0/Plant/NCMD/#')
    watcher.on('message', (t, p) => cmds.push(`${t} ${p.includes('Node Control/Rebirth') ? 'rebirth' : '?'}`))
    const send = (type: string, device: string | undefined, p: Parameters<typeof encodeSparkplug>[0]) =>
      pub.publishAsync(`spBv1.0/Plant/${type}/Edge1${device ? `/${device}` : ''}`, encodeSparkplug({ timestamp: T0, ...p }), { qos: 1 })
    const good = () => samples.filter((s) => s.quality === 'good').map((s) => [s.signal, s.value])

    await send('NBIRTH', undefined, { seq: 0, metrics: [{ name: 'bdSeq', type: 'Int64', value: 0 }, { name: 'Temperature', alias: 1, type: 'Double', value: 20.5 }] })
    await send('DBIRTH', 'Pump1', {
      seq: 1,
      metrics: [
        { name: 'Speed', alias: 2, type: 'Int32', value: -1500 },
        { name: 'Running', alias: 3, type: 'Boolean', value: true },
        { name: 'Mode', alias: 4, type: 'String', value: 'AUTO' },
        { name: 'Count', alias: 5, type: 'UInt64', value: 2n ** 40n },
      ],
    })
    await send('NDATA', undefined, { seq: 2, metrics: [{ alias: 1, type: 'Double', value: 21.25 }] })
    await send('DDATA', 'Pump1', { seq: 3, metrics: [{ alias: 2, type: 'Int32', value: 1510, timestamp: T0 + 5 }] })
    await until(() => samples.length >= 7)
    expect(good()).toEqual([
      ['sp/temp', 20.5],
      ['sp/speed', -1500],
      ['sp/run', true],
      ['sp/mode', 'AUTO'],
      ['sp/count', 2 ** 40],
      ['sp/temp', 21.25],
      ['sp/speed', 1510],
    ])
    expect(samples.find((s) => s.value === 1510)!.ts).toBe(T0 + 5)
    expect(col.engineering.metrics(`${node}/Pump1`).map((m) => `${m.name}:${m.type}`)).toEqual(['Speed:Int32', 'Running:Boolean', 'Mode:String', 'Count:UInt64'])

    // seq 5 after 3: stale (bad) until rebirth, data ignored meanwhile, rebirth requested
    await send('DDATA', 'Pump1', { seq: 5, metrics: [{ alias: 2, type: 'Int32', value: 1 }] })
    await send('DDATA', 'Pump1', { seq: 6, metrics: [{ alias: 2, type: 'Int32', value: 2 }] })
    await until(() => samples.filter((s) => s.quality === 'bad').length >= 5)
    await until(() => cmds.length >= 1)
    expect(cmds[0]).toBe('spBv1.0/Plant/NCMD/Edge1 rebirth')
    expect(samples.filter((s) => s.quality === 'bad').map((s) => s.signal).sort()).toEqual(['sp/count', 'sp/mode', 'sp/run', 'sp/speed', 'sp/temp'])
    expect(samples.some((s) => s.value === 1 || s.value === 2)).toBe(false)
    await until(() => col.engineering.rejections().byReason.sparkplug_out_of_sequence === 2)

    // rebirth (new bdSeq), then an old session's NDEATH (ignored), DDEATH, then the real NDEATH
    const before = samples.length
    await send('NBIRTH', undefined, { seq: 0, metrics: [{ name: 'bdSeq', type: 'Int64', value: 1 }, { name: 'Temperature', alias: 1, type: 'Double', value: 22 }] })
    await send('DBIRTH', 'Pump1', { seq: 1, metrics: [{ name: 'Speed', alias: 2, type: 'Int32', value: 1600 }] })
    await send('DDATA', 'Pump1', { seq: 2, metrics: [{ alias: 2, type: 'Int32', value: 1601 }] })
    await pub.publishAsync(`spBv1.0/Plant/NDEATH/Edge1`, encodeSparkplug({ metrics: [{ name: 'bdSeq', type: 'Int64', value: 0 }] }), { qos: 1 })
    await send('DDEATH', 'Pump1', { seq: 3, metrics: [] })
    await until(() => samples.filter((s) => s.status === 'DDEATH').length === 4)
    await pub.publishAsync(`spBv1.0/Plant/NDEATH/Edge1`, encodeSparkplug({ metrics: [{ name: 'bdSeq', type: 'Int64', value: 1 }] }), { qos: 1 })
    await until(() => samples.some((s) => s.status === 'NDEATH'))
    const after = samples.slice(before)
    expect(after.filter((s) => s.quality === 'good').map((s) => [s.signal, s.value])).toEqual([
      ['sp/temp', 22],
      ['sp/speed', 1600],
      ['sp/speed', 1601],
    ])
    expect(after.filter((s) => s.status === 'NDEATH').map((s) => s.signal).sort()).toEqual(['sp/count', 'sp/mode', 'sp/run', 'sp/speed', 'sp/temp'])

    // data from a node never born: rejected and asked to rebirth; a non-Sparkplug payload on the namespace: rejected
    await pub.publishAsync('spBv1.0/Plant/NDATA/Edge2', encodeSparkplug({ seq: 4, metrics: [{ alias: 1, type: 'Double', value: 1 }] }), { qos: 1 })
    await pub.publishAsync('spBv1.0/Plant/NDATA/Edge3', '{"not":"protobuf"}', { qos: 1 })
    await until(() => cmds.includes('spBv1.0/Plant/NCMD/Edge2 rebirth'))
    await until(() => (col.engineering.rejections().byReason.not_sparkplug ?? 0) === 1)
    expect(col.engineering.rejections().byReason.sparkplug_no_birth).toBe(1)
    await watcher.endAsync()
    await col.stop()
  })
})
