import { AppError } from '../../shared/model'

/**
 * Binding patterns of template attributes: `ns=2;s={asset}.Flow`, `plant/{line}/{asset}/flow`. When a template is
 * instantiated, each `{name}` is filled from the asset being made:
 *   {asset}  its own name;  {parent}  its primary parent's name;  {path}  its path, names joined with `/`;
 *   {<kind>}  the name of its nearest ancestor (or itself) of that kind (`{line}`, `{area}`, `{site}`...; kinds are the user's).
 * `{{` and `}}` stand for literal braces. A name that the asset cannot fill refuses the whole pattern (`model.bad_binding`),
 * so no half-filled address ever reaches a server.
 */

/** An asset and its ancestors, nearest first (the asset itself at index 0). */
export type AssetLineage = readonly { name: string; kind: string }[]

const PLACEHOLDER = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g

/** The placeholder names a pattern uses (for a template editor's check before any instance exists). */
export function patternNames(pattern: string): string[] {
  const names = new Set<string>()
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    if (m[0] === '{{' || m[0] === '}}') continue
    if (m[1] === undefined || m[1].trim() === '') throw new AppError('model.bad_binding', `binding pattern "${pattern}": unbalanced or empty braces at position ${(m.index ?? 0) + 1}`)
    names.add(m[1].trim())
  }
  return [...names]
}

/** Fills `pattern` for the asset whose lineage is given. */
export function expandPattern(pattern: string, lineage: AssetLineage): string {
  const self = lineage[0]
  if (!self) throw new AppError('model.bad_binding', 'binding pattern needs an asset')
  patternNames(pattern) // validates the braces first
  return pattern.replace(PLACEHOLDER, (all, rawName: string | undefined) => {
    if (all === '{{') return '{'
    if (all === '}}') return '}'
    const name = (rawName ?? '').trim()
    const value =
      name === 'asset' ? self.name :
      name === 'parent' ? lineage[1]?.name :
      name === 'path' ? [...lineage].reverse().map((a) => a.name).join('/') :
      lineage.find((a) => a.kind === name)?.name
    if (value === undefined) {
      throw new AppError('model.bad_binding', `binding pattern "${pattern}": {${name}} does not fit asset "${self.name}" (no ${name === 'parent' ? 'parent' : `ancestor of kind "${name}"`})`)
    }
    return value
  })
}
