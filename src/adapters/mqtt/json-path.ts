/** One step of a compiled path: an own property name or an array index. */
export type PathStep = string | number

/**
 * Compile a dotted path with optional array indexes (`power.l1`, `readings[0].value`) once, so the hot path
 * does no regex work per message. Returns undefined for a path that can never match.
 */
export function compilePath(path: string): PathStep[] | undefined {
  const steps: PathStep[] = []
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part)
    if (!m) return undefined
    if (m[1]) steps.push(m[1])
    else if (!m[2]) return undefined
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]))
  }
  return steps
}

/** Walk compiled steps through parsed JSON; undefined when any step is missing. Pure; no eval. */
export function resolveSteps(root: unknown, steps: readonly PathStep[]): unknown {
  let cur: unknown = root
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur)) return undefined
      cur = cur[step]
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step)) return undefined
      cur = (cur as Record<string, unknown>)[step]
    }
  }
  return cur
}

/** Resolve a path in parsed JSON (compile and walk); undefined when any step is missing. */
export function resolvePath(root: unknown, path: string): unknown {
  const steps = compilePath(path)
  return steps === undefined ? undefined : resolveSteps(root, steps)
}
