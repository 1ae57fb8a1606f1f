import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { until } from '../helpers/mqtt-harness'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi } from '../helpers/login'

// A third kind of connection through the whole app: calculated signals over the simulated plant's live values,
// made by the app's collector registry, fed by the core, stored like any signal.

let dir: string
let runtime: Runtime
const FLOW = 'demo-opcua/Line2.Pump201.Flow'
const CURRENT = 'demo-opcua/Line2.Pump201.MotorCurrent'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-calc-'))
  const config = AppConfig.parse({
    demo: { enabled: true, opcuaPort: 0, mqttPort: 0 },
    connections: [{ id: 'calc', kind: 'calc', name: 'Calculated', signals: [{ id: 'calc/flow_per_amp', name: 'Flow per ampere', unit: 'm³/h/A', expression: `{${FLOW}} / {${CURRENT}}` }] }],
  })
  runtime = await startRuntime({ config, dataDir: dir, logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true, scrypt: TEST_SCRYPT })
}, 60_000)
afterAll(async () => {
  await runtime?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('calculated signals in the running app', () => {
  it('follow the plant: the value is the expression of the inputs at the newest input time, live and in history', async () => {
    const live = runtime.core.live
    await until(() => live.get('calc/flow_per_amp')?.quality === 'good', 30_000, 'a good calculated value')
    const flow = live.get(FLOW)!
    const current = live.get(CURRENT)!
    const calc = live.get('calc/flow_per_amp')!
    // read in one turn: a calculation runs in the same turn as the input batch that changed it, so it is of these values
    expect(calc.ts).toBe(Math.max(flow.ts, current.ts))
    expect(calc.value).toBeCloseTo((flow.value as number) / (current.value as number), 9)
    const api = await openApi(runtime)
    const states = await api.call('connections.list', {})
    api.close()
    expect(states.find((c) => c.id === 'calc')).toMatchObject({ kind: 'calc', health: 'connected', target: '1 expression' })
    await until(async () => (await runtime.store.count('calc/flow_per_amp', 0, Date.now() + 1000)) > 0, 20_000, 'stored')
    expect((await runtime.store.listSignals()).find((s) => s.id === 'calc/flow_per_amp')).toMatchObject({ connection: 'calc', unit: 'm³/h/A' })
  })
})
