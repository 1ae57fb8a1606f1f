import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppConfig, demoEnabled, exposureProblem, kioskEnabled } from '../../core/config/app-config'
import { AppError } from '../../shared/model/errors'
import { loadConfig } from './load-config'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-cfg-'))
const file = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const failure = (f: () => unknown): AppError => {
  try {
    f()
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a failure')
}

describe('loadConfig', () => {
  it('runs the simulated plant on loopback with no file at all', () => {
    const c = loadConfig(undefined)
    expect(demoEnabled(c)).toBe(true)
    expect(c.server).toEqual({ host: '127.0.0.1', port: 6042, tokenRole: 'engineer' })
    expect(kioskEnabled(c, 'headless')).toBe(true) // the simulated plant on loopback: the kiosk shows it
  })

  it('reads YAML and JSON', () => {
    const y = loadConfig(file('a.yaml', 'server:\n  port: 7000\nconnections:\n  - {id: plc1, kind: opcua, name: PLC 1, endpoint: "opc.tcp://10.0.0.5:4840"}\n'))
    expect(y.server.port).toBe(7000)
    expect(y.connections[0]).toMatchObject({ id: 'plc1', kind: 'opcua', samplingIntervalMs: 500 })
    expect(demoEnabled(y)).toBe(false)
    expect(loadConfig(file('b.json', '{"demo":{"enabled":true}}')).demo.enabled).toBe(true)
  })

  it('names the file and the reason for a missing file', () => {
    const e = failure(() => loadConfig(join(dir, 'nope.yaml')))
    expect(e.code).toBe('config.not_found')
    expect(e.message).toContain('nope.yaml')
    expect(e.message).toContain('ENOENT')
  })

  it('reports a syntax error without a stack trace', () => {
    const e = failure(() => loadConfig(file('bad.json', '{"server": ')))
    expect(e.code).toBe('config.parse')
    expect(e.message).toMatch(/bad\.json: not valid JSON/)
    expect(failure(() => loadConfig(file('bad.yaml', 'server: [1, 2\n'))).code).toBe('config.parse')
  })

  it('names the field path and the reason for an invalid value', () => {
    const e = failure(() => loadConfig(file('inv.yaml', 'server:\n  port: 99999\nconnections:\n  - {id: "bad id!", kind: mqtt, name: x, url: "http://x"}\n')))
    expect(e.code).toBe('config.invalid')
    expect(e.message).toContain('server.port')
    expect(e.message).toContain('connections.0.id')
    expect(e.message).toContain('connections.0.url')
  })

  it('rejects unknown keys (typos must not be silently ignored) and duplicate ids', () => {
    expect(failure(() => loadConfig(file('typo.yaml', 'sever:\n  port: 1\n'))).message).toMatch(/sever|Unrecognized/)
    const dup = failure(() =>
      loadConfig(file('dup.yaml', 'connections:\n  - {id: a, kind: mqtt, name: A, url: "mqtt://h"}\n  - {id: a, kind: mqtt, name: B, url: "mqtt://h"}\n')),
    )
    expect(dup.message).toContain('duplicate connection id "a"')
  })
})

describe('exposureProblem', () => {
  it('allows loopback without TLS', () => {
    expect(exposureProblem(AppConfig.parse({}))).toBeUndefined()
    expect(exposureProblem(AppConfig.parse({ server: { host: '::1' } }))).toBeUndefined()
  })
  it('refuses a non-loopback address without TLS (logins are then required; the token is an option for API clients)', () => {
    expect(exposureProblem(AppConfig.parse({ server: { host: '0.0.0.0' } }))).toMatch(/refusing to listen on 0\.0\.0\.0/)
    expect(exposureProblem(AppConfig.parse({ server: { host: '0.0.0.0', token: 'x'.repeat(16) } }))).toMatch(/tls/)
    expect(exposureProblem(AppConfig.parse({ server: { host: '0.0.0.0', token: 'x'.repeat(16), tls: { cert: 'c', key: 'k' } } }))).toBeUndefined()
    expect(exposureProblem(AppConfig.parse({ server: { host: '0.0.0.0', tls: { cert: 'c', key: 'k' } } }))).toBeUndefined()
  })
  it('the kiosk: on with the simulated plant on loopback (or any desktop), off otherwise, unless configured', () => {
    const tls = { cert: 'c', key: 'k' }
    expect(kioskEnabled(AppConfig.parse({ server: { host: '0.0.0.0', tls } }), 'headless')).toBe(false)
    expect(kioskEnabled(AppConfig.parse({ server: { host: '0.0.0.0', tls, kiosk: true } }), 'headless')).toBe(true)
    expect(kioskEnabled(AppConfig.parse({ demo: { enabled: false } }), 'headless')).toBe(false)
    expect(kioskEnabled(AppConfig.parse({ server: { kiosk: false } }), 'headless')).toBe(false)
    expect(kioskEnabled(AppConfig.parse({}), 'desktop')).toBe(true)
    expect(kioskEnabled(AppConfig.parse({ demo: { enabled: true }, connections: [{ id: 'c', kind: 'calc', name: 'C', signals: [] }] }), 'headless')).toBe(true) // also beside other connections
  })
})
