import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'

// The desktop packaging without the Electron binary (which this environment cannot download): the real
// electron-vite build, then the real electron-builder packing a Linux folder around a stand-in "Electron" that
// carries only a fuse wire. What cannot run here (the ABI rebuild, AppImage/deb/NSIS, starting the app) is not
// pretended: see README "Packaging".
const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/[/]$/, '')
const require = createRequire(import.meta.url)
const run = promisify(execFile)
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
// Electron's shipped defaults for the 8 fuses @electron/fuses 1.8 names ('1' on, '0' off), plus a 9th it does not know.
// In order: RunAsNode, cookie encryption, NODE_OPTIONS, inspect arguments, ASAR integrity, ASAR only, V8 snapshot,
// file:// privileges, unknown.
const SHIPPED_WIRE = '101100011'
// Expected after the hook: the first four and file:// off, integrity and ASAR only on, the rest as shipped.
const HARDENED_WIRE = '000011001'

/** A stand-in Electron: a file with a version-1 fuse wire, which is all @electron/fuses reads. */
function fakeElectron(dir: string, name = 'electron') {
  mkdirSync(dir, { recursive: true })
  const bin = Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(SENTINEL), Buffer.from([1, SHIPPED_WIRE.length]), Buffer.from(SHIPPED_WIRE)])
  writeFileSync(join(dir, name), bin)
  chmodSync(join(dir, name), 0o755)
  writeFileSync(join(dir, 'version'), '41.7.1')
}

/** The fuse states after the sentinel, as characters ('0' off, '1' on). */
function wireOf(file: string) {
  const b = readFileSync(file)
  const at = b.indexOf(SENTINEL) + SENTINEL.length
  return b.subarray(at + 2, at + 2 + b[at + 1]!).toString('latin1')
}

let tmp: string
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'plantdeck-packaging-'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('electron-builder configuration', () => {
  it('passes electron-builder’s own schema validation, which refuses an unknown option', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config')
    const debug = { isEnabled: false, add() {} }
    const config = await getConfig(root, null, null)
    expect(config.appId).toBe('com.plantdeck.desktop') // read from electron-builder.yml, not defaults
    await expect(validateConfiguration(config, debug)).resolves.toBeUndefined()
    await expect(validateConfiguration({ ...config, asarUnpak: ['x'] }, debug)).rejects.toThrow(/asarUnpak/)
  })

  it('packs the bundle for Linux (AppImage, deb) and Windows (NSIS), rebuilds natives while packaging, flips fuses after', () => {
    const c = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'))
    expect(c).toMatchObject({ productName: 'Plantdeck', asar: true, npmRebuild: true, afterPack: './build/after-pack.cjs' })
    expect(c.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/)
    expect(c.files).toContain('out/**')
    expect(c.linux.target).toEqual(['AppImage', 'deb'])
    expect(c.win.target).toEqual(['nsis'])
    expect(existsSync(join(root, c.linux.icon))).toBe(true)
    expect(existsSync(join(root, 'build/after-pack.cjs'))).toBe(true)
    // Nothing may build or download during `npm ci`: no install hooks; `npm run dist` does the packaging.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook]).toBeUndefined()
    expect(pkg.scripts.dist).toMatch(/^electron-vite build && electron-builder/)
  })
})

describe('afterPack hook', () => {
  it('turns RunAsNode, NODE_OPTIONS and the inspect arguments off, ASAR integrity and ASAR-only loading on', async () => {
    const afterPack = require('../../build/after-pack.cjs')
    const packager = { executableName: 'plantdeck', appInfo: { productFilename: 'Plantdeck' } }
    const linux = join(tmp, 'hook-linux')
    fakeElectron(linux, 'plantdeck')
    await afterPack({ appOutDir: linux, electronPlatformName: 'linux', arch: 1, packager })
    expect(wireOf(join(linux, 'plantdeck'))).toBe(HARDENED_WIRE)

    const win = join(tmp, 'hook-win')
    fakeElectron(win, 'Plantdeck.exe')
    await afterPack({ appOutDir: win, electronPlatformName: 'win32', arch: 1, packager })
    expect(wireOf(join(win, 'Plantdeck.exe'))).toBe(HARDENED_WIRE)
  })

  it('fails the build when the binary has no fuse wire, rather than ship without fuses', async () => {
    const afterPack = require('../../build/after-pack.cjs')
    const dir = join(tmp, 'hook-nowire')
    mkdirSync(dir)
    writeFileSync(join(dir, 'plantdeck'), 'not electron')
    await expect(afterPack({ appOutDir: dir, electronPlatformName: 'linux', packager: { executableName: 'plantdeck' } })).rejects.toThrow(/sentinel/)
  })
})

describe('npm run dist, up to the packed folder', () => {
  let appOut: string
  beforeAll(async () => {
    // The first half of `npm run dist`, as is: electron-vite writes out/main, out/preload, out/renderer.
    await run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: root })
    const electronDist = join(tmp, 'electron-dist')
    fakeElectron(electronDist)
    // The second half with a stand-in Electron: no download, no ABI rebuild (both need the network and Electron).
    await run(
      process.execPath,
      [join(root, 'node_modules/electron-builder/cli.js'), '--linux', '--dir', '--x64', `-c.electronDist=${electronDist}`, '-c.npmRebuild=false', `-c.directories.output=${join(tmp, 'dist')}`],
      { cwd: root, env: { ...process.env, NO_UPDATE_NOTIFIER: '1', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, maxBuffer: 64 * 1024 * 1024 },
    )
    appOut = join(tmp, 'dist', 'linux-unpacked')
  }, 180_000)

  it('puts the main process, the store worker, the preload and the renderer into app.asar', () => {
    const asar = require('@electron/asar')
    const files: string[] = asar.listPackage(join(appOut, 'resources', 'app.asar'))
    for (const f of ['/package.json', '/out/main/index.js', '/out/main/store-worker.js', '/out/main/worker-bootstrap.mjs', '/out/preload/index.cjs', '/out/renderer/index.html']) {
      expect(files).toContain(f)
    }
    // Only the bundle: no sources, tests or the headless server's copy of the renderer.
    expect(files.filter((f) => /^\/(src|test|bench|out\/web)\//.test(f))).toEqual([])
    // The bundle leaves better-sqlite3 external (in the worker or a chunk it shares), so it must ship in node_modules.
    const mainJs = readdirSync(join(root, 'out/main'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))
    expect(mainJs.some((f) => readFileSync(join(root, 'out/main', f), 'utf8').includes('from "better-sqlite3"'))).toBe(true)
    expect(files).toContain('/node_modules/better-sqlite3/package.json')
  })

  it('bundles a main process that serves the page from app:// and never loads it from file://', () => {
    const main = readFileSync(join(root, 'out/main/index.js'), 'utf8')
    // Booleans, so that a failure names the check instead of printing the 280 kB bundle.
    expect({
      registersScheme: /protocol\.registerSchemesAsPrivileged\(\[\{\s*scheme: "app"/.test(main),
      handlesScheme: main.includes('protocol.handle("app"'),
      loadsAppUrl: main.includes('loadURL(rendererDev ?? "app://plantdeck/index.html")'),
      loadsFile: /loadFile\(/.test(main),
      devUrlOnlyUnpackaged: main.includes('app.isPackaged ? void 0 : process.env.ELECTRON_RENDERER_URL'),
    }).toEqual({ registersScheme: true, handlesScheme: true, loadsAppUrl: true, loadsFile: false, devUrlOnlyUnpackaged: true })
  })

  it('marks better-sqlite3’s native addon unpacked and puts it beside the archive', () => {
    const asar = require('@electron/asar')
    const entry = asar.statFile(join(appOut, 'resources', 'app.asar'), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')
    expect(entry.unpacked).toBe(true)
    expect(existsSync(join(appOut, 'resources', 'app.asar.unpacked', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true)
    // Its sources and build intermediates stay out of the package.
    expect(existsSync(join(appOut, 'resources', 'app.asar.unpacked', 'node_modules/better-sqlite3/deps'))).toBe(false)
  })

  it('ran the afterPack hook on the packed binary', () => {
    expect(wireOf(join(appOut, 'plantdeck'))).toBe(HARDENED_WIRE)
  })
})
