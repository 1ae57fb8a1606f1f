import { describe, expect, it } from 'vitest'
import { errorText } from '../testing/error-text'
import { compileExpression, evaluationOrder, type ExprValue } from './expression'

const values: Record<string, ExprValue> = { Flow: 12, Speed: 1450, Running: true, Empty: null, 'Tank_1.Level': 3.5, 'Motor current': 7 }
const ev = (src: string, v: Record<string, ExprValue> = values) => compileExpression(src).evaluate((n) => v[n])
const code = errorText

describe('calculated attribute expressions', () => {
  it('follows arithmetic precedence and associativity', () => {
    expect(ev('1 + 2 * 3')).toBe(7)
    expect(ev('(1 + 2) * 3')).toBe(9)
    expect(ev('2 ^ 3 ^ 2')).toBe(512) // right-associative
    expect(ev('-2 ^ 2')).toBe(-4)
    expect(ev('10 - 4 - 3')).toBe(3)
    expect(ev('7 % 4 * 2')).toBe(6)
    expect(ev('1e3 / 4')).toBe(250)
  })

  it('reads attributes by name, dotted names and {quoted names}', () => {
    expect(ev('Flow * 60')).toBe(720)
    expect(ev('Tank_1.Level * 2')).toBe(7)
    expect(ev('{Motor current} + 1')).toBe(8)
    expect(compileExpression('Flow * Flow + {Motor current} - Speed').refs).toEqual(['Flow', 'Motor current', 'Speed'])
  })

  it('has comparisons, logic, the conditional and if()', () => {
    expect(ev('Running && Flow > 10')).toBe(true)
    expect(ev('!Running || Flow < 1')).toBe(false)
    expect(ev('Flow >= 12 ? 1 : 0')).toBe(1)
    expect(ev('if(Speed > 1000, Speed / 60, 0)')).toBeCloseTo(24.1667, 3)
    expect(ev('Flow == 12 && Speed != 0')).toBe(true)
  })

  it('has the listed functions', () => {
    expect(ev('max(Flow, 3, 40)')).toBe(40)
    expect(ev('min(Flow, 3)')).toBe(3)
    expect(ev('round(10 / 3, 2)')).toBe(3.33)
    expect(ev('clamp(Speed, 0, 1000)')).toBe(1000)
    expect(ev('sqrt(16) + abs(-2) + floor(1.7) + ceil(1.2)')).toBe(9)
  })

  it('gives no value (null) when an input has none, a name is unknown, or the result is not finite', () => {
    expect(ev('Empty + 1')).toBeNull()
    expect(ev('Nope * 2')).toBeNull()
    expect(ev('Flow / 0')).toBeNull()
    expect(ev('sqrt(-1)')).toBeNull()
    expect(ev('max(Flow, Empty)')).toBeNull()
    // short-circuits: a missing side that does not matter does not blank the result
    expect(ev('!Running && Empty > 1')).toBe(false)
    expect(ev('Running || Empty > 1')).toBe(true)
  })

  it.each([
    ['', 'unexpected end'],
    ['1 +', 'unexpected end'],
    ['(1 + 2', 'expected ")"'],
    ['Flow Flow', 'unexpected "Flow"'],
    ['eval("x")', 'unexpected character'],
    ['process.exit(1)', 'unknown function "process.exit"'],
    ['constructor.constructor("return 1")()', 'unexpected character'],
    ['max()', 'max takes 1-32 argument(s)'],
    ['{unclosed + 1', 'must be closed'],
    ['1 ? 2', 'expected ":"'],
    ['a;b', 'unexpected character ";"'],
  ])('refuses %j with model.bad_expression (%s)', (src, why) => {
    expect(code(() => compileExpression(src))).toMatch(new RegExp(`^model\\.bad_expression: .*${why.replace(/[().*+?"{}]/g, '\\$&')}`))
  })

  it('refuses expressions too long or nested too deeply, without blowing the stack', () => {
    expect(code(() => compileExpression('1+'.repeat(1500) + '1'))).toMatch(/longer than 2000/)
    expect(code(() => compileExpression('('.repeat(500) + '1' + ')'.repeat(500)))).toMatch(/nested too deeply/)
  })

  it('orders calculated attributes after what they read, and names a cycle', () => {
    const deps = new Map([
      ['Power', ['Current', 'Voltage']],
      ['Energy', ['Power']],
      ['Cost', ['Energy', 'Tariff']],
    ])
    expect(evaluationOrder(deps)).toEqual(['Power', 'Energy', 'Cost'])
    expect(code(() => evaluationOrder(new Map([['A', ['A']]])))).toMatch(/refer to themselves: A -> A/)
    expect(code(() => evaluationOrder(new Map([['A', ['B']], ['B', ['C']], ['C', ['A']]])))).toMatch(/A -> B -> C -> A/)
  })
})
