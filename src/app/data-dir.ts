import { homedir } from 'node:os'
import { join } from 'node:path'

/** The platform's per-user data folder for Plantdeck when no `dataDir` is configured (Electron uses app.getPath('userData')). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PLANTDECK_DATA_DIR) return env.PLANTDECK_DATA_DIR
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Plantdeck')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Plantdeck')
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'plantdeck')
}
