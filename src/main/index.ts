import { app, BrowserWindow, dialog, protocol, session, shell } from 'electron'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../adapters/config/load-config'
import { createLogger } from '../app/logger'
import { startRuntime, type Runtime } from '../app/runtime'
import { isAppError } from '../shared/model/errors'
import { APP_INDEX_URL, APP_SCHEME, appFileResponse } from './app-protocol-files'
import { ipcTransport } from './ipc-transport'

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

let runtime: Runtime | undefined

/** Electron composition root: thin on purpose; everything else is plain Node, tested without Electron. */
async function boot() {
  const dataDir = app.getPath('userData')
  const configFile = process.env.PLANTDECK_CONFIG ?? [join(dataDir, 'config.yaml'), join(dataDir, 'config.json')].find(existsSync)
  const config = loadConfig(configFile)
  const logger = createLogger(dataDir, config.logLevel, { ...config.log, stdout: !app.isPackaged })
  // The bundle ships the store's worker beside this file (see electron.vite.config.ts).
  const storeWorker = new URL('./store-worker.js', import.meta.url)
  runtime = await startRuntime({ config, configFile, dataDir, logger, logHealth: logger.logHealth, host: 'desktop', version: app.getVersion(), storeWorker })

  // electron-vite dev sets this; a packaged app ignores it, or anyone's environment could pick the page it trusts.
  const rendererDev = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
  // Production: the renderer folder is served as app://plantdeck/ (only real files inside it; see app-protocol-files.ts).
  const rendererRoot = join(__dirname, '../renderer')
  protocol.handle(APP_SCHEME, (req) => appFileResponse(rendererRoot, req, { 'Content-Security-Policy': CSP }))
  const devOrigin = rendererDev ? new URL(rendererDev).origin : undefined
  const isTrustedUrl = (url: string) => (devOrigin ? url.startsWith(devOrigin) : url === APP_INDEX_URL || url.startsWith(`${APP_INDEX_URL}#`))

  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))

  const win = new BrowserWindow({
    width: 1600,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    backgroundColor: '#1d2125',
    title: 'Plantdeck',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  win.once('ready-to-show', () => win.show())
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.on('will-attach-webview', (e) => e.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  // The session starts without a principal: the renderer asks who is at the console (the login screen); the kiosk
  // (server.kiosk, default on with the simulated plant) shows the plant read-only meanwhile.
  runtime.rpc.connect(ipcTransport(win.webContents, isTrustedUrl), { remote: 'ipc' })
  await win.loadURL(rendererDev ?? APP_INDEX_URL)
}

// Before ready: a standard, secure scheme gets a real origin ('self' in the CSP) and counts as a secure context.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
app.enableSandbox()
app.whenReady().then(boot, () => undefined).catch((e: unknown) => {
  const msg = isAppError(e) ? `[${e.code}] ${e.message}` : (e as Error).message
  dialog.showErrorBox('Plantdeck could not start', msg)
  app.exit(2)
})
app.on('window-all-closed', () => app.quit())
app.on('before-quit', (e) => {
  if (!runtime) return
  e.preventDefault()
  const r = runtime
  runtime = undefined
  void r.stop().finally(() => app.quit())
})
