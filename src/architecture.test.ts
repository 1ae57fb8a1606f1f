import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { parseSync } from '@swc/core'
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser'
import { afterAll, describe, expect, it } from 'vitest'

// Which way imports run, enforced: the rules are in .dependency-cruiser.cjs (dependency-cruiser reads the .ts files);
// the renderer's .tsx components, which its swc reader cannot take, are checked here with swc's parser directly.

const root = resolve(import.meta.dirname, '..')
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as IConfiguration

async function violations(baseDir: string): Promise<string[]> {
  const { output } = await cruise(['src'], { ...config.options, ruleSet: { forbidden: config.forbidden ?? [] }, validate: true, baseDir })
  const result = output as ICruiseResult
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)
}

const NODE_BUILTIN = /^node:|^(fs|path|os|net|http|https|child_process|worker_threads|crypto|stream|url|util)(\/|$)/
const FORBIDDEN_FOR_RENDERER = /^src\/(core|adapters|app|server|main|preload|demo)\//
const PROTOCOL_SCREENS = /^src\/renderer\/features\/engineering\/(opcua|mqtt|calc)\//

/** Module specifiers a .tsx file imports or re-exports (static and dynamic), read with swc. */
function specifiers(file: string): string[] {
  const ast = parseSync(readFileSync(file, 'utf8'), { syntax: 'typescript', tsx: true })
  const out: string[] = []
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return
    const node = n as { type?: string; source?: { value?: string }; callee?: { type?: string }; arguments?: { expression?: { value?: string } }[] }
    if ((node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') && node.source?.value) out.push(node.source.value)
    if (node.type === 'CallExpression' && node.callee?.type === 'Import' && node.arguments?.[0]?.expression?.value) out.push(node.arguments[0].expression.value)
    for (const v of Object.values(n)) walk(v)
  }
  walk(ast)
  return out
}

function tsxViolations(baseDir: string): string[] {
  const out: string[] = []
  const files = (readdirSync(join(baseDir, 'src/renderer'), { recursive: true }) as string[]).filter((f) => f.endsWith('.tsx') && !f.endsWith('.test.tsx'))
  for (const f of files) {
    const file = join(baseDir, 'src/renderer', f)
    const from = relative(baseDir, file)
    for (const spec of specifiers(file)) {
      if (NODE_BUILTIN.test(spec)) out.push(`renderer-no-node: ${from} -> ${spec}`)
      if (!spec.startsWith('.')) continue
      const to = relative(baseDir, resolve(dirname(file), spec))
      if (FORBIDDEN_FOR_RENDERER.test(to)) out.push(`renderer-is-web: ${from} -> ${to}`)
      const ownProtocol = /^src\/renderer\/features\/engineering\/(opcua|mqtt|calc)\//.exec(from)?.[1]
      if (PROTOCOL_SCREENS.test(to) && from !== 'src/renderer/drivers.tsx' && !to.startsWith(`src/renderer/features/engineering/${ownProtocol}/`)) {
        out.push(`generic-renderer-names-no-protocol: ${from} -> ${to}`)
      }
    }
  }
  return out
}

describe('architecture: imports run one way', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'plantdeck-arch-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('the tree keeps every direction rule', async () => {
    expect(await violations(root)).toEqual([])
    expect(tsxViolations(root)).toEqual([])
  }, 60_000)

  it('the rules catch each kind of wrong import (a tree that breaks every one)', async () => {
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(scratch, path)), { recursive: true })
      writeFileSync(join(scratch, path), text)
    }
    put('src/shared/model/a.ts', "import { b } from '../../core/b'\nimport { readFileSync } from 'node:fs'\nexport const a = b + String(readFileSync)\n")
    put('src/core/b.ts', "import { c } from '../adapters/sqlite/c'\nimport { join } from 'node:path'\nexport const b = c + join('x')\n")
    put('src/core/assets/generic.ts', "import { ua } from '../opcua/ua'\nexport const g = ua\n")
    put('src/core/opcua/ua.ts', 'export const ua = 1\n')
    put('src/adapters/sqlite/c.ts', "import { m } from '../mqtt/m'\nimport { h } from '../../app/h'\nexport const c = m + h\n")
    put('src/adapters/mqtt/m.ts', 'export const m = 1\n')
    put('src/app/h.ts', "import { ua } from '../adapters/opcua/x'\nexport const h = ua\n")
    put('src/adapters/opcua/x.ts', 'export const ua = 1\n')
    put('src/renderer/r.ts', "import { b } from '../core/b'\nimport { createServer } from 'node:http'\nexport const r = b + String(createServer)\n")
    put('src/renderer/View.tsx', "import { b } from '../core/b'\nimport { MqttBrowser } from './features/engineering/mqtt/MqttBrowser'\nexport const V = () => <div>{b}{String(MqttBrowser)}</div>\n")
    put('src/renderer/features/engineering/mqtt/MqttBrowser.tsx', 'export const MqttBrowser = () => <div />\n')
    const names = new Set([...(await violations(scratch)), ...tsxViolations(scratch)].map((v) => v.slice(0, v.indexOf(':'))))
    expect([...names].sort()).toEqual(
      [
        'adapters-below-hosts',
        'adapters-do-not-reach-into-each-other',
        'core-is-plain',
        'core-no-node',
        'generic-core-names-no-protocol',
        'generic-host-names-no-protocol',
        'generic-renderer-names-no-protocol',
        'renderer-is-web',
        'renderer-no-node',
        'shared-no-node',
        'shared-stays-shared',
      ].sort(),
    )
  }, 60_000)
})
