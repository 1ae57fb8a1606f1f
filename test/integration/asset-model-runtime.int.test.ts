import { existsSync, mkdirSync } from 'node:fs'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startRuntime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import type { Session } from '../../src/shared/rpc/server'
import { tempDir } from '../fixtures/store/engine'
import { callAs, testSession } from '../../src/core/testing/call-context'

const files = tempDir('asset-model-runtime')
afterAll(files.cleanup)
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
const session = testSession(7)
const ctx = callAs(session)

it('the runtime keeps the asset model in <dataDir>/app.db: ids, paths and the change log survive a restart', async () => {
  const dataDir = files.path('data')
  const config = AppConfig.parse({ demo: { enabled: false } })
  const first = await startRuntime({ config, dataDir, logger: silent, host: 'test', version: '0.0.0-test' })
  const h = first.core.handlers
  const line = await h['model.create']({ parent: null, name: 'Line 2', kind: 'line' }, ctx)
  const pump = await h['model.create']({ parent: line.id, name: 'Pump P-201', kind: 'equipment', attributes: [{ name: 'Flow', dataType: 'number', unit: 'm3/h' }] }, ctx)
  await first.stop()
  expect(existsSync(join(dataDir, 'app.db'))).toBe(true)

  const second = await startRuntime({ config, dataDir, logger: silent, host: 'test', version: '0.0.0-test' })
  const again = second.core.handlers
  expect((await again['model.resolve']({ path: 'Line 2/Pump P-201/Flow' }, ctx)).asset.id).toBe(pump.id)
  expect(await again['model.get']({ id: pump.id }, ctx)).toEqual(pump)
  const log = (await again['model.changes']({}, ctx)).items
  expect(log.map((c) => [c.op, c.who])).toEqual([
    ['create', 'test-engineer'],
    ['create', 'test-engineer'],
  ])
  await second.stop()
})

it('an application database that does not open (from a newer build) leaves the runtime running, without the model, and says so', async () => {
  const dataDir = files.path('newer')
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'app.db'))
  db.pragma('user_version = 999')
  db.close()
  const errors: string[] = []
  const logger: Logger = { ...silent, error: (_o, msg) => void errors.push(msg ?? ''), child: () => logger }
  const rt = await startRuntime({ config: AppConfig.parse({ demo: { enabled: false } }), dataDir, logger, host: 'test', version: '0.0.0-test' })
  const code = await Promise.resolve().then(() => rt.core.handlers['model.children']({ parent: null }, ctx)).then(
    () => 'no error',
    (e: { code: string }) => e.code,
  )
  expect(code).toBe('model.unavailable')
  expect(errors).toEqual([
    'application database not opened: the asset model is unavailable until it is fixed',
    'no users: the application database is not open, so nobody can log in (the kiosk, if on, still shows the plant)',
  ])
  expect((await rt.core.handlers['connections.list']({}, ctx)).length).toBe(0)
  await rt.stop()
  const again = new Database(join(dataDir, 'app.db'))
  expect(again.pragma('user_version', { simple: true })).toBe(999) // left as it was
  again.close()
})
