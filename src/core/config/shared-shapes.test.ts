import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { contract } from '../../shared/contract'
import { MqttMapping } from '../../shared/contract/mqtt'
import { PlantEdits } from './plant-edits'
import { MqttConnectionConfig, MqttSignalConfig, OpcuaConnectionConfig } from './schema'

/** Every message of an error, nested ones too (a record key's issues sit under `invalid_key`). */
const messages = (issues: readonly z.core.$ZodIssue[]): string[] =>
  issues.flatMap((i) => [i.message, ...('issues' in i && Array.isArray(i.issues) ? messages(i.issues as z.core.$ZodIssue[]) : [])])

// Shapes defined once in src/shared and derived elsewhere: these fail when a copy drifts from its source.
describe('one source for each shared shape', () => {
  const good = ['line-1_A', 'x'.repeat(64)]
  const bad = ['', 'has space', 'dot.ted', 'x'.repeat(65), 'ümlaut']
  const places: [string, (id: string) => z.ZodSafeParseResult<unknown>][] = [
    ['config opcua', (id) => OpcuaConnectionConfig.safeParse({ id, kind: 'opcua', name: 'n', endpoint: 'opc.tcp://h:4840' })],
    ['config mqtt', (id) => MqttConnectionConfig.safeParse({ id, kind: 'mqtt', name: 'n', url: 'mqtt://h' })],
    ['plant edits', (id) => PlantEdits.safeParse({ version: 1, connections: { [id]: {} } })],
    ['contract mqtt', (id) => contract['mqtt.topics'].input.safeParse({ connection: id })],
    ['contract opcua', (id) => contract['opcua.browse'].input.safeParse({ connection: id })],
  ]

  it.each(places)('%s takes the same connection ids and names the field in its error', (_, parse) => {
    expect(good.filter((id) => !parse(id).success)).toEqual([])
    for (const id of bad) {
      const r = parse(id)
      expect(r.success, id).toBe(false)
      expect(messages(r.error!.issues).join('; '), id).toContain('connection id')
    }
  })

  it('MqttMapping is MqttSignalConfig without writable, built from the same field schemas', () => {
    const cfg = MqttSignalConfig.shape
    const map = MqttMapping.shape
    expect(Object.keys(map).sort()).toEqual(Object.keys(cfg).filter((k) => k !== 'writable').sort())
    // same schema objects, not copies: only topic (no wildcards in the API) and dataType (a config default) differ
    const own = Object.keys(map).filter((k) => map[k as keyof typeof map] !== cfg[k as keyof typeof cfg])
    expect(own.sort()).toEqual(['dataType', 'topic'])
    // the configuration's key order (what a written file shows) is unchanged
    expect(Object.keys(cfg)).toEqual(['id', 'name', 'dataType', 'unit', 'range', 'writable', 'description', 'topic', 'path', 'tsPath', 'tsFormat', 'metric'])
  })
})
