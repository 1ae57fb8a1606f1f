/**
 * Resolve a dotted path with optional array indexes (`power.l1`, `readings[0].value`) in parsed JSON.
 * Returns undefined when any step is missing. Pure; no eval.
 */
export function resolvePath(root: unknown, path: string): unknown {
  let cur: unknown = root
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part)
    if (!m) return undefined
    if (m[1]) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, m[1])) return undefined
      cur = (cur as Record<string, unknown>)[m[1]]
    }
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(cur)) return undefined
      cur = cur[Number(idx[1])]
    }
  }
  return cur
}
