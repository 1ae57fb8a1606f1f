// electron-builder afterPack hook: flips Electron's fuses in the packaged binary. It runs after the app is
// copied and before electron-builder signs it (a fuse flip changes the binary, so it must come first).
// CommonJS because electron-builder require()s hooks and package.json says "type": "module".
'use strict'
const path = require('node:path')
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses')

/**
 * The last items of Electron's security checklist. Fuses not named here keep Electron's default.
 * ASAR integrity is checked by Electron on Windows (and macOS); on Linux Electron has no such check yet.
 */
const FUSES = {
  version: FuseVersion.V1,
  // `ELECTRON_RUN_AS_NODE=1 plantdeck script.js` would run any script with the app's identity.
  [FuseV1Options.RunAsNode]: false,
  // NODE_OPTIONS=--require ... would inject code into the main process.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect / --inspect-brk would open a debugger port on the main process.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // app.asar must match the hash embedded at packaging, and the app is only ever loaded from it.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The renderer is served from app:// (src/main/app-protocol-files.ts), so file:// needs no extra privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
}

/** Where electron-builder put the Electron binary (the same rule it uses for its own fuse support). */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context
  if (electronPlatformName === 'linux') return path.join(appOutDir, packager.executableName)
  const ext = { win32: '.exe', darwin: '.app', mas: '.app' }[electronPlatformName]
  if (ext === undefined) throw new Error(`after-pack: no fuse rule for platform ${electronPlatformName}`)
  return path.join(appOutDir, `${packager.appInfo.productFilename}${ext}`)
}

async function afterPack(context) {
  const binary = electronBinaryPath(context)
  const darwin = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas'
  // A missing sentinel or a wire too short throws: the build fails rather than ship without fuses.
  await flipFuses(binary, { ...FUSES, resetAdHocDarwinSignature: darwin && context.arch === 3 /* arm64 */ })
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.FUSES = FUSES
module.exports.electronBinaryPath = electronBinaryPath
