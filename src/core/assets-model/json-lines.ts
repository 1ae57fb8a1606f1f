const STOP = Symbol('found')

/**
 * The line (1-based) where the value at `path` starts in `text`, valid JSON (it has parsed): lets an import
 * refusal say "line 412" beside `$.assets[37].parent`. One pass, no tree built; undefined if the path is absent.
 */
export function lineOf(text: string, path: readonly (string | number)[]): number | undefined {
  let i = 0
  let line = 1
  let found: number | undefined
  const ws = () => {
    for (; i < text.length; i++) {
      const c = text[i]
      if (c === '\n') line++
      else if (c !== ' ' && c !== '\t' && c !== '\r') break
    }
  }
  const str = (): string => {
    let out = ''
    i++
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        out += text[i + 1]
        i += 2
      } else out += text[i++]
    }
    i++
    return out
  }
  const value = (depth: number, onPath: boolean): void => {
    ws()
    if (onPath && depth === path.length) {
      found = line
      throw STOP
    }
    const c = text[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      ws()
      if (text[i] === close) return void i++
      for (let n = 0; ; n++) {
        ws()
        let key: string | number = n
        if (c === '{') {
          key = str()
          ws()
          i++ // ':'
        }
        value(depth + 1, onPath && path[depth] === key)
        ws()
        if (text[i++] !== ',') return
      }
    }
    if (c === '"') return void str()
    while (i < text.length && !',]} \t\r\n'.includes(text[i]!)) i++
  }
  try {
    value(0, true)
  } catch (e) {
    if (e !== STOP) throw e
  }
  return found
}

/** Line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let start = 0
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++
      start = k + 1
    }
  }
  return { line, column: offset - start + 1 }
}

/** `$.assets[3].name` from a path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`
}
