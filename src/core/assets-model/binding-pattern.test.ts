import { describe, expect, it } from 'vitest'
import { errorText } from '../testing/error-text'
import { expandPattern, patternNames } from './binding-pattern'

const pump = [
  { name: 'P-201', kind: 'pump' },
  { name: 'Line2', kind: 'line' },
  { name: 'Filling', kind: 'area' },
  { name: 'Plant', kind: 'site' },
]
const err = errorText

describe('binding patterns', () => {
  it('fills the asset, its parent, its path and ancestors by kind', () => {
    expect(expandPattern('ns=2;s={asset}.Flow', pump)).toBe('ns=2;s=P-201.Flow')
    expect(expandPattern('plant/{line}/{asset}/flow', pump)).toBe('plant/Line2/P-201/flow')
    expect(expandPattern('{site}/{area}/{parent}/{ asset }', pump)).toBe('Plant/Filling/Line2/P-201')
    expect(expandPattern('{path}', pump)).toBe('Plant/Filling/Line2/P-201')
    expect(expandPattern('{pump}.Speed', pump)).toBe('P-201.Speed') // the asset's own kind
    expect(expandPattern('literal {{braces}} {asset}', pump)).toBe('literal {braces} P-201')
    expect(patternNames('ns=2;s={line}.{asset}.{asset}')).toEqual(['line', 'asset'])
  })

  it('applies filters after |, and refuses an unknown one', () => {
    expect(expandPattern('plant/{line|lower}/{ asset | upper }', pump)).toBe('plant/line2/P-201')
    expect(patternNames('{line|lower}/{asset}')).toEqual(['line', 'asset'])
    expect(err(() => patternNames('{line|shout}'))).toMatch(/^model\.bad_binding: .*unknown filter "\|shout" at position 1 \(known: lower, upper\)/)
    expect(err(() => expandPattern('{|lower}', pump))).toMatch(/empty braces/)
  })

  it('refuses a pattern the asset cannot fill, or with broken braces, as model.bad_binding', () => {
    expect(err(() => expandPattern('{unit}/{asset}', pump))).toMatch(/^model\.bad_binding: .*\{unit\} does not fit asset "P-201" \(no ancestor of kind "unit"\)/)
    expect(err(() => expandPattern('{parent}', [{ name: 'Plant', kind: 'site' }]))).toMatch(/no parent/)
    expect(err(() => expandPattern('ns=2;s={asset', pump))).toMatch(/unbalanced or empty braces at position 8/)
    expect(err(() => expandPattern('a}b', pump))).toMatch(/unbalanced/)
    expect(err(() => expandPattern('{}', pump))).toMatch(/empty braces/)
  })
})
