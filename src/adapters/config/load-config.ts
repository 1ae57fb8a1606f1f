import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { AppConfig } from '../../core/config/app-config'
import { AppError } from '../../shared/model/errors'

/** JSON when the name ends in `.json`, YAML otherwise. */
export const isJsonFile = (file: string): boolean => /\.json$/i.test(file)

/**
 * Read and validate the configuration file. Every failure is an AppError whose message names
 * the file, the field path and the reason — never a stack trace.
 */
export function loadConfig(file: string | undefined): AppConfig {
  if (file === undefined) return AppConfig.parse({})
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new AppError('config.not_found', `${file}: cannot read the configuration file (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  return parseConfigText(file, text)
}

/** What `loadConfig` does with the text of `file`: runtime edits are checked with it before they are written. */
export function parseConfigText(file: string, text: string): AppConfig {
  let raw: unknown
  try {
    raw = isJsonFile(file) ? JSON.parse(text) : parseYaml(text)
  } catch (e) {
    throw new AppError('config.parse', `${file}: not valid ${isJsonFile(file) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`)
  }
  return validateConfig(file, raw)
}

/** The schema check of `loadConfig` on what the file reads as. */
export function validateConfig(file: string, raw: unknown): AppConfig {
  const r = AppConfig.safeParse(raw ?? {})
  if (!r.success) {
    const lines = r.error.issues.slice(0, 8).map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    throw new AppError('config.invalid', `${file}: invalid configuration\n${lines.join('\n')}`, r.error.issues)
  }
  return r.data
}
