import { AppError } from '../../shared/model'

/**
 * Binding patterns of template attributes: `ns=2;s={asset}.Flow`, `plant/{line}/{asset}/flow`. When a template is
 * instantiated, each `{name}` is filled from the asset being made:
 *   {asset}  its own name;  {parent}  its primary parent's name;  {path}  its path, names joined with `/`;
 *   {<kind>}  the name of its nearest ancestor (or itself) of that kind (`{line}`, `{area}`, `{site}`...; kinds are the user's).
 * A filter after `|` changes the filled name: `{line|lower}` (`Line1` → `line1`), `{asset|upper}`; an unknown one is refused.
 * `{{` and `}}` stand for literal braces. A name that the asset cannot fill refuses the whole pattern (`model.bad_binding`),
 * so no half-filled address ever reaches a server.
 */

/** An asset and its ancestors, nearest first (the asset itself at index 0). */
export type AssetLineage = readonly { name: string; kind: string }[]

const PLACEHOLDER = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g

const FILTERS: Readonly<Record<string, (s: string) => string>> = { lower: (s) => s.toLowerCase(), upper: (s) => s.toUpperCase() }

/** `line | lower` → the name and its filters, each checked. */
function placeholder(pattern: string, raw: string, at: number): { name: string; filters: ((s: string) => string)[] } {
  const [name = '', ...rest] = raw.split('|').map((x) => x.trim())
  if (name === '') throw new AppError('model.bad_binding', `binding pattern "${pattern}": unbalanced or empty braces at position ${at}`)
  const filters = rest.map((f) => {
    const fn = FILTERS[f]
    if (!fn) throw new AppError('model.bad_binding', `binding pattern "${pattern}": unknown filter "|${f}" at position ${at} (known: ${Object.keys(FILTERS).join(', ')})`)
    return fn
  })
  return { name, filters }
}

/** The placeholder names a pattern uses (for a template editor's check before any instance exists). */
export function patternNames(pattern: string): string[] {
  const names = new Set<string>()
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    if (m[0] === '{{' || m[0] === '}}') continue
    if (m[1] === undefined || m[1].trim() === '') throw new AppError('model.bad_binding', `binding pattern "${pattern}": unbalanced or empty braces at position ${(m.index ?? 0) + 1}`)
    names.add(placeholder(pattern, m[1], (m.index ?? 0) + 1).name)
  }
  return [...names]
}

/** Fills `pattern` for the asset whose lineage is given. */
export function expandPattern(pattern: string, lineage: AssetLineage): string {
  const self = lineage[0]
  if (!self) throw new AppError('model.bad_binding', 'binding pattern needs an asset')
  patternNames(pattern) // validates the braces first
  return pattern.replace(PLACEHOLDER, (all, rawName: string | undefined, at: number) => {
    if (all === '{{') return '{'
    if (all === '}}') return '}'
    const { name, filters } = placeholder(pattern, rawName ?? '', at + 1)
    const value =
      name === 'asset' ? self.name :
      name === 'parent' ? lineage[1]?.name :
      name === 'path' ? [...lineage].reverse().map((a) => a.name).join('/') :
      lineage.find((a) => a.kind === name)?.name
    if (value === undefined) {
      throw new AppError('model.bad_binding', `binding pattern "${pattern}": {${name}} does not fit asset "${self.name}" (no ${name === 'parent' ? 'parent' : `ancestor of kind "${name}"`})`)
    }
    return filters.reduce((v, f) => f(v), value)
  })
}
