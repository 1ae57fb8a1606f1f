import { existsSync, mkdirSync } from 'node:fs'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startRuntime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { tempDir } from '../fixtures/store/engine'
import { ADMIN_USER, connectApi, openApi, TEST_PASSWORD } from '../helpers/login'

const files = tempDir('asset-model-runtime')
afterAll(files.cleanup)
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
const base = { logger: silent, host: 'test' as const, version: '0.0.0-test', scrypt: TEST_SCRYPT }
/** The stable code a promise rejects with. */
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { code: string }) => e.code)

it('the runtime keeps the asset model in <dataDir>/app.db: ids, paths and the change log survive a restart', async () => {
  const dataDir = files.path('data')
  const config = AppConfig.parse({ demo: { enabled: false } })
  const first = await startRuntime({ ...base, config, dataDir })
  const api = await openApi(first)
  const line = await api.call('model.create', { parent: null, name: 'Line 2', kind: 'line' })
  const pump = await api.call('model.create', { parent: line.id, name: 'Pump P-201', kind: 'equipment', attributes: [{ name: 'Flow', dataType: 'number', unit: 'm3/h' }] })
  api.close()
  await first.stop()
  expect(existsSync(join(dataDir, 'app.db'))).toBe(true)

  const second = await startRuntime({ ...base, config, dataDir })
  const again = await openApi(second) // the administrator set up on the first start logs in again (users are in app.db)
  expect((await again.call('model.resolve', { path: 'Line 2/Pump P-201/Flow' })).asset.id).toBe(pump.id)
  expect(await again.call('model.get', { id: pump.id })).toEqual(pump)
  const log = (await again.call('model.changes', {})).items
  expect(log.map((c) => [c.op, c.who])).toEqual([
    ['create', ADMIN_USER],
    ['create', ADMIN_USER],
  ])
  again.close()
  await second.stop()
})

it('an application database that does not open (from a newer build) leaves the runtime running, without the model or logins, and says so', async () => {
  const dataDir = files.path('newer')
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'app.db'))
  db.pragma('user_version = 999')
  db.close()
  const errors: string[] = []
  const logger: Logger = { ...silent, error: (_o, msg) => void errors.push(msg ?? ''), child: () => logger }
  // the kiosk on: without users nobody can log in, and the read-only kiosk is how a window still reads the plant
  const rt = await startRuntime({ ...base, config: AppConfig.parse({ demo: { enabled: false }, server: { kiosk: true } }), dataDir, logger })
  const api = connectApi(rt.rpc)
  expect(await codeOf(api.call('auth.setup', { user: ADMIN_USER, password: TEST_PASSWORD }))).toBe('auth.setup_closed')
  expect(await codeOf(api.call('auth.login', { user: ADMIN_USER, password: TEST_PASSWORD }))).toBe('auth.setup_closed')
  expect(await codeOf(api.call('model.children', { parent: null }))).toBe('model.unavailable')
  expect(errors).toEqual([
    'application database not opened: the asset model is unavailable until it is fixed',
    'no users: the application database is not open, so nobody can log in (the kiosk, if on, still shows the plant)',
  ])
  expect((await api.call('connections.list', {})).length).toBe(0)
  api.close()
  await rt.stop()
  const again = new Database(join(dataDir, 'app.db'))
  expect(again.pragma('user_version', { simple: true })).toBe(999) // left as it was
  again.close()
})
