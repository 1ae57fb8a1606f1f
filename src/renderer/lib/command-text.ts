import type { CommandInfo, CommandResult } from '../../shared/contract/commands'
import type { SampleValue } from '../../shared/model'
import { formatNumber } from './format'

/** A command's value as the dialog shows it: a number with its decimals and unit, a state by its label. */
export function commandValueText(v: SampleValue | undefined, c: Pick<CommandInfo, 'unit' | 'decimals' | 'states' | 'input' | 'labels'>): string {
  if (v === null || v === undefined) return 'unknown'
  const key = typeof v === 'boolean' ? (v ? '1' : '0') : String(v)
  const s = c.states?.find((x) => x.key === key)?.label ?? c.labels?.[key]
  if (s !== undefined) return s
  if (typeof v === 'number') return `${formatNumber(v, c.decimals ?? 2)}${c.unit ? ` ${c.unit}` : ''}`
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return v
}

/** The outcome in plain words: "Success", "Rejected: BadOutOfRange", "Mismatch: read back 50 %", "Timeout: ...". */
export function outcomeText(r: CommandResult, c: Pick<CommandInfo, 'unit' | 'decimals' | 'states' | 'input' | 'labels'>): string {
  switch (r.outcome) {
    case 'success':
      return r.readBack !== undefined ? `Success — read back ${commandValueText(r.readBack, c)}` : `Success — ${r.status}`
    case 'rejected':
      return `Rejected: ${r.status}`
    case 'mismatch':
      return r.readBack !== undefined ? `Mismatch: read back ${commandValueText(r.readBack, c)}, sent ${commandValueText(r.value, c)}` : `Mismatch: ${r.status}`
    case 'timeout':
      return `Timeout: ${r.status}`
  }
}

/** What the operator typed, as the command takes it (a number for a number input; a state key; null for a push button). */
export function parseCommandInput(text: string, c: Pick<CommandInfo, 'input'>): SampleValue | undefined {
  if (c.input === 'none') return null
  if (c.input === 'state') return text === '' ? undefined : text
  const t = text.trim().replace(',', '.')
  if (t === '') return undefined
  const n = Number(t)
  return Number.isFinite(n) ? n : t
}
