import { AppError } from '../../shared/model'

/**
 * Calculated attributes: a small expression language over other attributes, parsed once and evaluated per update,
 * never with `eval` or `Function`. Grammar (precedence low to high):
 *   cond ? a : b  |  a || b  |  a && b  |  == != < <= > >=  |  + -  |  * / %  |  unary - !  |  a ^ b (right)
 *   atoms: numbers (1, 2.5, 1e3), true, false, attribute references (Flow, Tank_1.Level, or {Motor current}),
 *   and calls: abs min max round floor ceil sqrt exp ln log10 pow clamp if(c, a, b).
 * A reference whose value is null (no data yet, bad quality) makes the result null: nothing is made up.
 * Errors carry `model.bad_expression` with the position.
 *
 * Size (~300 lines): tokenizer, parser and evaluator of one small language share its node type and stay together.
 */

export type ExprValue = number | boolean | null

type Node =
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'ref'; name: string }
  | { k: 'un'; op: '-' | '!'; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node }
  | { k: 'call'; fn: string; args: Node[] }

export interface Expression {
  readonly source: string
  /** Attribute names the expression reads, each once. */
  readonly refs: readonly string[]
  evaluate(value: (name: string) => ExprValue | undefined): ExprValue
}

const MAX_LENGTH = 2000
const MAX_DEPTH = 64

const FUNCTIONS: Readonly<Record<string, { arity: [number, number]; fn: (...x: number[]) => number }>> = {
  abs: { arity: [1, 1], fn: Math.abs },
  min: { arity: [1, 32], fn: Math.min },
  max: { arity: [1, 32], fn: Math.max },
  round: { arity: [1, 2], fn: (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d },
  floor: { arity: [1, 1], fn: Math.floor },
  ceil: { arity: [1, 1], fn: Math.ceil },
  sqrt: { arity: [1, 1], fn: Math.sqrt },
  exp: { arity: [1, 1], fn: Math.exp },
  ln: { arity: [1, 1], fn: Math.log },
  log10: { arity: [1, 1], fn: Math.log10 },
  pow: { arity: [2, 2], fn: Math.pow },
  clamp: { arity: [3, 3], fn: (x, lo, hi) => Math.min(Math.max(x, lo), hi) },
}

const BINARY: Readonly<Record<string, [number, 'left' | 'right']>> = {
  '||': [1, 'left'],
  '&&': [2, 'left'],
  '==': [3, 'left'],
  '!=': [3, 'left'],
  '<': [4, 'left'],
  '<=': [4, 'left'],
  '>': [4, 'left'],
  '>=': [4, 'left'],
  '+': [5, 'left'],
  '-': [5, 'left'],
  '*': [6, 'left'],
  '/': [6, 'left'],
  '%': [6, 'left'],
  '^': [8, 'right'],
}
const UNARY_PRECEDENCE = 7

type Token = { t: 'num'; v: number; at: number } | { t: 'id'; v: string; at: number } | { t: 'op'; v: string; at: number } | { t: 'end'; at: number }

function bad(source: string, at: number, why: string): AppError {
  return new AppError('model.bad_expression', `expression "${source.slice(0, 80)}": ${why} at position ${at + 1}`)
}

function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))
    if (num) {
      out.push({ t: 'num', v: Number(num[0]), at: i })
      i += num[0].length
      continue
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i))
    if (id) {
      out.push({ t: 'id', v: id[0], at: i })
      i += id[0].length
      continue
    }
    if (c === '{') {
      const end = src.indexOf('}', i + 1)
      const name = end < 0 ? '' : src.slice(i + 1, end).trim()
      if (end < 0 || name === '') throw bad(src, i, 'a {name} reference must be closed and not empty')
      out.push({ t: 'id', v: name, at: i })
      i = end + 1
      continue
    }
    const two = src.slice(i, i + 2)
    if (['||', '&&', '==', '!=', '<=', '>='].includes(two)) {
      out.push({ t: 'op', v: two, at: i })
      i += 2
      continue
    }
    if ('+-*/%^<>!?:(),'.includes(c)) {
      out.push({ t: 'op', v: c, at: i })
      i++
      continue
    }
    throw bad(src, i, `unexpected character "${c}"`)
  }
  out.push({ t: 'end', at: src.length })
  return out
}

function parse(src: string): Node {
  if (src.length > MAX_LENGTH) throw new AppError('model.bad_expression', `expression longer than ${MAX_LENGTH} characters`)
  const tokens = tokenize(src)
  let pos = 0
  const peek = () => tokens[pos]!
  const isOp = (v: string) => {
    const t = peek()
    return t.t === 'op' && t.v === v
  }
  const expect = (v: string) => {
    if (!isOp(v)) throw bad(src, peek().at, `expected "${v}"`)
    pos++
  }

  const expr = (depth: number): Node => {
    if (depth > MAX_DEPTH) throw bad(src, peek().at, 'nested too deeply')
    const c = binary(0, depth)
    if (!isOp('?')) return c
    pos++
    const a = expr(depth + 1)
    expect(':')
    const b = expr(depth + 1)
    return { k: 'cond', c, a, b }
  }

  const binary = (min: number, depth: number): Node => {
    let left = unary(depth)
    for (;;) {
      const t = peek()
      const spec = t.t === 'op' ? BINARY[t.v] : undefined
      if (!spec || spec[0] < min) return left
      pos++
      const right = binary(spec[1] === 'left' ? spec[0] + 1 : spec[0], depth + 1)
      left = { k: 'bin', op: (t as { v: string }).v, a: left, b: right }
    }
  }

  const unary = (depth: number): Node => {
    if (depth > MAX_DEPTH) throw bad(src, peek().at, 'nested too deeply')
    if (isOp('-') || isOp('!')) {
      const op = (tokens[pos++] as { v: '-' | '!' }).v
      return { k: 'un', op, a: binary(UNARY_PRECEDENCE, depth + 1) }
    }
    return atom(depth)
  }

  const atom = (depth: number): Node => {
    const t = peek()
    if (t.t === 'num') {
      pos++
      return { k: 'num', v: t.v }
    }
    if (t.t === 'op' && t.v === '(') {
      pos++
      const e = expr(depth + 1)
      expect(')')
      return e
    }
    if (t.t === 'id') {
      pos++
      if (t.v === 'true' || t.v === 'false') return { k: 'bool', v: t.v === 'true' }
      if (!isOp('(')) return { k: 'ref', name: t.v }
      pos++
      const args: Node[] = []
      if (!isOp(')')) {
        for (;;) {
          args.push(expr(depth + 1))
          if (isOp(')')) break
          expect(',')
        }
      }
      pos++
      const f = t.v === 'if' ? { arity: [3, 3] } : FUNCTIONS[t.v]
      if (!f) throw bad(src, t.at, `unknown function "${t.v}"`)
      if (args.length < f.arity[0]! || args.length > f.arity[1]!) throw bad(src, t.at, `${t.v} takes ${f.arity[0]}${f.arity[1] !== f.arity[0] ? `-${f.arity[1]}` : ''} argument(s)`)
      return { k: 'call', fn: t.v, args }
    }
    throw bad(src, t.at, t.t === 'end' ? 'unexpected end' : `unexpected "${(t as { v: string }).v}"`)
  }

  const root = expr(0)
  if (peek().t !== 'end') throw bad(src, peek().at, `unexpected "${(peek() as { v?: string }).v ?? ''}"`)
  return root
}

const num = (v: ExprValue): number | null => (v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v)

function run(n: Node, value: (name: string) => ExprValue | undefined): ExprValue {
  switch (n.k) {
    case 'num':
    case 'bool':
      return n.v
    case 'ref': {
      const v = value(n.name)
      return v === undefined ? null : v
    }
    case 'un': {
      const a = run(n.a, value)
      if (a === null) return null
      return n.op === '!' ? !num(a) : -num(a)!
    }
    case 'cond': {
      const c = num(run(n.c, value))
      return c === null ? null : c !== 0 ? run(n.a, value) : run(n.b, value)
    }
    case 'call': {
      if (n.fn === 'if') {
        const c = num(run(n.args[0]!, value))
        return c === null ? null : run(n.args[c !== 0 ? 1 : 2]!, value)
      }
      const args = n.args.map((a) => num(run(a, value)))
      if (args.some((a) => a === null)) return null
      const r = FUNCTIONS[n.fn]!.fn(...(args as number[]))
      return Number.isFinite(r) ? r : null
    }
    case 'bin': {
      const a = num(run(n.a, value))
      if (n.op === '&&' && a === 0) return false
      if (n.op === '||' && a !== null && a !== 0) return true
      const b = num(run(n.b, value))
      if (a === null || b === null) return null
      let r: number | boolean
      switch (n.op) {
        case '+': r = a + b; break
        case '-': r = a - b; break
        case '*': r = a * b; break
        case '/': r = a / b; break
        case '%': r = a % b; break
        case '^': r = a ** b; break
        case '==': return a === b
        case '!=': return a !== b
        case '<': return a < b
        case '<=': return a <= b
        case '>': return a > b
        case '>=': return a >= b
        case '&&': return b !== 0
        default: return b !== 0 // '||' with a false left side
      }
      // a division by zero or an overflow gives no value, not Infinity
      return Number.isFinite(r) ? r : null
    }
  }
}

function collectRefs(n: Node, into: Set<string>): void {
  if (n.k === 'ref') into.add(n.name)
  else if (n.k === 'un') collectRefs(n.a, into)
  else if (n.k === 'bin') {
    collectRefs(n.a, into)
    collectRefs(n.b, into)
  } else if (n.k === 'cond') [n.c, n.a, n.b].forEach((x) => collectRefs(x, into))
  else if (n.k === 'call') n.args.forEach((x) => collectRefs(x, into))
}

/** Parses `source`; throws `model.bad_expression` (with the position) when it is not a valid expression. */
export function compileExpression(source: string): Expression {
  const root = parse(source)
  const refs = new Set<string>()
  collectRefs(root, refs)
  return { source, refs: [...refs], evaluate: (value) => run(root, value) }
}

/**
 * The order to evaluate calculated attributes in, each after the ones it reads; throws `model.bad_expression` naming
 * the attributes of a cycle (an expression that refers to itself, directly or through others).
 */
export function evaluationOrder(calculated: ReadonlyMap<string, readonly string[]>): string[] {
  const order: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, path: string[]) => {
    const s = state.get(name)
    if (s === 'done') return
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name]
      throw new AppError('model.bad_expression', `calculated attributes refer to themselves: ${cycle.join(' -> ')}`)
    }
    state.set(name, 'visiting')
    for (const dep of calculated.get(name) ?? []) if (calculated.has(dep)) visit(dep, [...path, name])
    state.set(name, 'done')
    order.push(name)
  }
  for (const name of calculated.keys()) visit(name, [])
  return order
}
