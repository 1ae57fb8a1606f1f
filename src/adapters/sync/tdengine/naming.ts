import { createHash } from 'node:crypto'
import type { DataType } from '../../../shared/model'

/** TDengine's longest table name, in bytes. */
export const MAX_TABLE_NAME = 192

/** Supertable suffix and column type per value type. */
export const VALUE_TYPES: Record<DataType, { suffix: string; prefix: string }> = {
  number: { suffix: 'double', prefix: 'n' },
  boolean: { suffix: 'bool', prefix: 'b' },
  string: { suffix: 'text', prefix: 's' },
}

const VALID = /^[A-Za-z0-9_]+$/

/**
 * The child table of a signal: `<type letter>_<signal id>` when the id is letters, digits and underscores only,
 * else every other character becomes `_` and a hash of the whole id follows (`_h` + 12 hex digits), so two ids
 * that sanitize alike never share a table; an id too long for 192 bytes is cut and hashed the same way.
 * Deterministic (a function of id and type alone), never a dot, always quoted with backticks in SQL (TDengine
 * folds unquoted names to lower case, and `Pump` and `pump` are different signals). The type letter keeps a
 * signal whose type changed from writing into its old table under another supertable.
 */
export function childTableName(signalId: string, dataType: DataType): string {
  const prefix = `${VALUE_TYPES[dataType].prefix}_`
  const plain = prefix + signalId
  if (VALID.test(signalId) && plain.length <= MAX_TABLE_NAME) return plain
  const hash = `_h${createHash('sha256').update(signalId).digest('hex').slice(0, 12)}`
  const body = signalId.replace(/[^A-Za-z0-9_]/g, '_')
  return prefix + body.slice(0, MAX_TABLE_NAME - prefix.length - hash.length) + hash
}

/** A supertable's name: `<prefix>_<double|bool|text>`. */
export function superTableName(prefix: string, dataType: DataType): string {
  return `${prefix}_${VALUE_TYPES[dataType].suffix}`
}

/** A valid database or supertable prefix: a letter first, then letters, digits, underscores; at most 64 bytes. */
export const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

/** `name` in backticks (names built here never hold one). */
export function quoteName(name: string): string {
  if (name.includes('`')) throw new RangeError(`a name with a backtick: ${name}`)
  return `\`${name}\``
}
