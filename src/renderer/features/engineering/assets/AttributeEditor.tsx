import type { AssetAttribute } from '../../../../shared/contract/asset-model'

/**
 * An attribute as the editor holds it: every field a string as typed, so a half-typed number is kept until saved.
 * `toAttribute` turns it back (or names the field that does not read).
 */
export interface AttributeDraft {
  name: string
  dataType: AssetAttribute['dataType']
  unit: string
  min: string
  max: string
  decimals: string
  lolo: string
  lo: string
  hi: string
  hihi: string
  interval: string
  writable: boolean
  /** `0=Stopped;1=Running` */
  enumeration: string
  /** The binding as JSON (`{"kind":"opcua","connection":"plc","nodeId":"ns=2;s=P1.Flow"}`), or empty. */
  binding: string
}

const num = (n: number | undefined) => (n === undefined ? '' : String(n))

export function toDraft(a: AssetAttribute): AttributeDraft {
  return {
    name: a.name,
    dataType: a.dataType,
    unit: a.unit ?? '',
    min: num(a.range?.min),
    max: num(a.range?.max),
    decimals: num(a.decimals),
    lolo: num(a.limits?.lolo),
    lo: num(a.limits?.lo),
    hi: num(a.limits?.hi),
    hihi: num(a.limits?.hihi),
    interval: num(a.expectedIntervalMs),
    writable: a.writable ?? false,
    enumeration: a.enumeration
      ? Object.entries(a.enumeration)
          .map(([k, v]) => `${k}=${v}`)
          .join(';')
      : '',
    binding: a.binding ? JSON.stringify(a.binding) : '',
  }
}

export const emptyDraft = (name: string): AttributeDraft => toDraft({ name, dataType: 'number' })

export class DraftError extends Error {}

/** The attribute a draft describes; throws DraftError naming the attribute and field that does not read. */
export function toAttribute(d: AttributeDraft): AssetAttribute {
  const at = (field: string, why: string) => new DraftError(`${d.name || '(unnamed)'}: ${field} ${why}`)
  const n = (field: string, s: string, int = false): number | undefined => {
    if (s.trim() === '') return undefined
    const v = Number(s)
    if (!Number.isFinite(v) || (int && !Number.isInteger(v))) throw at(field, `is not a ${int ? 'whole ' : ''}number: "${s}"`)
    return v
  }
  const min = n('range min', d.min)
  const max = n('range max', d.max)
  if ((min === undefined) !== (max === undefined)) throw at('range', 'needs both min and max')
  const limits = Object.fromEntries((['lolo', 'lo', 'hi', 'hihi'] as const).flatMap((k) => (n(k.toUpperCase(), d[k]) === undefined ? [] : [[k, Number(d[k])]])))
  let binding: AssetAttribute['binding']
  if (d.binding.trim()) {
    try {
      binding = JSON.parse(d.binding) as AssetAttribute['binding']
    } catch {
      throw at('binding', 'is not JSON')
    }
    if (typeof binding !== 'object' || binding === null || typeof binding.kind !== 'string') throw at('binding', 'needs a "kind"')
  }
  const enumeration = d.enumeration.trim()
    ? Object.fromEntries(
        d.enumeration.split(';').map((p) => {
          const i = p.indexOf('=')
          if (i <= 0) throw at('enumeration', `wants value=label pairs separated by ";": "${p}"`)
          return [p.slice(0, i).trim(), p.slice(i + 1).trim()]
        }),
      )
    : undefined
  const decimals = n('decimals', d.decimals, true)
  const interval = n('expected interval', d.interval, true)
  return {
    name: d.name.trim(),
    dataType: d.dataType,
    ...(d.unit.trim() ? { unit: d.unit.trim() } : {}),
    ...(min !== undefined && max !== undefined ? { range: { min, max } } : {}),
    ...(decimals !== undefined ? { decimals } : {}),
    ...(enumeration ? { enumeration } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(interval !== undefined ? { expectedIntervalMs: interval } : {}),
    ...(d.writable ? { writable: true } : {}),
    ...(binding ? { binding } : {}),
  }
}

type Field = Exclude<keyof AttributeDraft, 'dataType' | 'writable'>
const COLUMNS: { field: Field; label: string; cls: string; hint?: string }[] = [
  { field: 'name', label: 'Name', cls: 'w-name' },
  { field: 'unit', label: 'Unit', cls: 'w-s' },
  { field: 'min', label: 'Min', cls: 'w-n' },
  { field: 'max', label: 'Max', cls: 'w-n' },
  { field: 'decimals', label: 'Dec', cls: 'w-xs', hint: 'Decimals shown' },
  { field: 'lolo', label: 'LL', cls: 'w-n', hint: 'LoLo limit' },
  { field: 'lo', label: 'L', cls: 'w-n', hint: 'Lo limit' },
  { field: 'hi', label: 'H', cls: 'w-n', hint: 'Hi limit' },
  { field: 'hihi', label: 'HH', cls: 'w-n', hint: 'HiHi limit' },
  { field: 'interval', label: 'Every ms', cls: 'w-n', hint: 'Expected update interval (ms): later than ~3× this, the value is stale' },
  { field: 'enumeration', label: 'States', cls: 'w-m', hint: 'value=label;value=label, e.g. 0=Stopped;1=Running' },
  { field: 'binding', label: 'Binding (JSON)', cls: 'w-bind', hint: '{"kind":"opcua","connection":"…","nodeId":"…"} · {"kind":"mqtt","connection":"…","topic":"…"} · {"kind":"constant","value":…} · {"kind":"calculated","expression":"Flow * 3.6"}' },
]

/** The attributes of an asset or a template as an editable table: one row each, add and remove. */
export function AttributeEditor({ rows, onChange, testid }: { rows: AttributeDraft[]; onChange(rows: AttributeDraft[]): void; testid: string }) {
  const set = (i: number, patch: Partial<AttributeDraft>) => onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)))
  const add = () => {
    let k = rows.length + 1
    while (rows.some((r) => r.name === `Attribute ${k}`)) k++
    onChange([...rows, emptyDraft(`Attribute ${k}`)])
  }
  return (
    <div className="attr-editor" data-testid={testid}>
      <table className="eng-table edit-table">
        <thead>
          <tr>
            <th>{COLUMNS[0]!.label}</th>
            <th>Type</th>
            {COLUMNS.slice(1).map((c) => (
              <th key={c.field} title={c.hint}>
                {c.label}
              </th>
            ))}
            <th title="Writable from commands">W</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-attr-row={i}>
              <td>
                <input className={COLUMNS[0]!.cls} value={r.name} aria-label="Attribute name" data-testid={`${testid}-name-${i}`} onChange={(e) => set(i, { name: e.target.value })} />
              </td>
              <td>
                <select value={r.dataType} aria-label={`Data type of ${r.name}`} onChange={(e) => set(i, { dataType: e.target.value as AttributeDraft['dataType'] })}>
                  <option value="number">number</option>
                  <option value="boolean">boolean</option>
                  <option value="string">string</option>
                </select>
              </td>
              {COLUMNS.slice(1).map((c) => (
                <td key={c.field}>
                  <input
                    className={`${c.cls}${c.field === 'binding' ? ' mono' : ''}`}
                    value={r[c.field]}
                    aria-label={`${c.label} of ${r.name}`}
                    title={c.field === 'binding' ? r.binding || c.hint : c.hint}
                    data-testid={`${testid}-${c.field}-${i}`}
                    onChange={(e) => set(i, { [c.field]: e.target.value })}
                  />
                </td>
              ))}
              <td>
                <input type="checkbox" checked={r.writable} aria-label={`${r.name} is writable`} onChange={(e) => set(i, { writable: e.target.checked })} />
              </td>
              <td>
                <button className="link danger" aria-label={`Remove ${r.name}`} onClick={() => onChange(rows.filter((_, k) => k !== i))}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button onClick={add} data-testid={`${testid}-add`}>
        + Attribute
      </button>
    </div>
  )
}
