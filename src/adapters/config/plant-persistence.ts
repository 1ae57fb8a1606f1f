import { readFileSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { parse as parseYaml, stringify } from 'yaml'
import { applyPlantEdits, emptyPlantEdits, PlantEdits, recordEdit, signalForFile, type PlantEdit } from '../../core/config/plant-edits'
import type { ConnectionConfig } from '../../core/config/schema'
import type { Logger } from '../../core/ports/logger'
import type { PlantPersistence, SaveResult } from '../../core/ports/plant-persistence'
import { AppError, isAppError } from '../../shared/model/errors'
import { writeFileAtomic } from './atomic-write'
import { editConfigText } from './config-edit'
import { isJsonFile, parseConfigText, validateConfig } from './load-config'

export const OVERLAY_FILE_NAME = 'plant-edits.yaml'

const OVERLAY_HEADER = `# Plantdeck: runtime edits (MQTT mappings, OPC UA signals added or removed while running) of connections
# that are not in the configuration file, such as the simulated plant's, by connection id.
# Applied at start on top of those connections. Written by Plantdeck; edit it only while Plantdeck is stopped.
`

/** The overlay file; none yet: no edits. Throws `config.parse` / `config.invalid` naming the file. */
export function loadPlantEdits(file: string): PlantEdits {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyPlantEdits()
    throw new AppError('config.write_failed', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  return parsePlantEdits(file, text)
}

function parsePlantEdits(file: string, text: string): PlantEdits {
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (e) {
    throw new AppError('config.parse', `${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`)
  }
  const r = PlantEdits.safeParse(raw ?? emptyPlantEdits())
  if (!r.success) {
    const lines = r.error.issues.slice(0, 8).map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    throw new AppError('config.invalid', `${file}: invalid runtime edits\n${lines.join('\n')}`, r.error.issues)
  }
  return r.data
}

export interface FilePlantPersistenceOptions {
  /** The configuration file the host started with, if any. */
  configFile?: string | undefined
  /** Ids of the connections that file defined at start: their edits are written into it. */
  fileConnections: readonly string[]
  /** `<dataDir>/plant-edits.yaml`: edits of every other connection. */
  overlayFile: string
  /** Every connection as it is before the overlay's edits (the demo's as generated). */
  base: readonly ConnectionConfig[]
  logger: Logger
}

/**
 * Runtime edits on disk. A connection defined in the configuration file is edited in that file (YAML keeps its
 * comments and order); any other connection's edits go to the overlay file in the data dir, which the host
 * applies at start. Every write is validated the way the next start reads it, then replaces the file atomically
 * (temporary file, fsync, rename) keeping one `.bak`. Failures are logged and counted and returned, never thrown.
 */
export class FilePlantPersistence implements PlantPersistence {
  /** Saves that failed since start. */
  failures = 0
  private queue: Promise<unknown> = Promise.resolve()
  private readonly inFile: Set<string>

  constructor(private readonly o: FilePlantPersistenceOptions) {
    this.inFile = new Set(o.configFile === undefined ? [] : o.fileConnections)
  }

  save(edit: PlantEdit): Promise<SaveResult> {
    const run = this.queue.then(() => this.saveNow(edit))
    this.queue = run
    return run
  }

  private async saveNow(edit: PlantEdit): Promise<SaveResult> {
    const toConfig = this.inFile.has(edit.connection)
    const file = toConfig ? this.o.configFile! : this.o.overlayFile
    try {
      if (toConfig) await this.saveToConfig(file, edit)
      else await this.saveToOverlay(file, edit)
      this.o.logger.info({ connection: edit.connection, file, added: edit.upsert?.map((s) => s.id), removed: edit.remove }, 'runtime edit saved')
      return { persisted: true, savedTo: toConfig ? 'config' : 'overlay', file }
    } catch (e) {
      this.failures++
      const err = isAppError(e) ? e : new AppError('config.write_failed', `${file}: ${(e as Error).message}`)
      this.o.logger.error({ connection: edit.connection, file, code: err.code, err: err.message, failures: this.failures }, 'runtime edit not saved: it applies until the next restart')
      return { persisted: false, error: { code: err.code, message: err.message } }
    }
  }

  private async saveToConfig(file: string, edit: PlantEdit): Promise<void> {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new AppError('config.write_failed', `${file}: cannot read the configuration file (${e.code ?? 'error'})`)
    })
    const next = editConfigText(file, text, isJsonFile(file), edit)
    if (!next.changed) return
    try {
      validateConfig(file, next.value)
    } catch (e) {
      // a file someone broke since the start is left alone, and said so; otherwise it is the edit that would break it
      parseConfigText(file, text)
      throw new AppError('config.edit_invalid', `the edit would make ${file} fail to load: ${(e as Error).message}`)
    }
    await writeFileAtomic(file, next.text)
  }

  private async saveToOverlay(file: string, edit: PlantEdit): Promise<void> {
    const current = loadPlantEdits(file)
    const next = recordEdit(current, edit, this.o.base.find((c) => c.id === edit.connection))
    if (isDeepStrictEqual(next, current)) return
    const text = OVERLAY_HEADER + stringify(forFile(next))
    // check what the next start will read: the text itself, and the connection with its edits applied
    const reread = parsePlantEdits(file, text)
    const problem = applyPlantEdits(this.o.base, reread).problems.find((p) => p.startsWith(`${edit.connection}:`))
    if (problem) throw new AppError('config.edit_invalid', `${file}: the edit would not apply at the next start: ${problem}`)
    await mkdir(dirname(file), { recursive: true }).catch((e: NodeJS.ErrnoException) => {
      throw new AppError('config.write_failed', `${file}: cannot create its folder (${e.code ?? 'error'}: ${e.message})`)
    })
    await writeFileAtomic(file, text)
  }
}

const forFile = (e: PlantEdits) => ({
  version: e.version,
  connections: Object.fromEntries(
    Object.entries(e.connections).map(([id, c]) => [id, { ...(c.signals.length ? { signals: c.signals.map(signalForFile) } : {}), ...(c.removed.length ? { removed: c.removed } : {}) }]),
  ),
})
