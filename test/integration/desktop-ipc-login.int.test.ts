import { EventEmitter } from 'node:events'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { APP_INDEX_URL } from '../../src/main/app-protocol-files'
import { ipcTransport } from '../../src/main/ipc-transport'
import { startRuntime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import type { Contract, Events } from '../../src/shared/contract'
import { createRpcClient } from '../../src/shared/rpc/client'
import type { Transport } from '../../src/shared/rpc/transport'
import { tempDir } from '../fixtures/store/engine'
import { ADMIN_USER, openApi, TEST_PASSWORD } from '../helpers/login'

/**
 * The desktop's login path without the Electron binary (it cannot be downloaded here): the real runtime and RPC
 * server behind the desktop's own IPC transport (`src/main/ipc-transport.ts`, as `src/main/index.ts` connects it),
 * with Electron's `ipcMain` and a window's `webContents` stood in by event emitters. What is proven is ours: the
 * session starts with nobody, the console user sets up and logs in over IPC, messages from another window or a
 * foreign frame never reach the core. Electron's own IPC delivery is not.
 */
const electron = vi.hoisted(() => {
  const { EventEmitter: E } = require('node:events') as typeof import('node:events')
  return { ipcMain: new E() }
})
vi.mock('electron', () => electron)

const CHANNEL = 'plantdeck:rpc'
const files = tempDir('desktop-ipc')
afterAll(files.cleanup)

/** A window: what the main process sends it, and how its page (a frame at `url`) sends to the main process. */
function fakeWindow() {
  const wc = Object.assign(new EventEmitter(), {
    destroyed: false,
    isDestroyed() {
      return this.destroyed
    },
    send(_channel: string, text: string) {
      for (const cb of received) cb(text)
    },
  })
  const received = new Set<(text: string) => void>()
  /** The page's side of the channel, as the preload exposes it; `from` overrides the sender and frame. */
  const page = (o: { url?: string; sender?: unknown } = {}): Transport => ({
    send: (text) => void setImmediate(() => electron.ipcMain.emit(CHANNEL, { sender: o.sender ?? wc, senderFrame: { url: o.url ?? APP_INDEX_URL } }, text)),
    onMessage: (cb) => (received.add(cb), () => received.delete(cb)),
    onClose: () => () => undefined,
    close: () => undefined,
  })
  const destroy = () => {
    wc.destroyed = true
    wc.emit('destroyed')
  }
  return { wc, page, destroy }
}

describe('the desktop window logs in over IPC (ipc-transport against the real runtime)', () => {
  it('starts with nobody, sets up the console user, logs in; another window or a foreign frame is never heard', async () => {
    const rt = await startRuntime({ config: AppConfig.parse({ demo: { enabled: false } }), dataDir: files.path('data'), logger: silentLogger, host: 'desktop', version: '0.0.0-test', scrypt: TEST_SCRYPT })
    const win = fakeWindow()
    const trusted = (url: string) => url === APP_INDEX_URL || url.startsWith(`${APP_INDEX_URL}#`)
    rt.rpc.connect(ipcTransport(win.wc as never, trusted), { remote: 'ipc' })
    const api = createRpcClient<Contract, Events>(win.page(), { timeoutMs: 5000 })
    try {
      // nobody yet, and the desktop is the machine's console: setup is allowed here
      expect(await api.call('auth.status', {})).toMatchObject({ principal: null, setupRequired: true, setupAllowed: true })
      await expect(api.call('model.children', { parent: null })).rejects.toMatchObject({ code: 'auth.setup_required' })
      const setup = await api.call('auth.setup', { user: ADMIN_USER, password: TEST_PASSWORD })
      expect(setup.principal).toMatchObject({ kind: 'user', user: ADMIN_USER, roles: ['admin'], from: 'ipc' })
      await api.call('users.create', { name: 'ops', password: TEST_PASSWORD, role: 'operator' })
      await api.call('auth.logout', {})
      expect((await api.call('auth.status', {})).principal).toBeNull()
      await expect(api.call('model.children', { parent: null })).rejects.toMatchObject({ code: 'auth.required' }) // no kiosk without the demo
      await expect(api.call('auth.login', { user: 'ops', password: 'not the password' })).rejects.toMatchObject({ code: 'auth.bad_credentials' })
      expect((await api.call('auth.login', { user: 'ops', password: TEST_PASSWORD })).principal).toMatchObject({ user: 'ops', roles: ['operator'], from: 'ipc' })
      await expect(api.call('users.list', {})).rejects.toMatchObject({ code: 'auth.forbidden' })

      // a page navigated elsewhere, and another window's webContents: dropped before the RPC server (no answer at all)
      const foreign = createRpcClient<Contract, Events>(win.page({ url: 'https://evil.example/' }), { timeoutMs: 500 })
      await expect(foreign.call('system.ping', { nonce: 'x' })).rejects.toMatchObject({ code: 'rpc.timeout' })
      const other = createRpcClient<Contract, Events>(win.page({ sender: new EventEmitter() }), { timeoutMs: 500 })
      await expect(other.call('system.ping', { nonce: 'y' })).rejects.toMatchObject({ code: 'rpc.timeout' })
      // the window's own page is still served, as ops
      expect((await api.call('auth.status', {})).principal).toMatchObject({ user: 'ops' })

      // the login and the failed one are in the audit trail, from ipc
      win.destroy() // the window closes: its session ends with it
      const audit = await openApi(rt)
      const entries = (await audit.call('audit.search', { from: 0, limit: 100 })).items.filter((e) => e.from === 'ipc').map((e) => `${e.action}:${e.target}:${e.result}`)
      expect(entries).toEqual(expect.arrayContaining(['auth.setup:admin:ok', 'auth.login_failed:ops:auth.bad_credentials', 'auth.login:ops:ok']))
      expect(electron.ipcMain.listenerCount(CHANNEL)).toBe(0)
      audit.close()
    } finally {
      await rt.stop()
    }
  })
})
