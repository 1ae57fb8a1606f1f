import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRuntime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import type { SyncStatus } from '../../src/shared/contract'
import { T0, signalIds, step, tempDir, until } from '../fixtures/sync/pipeline'
import { Victoria, haveVictoria } from '../fixtures/sync/victoria'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi } from '../helpers/login'

const files = tempDir('sync-runtime')
afterAll(files.cleanup)
const base = { logger: silentLogger, host: 'test' as const, version: '0.0.0-test', scrypt: TEST_SCRYPT }

describe('the runtime opens the store with its policy and syncs to the configured sinks', () => {
  it('refuses a sink with bad options, naming the field', async () => {
    const config = AppConfig.parse({ demo: { enabled: false }, sync: { sinks: [{ id: 'vm', kind: 'line-protocol', endpoints: ['ftp://x'] }] } })
    await expect(startRuntime({ ...base, config, dataDir: files.path('bad') })).rejects.toMatchObject({ code: 'config.invalid', message: expect.stringContaining('sync.sinks.0.endpoints.0') })
    const unknown = AppConfig.parse({ demo: { enabled: false }, sync: { sinks: [{ id: 'x', kind: 'carrier-pigeon' }] } })
    await expect(startRuntime({ ...base, config: unknown, dataDir: files.path('bad2') })).rejects.toMatchObject({ message: expect.stringContaining('sync.sinks.0.kind: unknown sink kind "carrier-pigeon"') })
    const typo = AppConfig.parse({ demo: { enabled: false }, sync: { sinks: [{ id: 'vm', kind: 'line-protocol', endpoints: ['http://a'], endpiont: 1 }] } })
    await expect(startRuntime({ ...base, config: typo, dataDir: files.path('bad3') })).rejects.toMatchObject({ message: expect.stringContaining('endpiont') })
  })

  describe.skipIf(!haveVictoria)('with a real VictoriaMetrics', () => {
    let vm: Victoria
    beforeAll(async () => {
      vm = await Victoria.start()
    })
    afterAll(async () => {
      await vm.close()
    })

    it('delivers, answers sync.status, pushes it as an event, and drops the cursor of a removed sink', async () => {
      const dataDir = files.path('rt')
      const config = AppConfig.parse({
        demo: { enabled: false },
        store: { diskBudget: '64 MiB', retentionDays: { raw: 7, minutes: 30, hours: 365 } },
        sync: { sinks: [{ id: 'vm', kind: 'line-protocol', endpoints: [vm.url] }], backoff: { minMs: 20, maxMs: 200 } },
      })
      const rt = await startRuntime({ ...base, config, dataDir })
      const api = await openApi(rt)
      const pushed: SyncStatus[] = []
      api.on('sync.status', (payload) => void pushed.push(payload))
      const signals = signalIds(5, 'rt')
      await rt.store.registerSignals(signals.map((id) => ({ id, name: id, dataType: 'number', connection: 'rt' })))
      for (let k = 0; k < 50; k++) await rt.store.append(step(signals, k))
      await rt.core.sync?.delivered(rt.store.durableSeq)
      const status = await api.call('sync.status', {})
      expect(status.store).toMatchObject({ diskBudgetBytes: 64 * 1024 * 1024, oldestTs: expect.any(Number) })
      expect(status.store.diskBytes).toBeGreaterThan(0)
      expect(status.sinks).toEqual([expect.objectContaining({ id: 'vm', kind: 'line-protocol', state: 'live', endpoint: vm.url, backlog: { samples: 0, bytes: 0, oldestTs: null } })])
      await until(() => pushed.length > 0, 'a sync.status event')
      expect(pushed[0]?.sinks[0]?.id).toBe('vm')
      const got = await vm.timestampsBySignal('{signal=~"rt/.*"}')
      expect(got.get('rt/s0')).toEqual(Array.from({ length: 50 }, (_, k) => T0 + k))
      expect((await rt.store.cursors()).map((c) => c.name)).toEqual(['vm'])
      api.close()
      await rt.stop()

      // the sink leaves the configuration: its cursor no longer holds data back
      const again = await startRuntime({ ...base, config: AppConfig.parse({ demo: { enabled: false } }), dataDir })
      expect(await again.store.cursors()).toEqual([])
      const api2 = await openApi(again)
      expect((await api2.call('sync.status', {})).sinks).toEqual([])
      api2.close()
      await again.stop()
    })
  })
})
