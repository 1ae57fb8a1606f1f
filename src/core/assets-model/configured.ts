import { AssetAttribute, type AttributeBinding, type Template } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model'
import type { AttributeOverride, ConfigAssetNode } from '../config/asset-config'
import { type AssetLineage, patternNames } from './binding-pattern'
import { compileExpression } from './expression'
import { modelSegment } from './runtime-assets'
import { instantiate, resolveTemplate, type TemplateDef } from './templates'

/**
 * Templates and template instances declared in the configuration (`templates:`, `template:` on an asset node): how a
 * node becomes a model asset's attributes, and the check the file passes at load. Pure; seed.ts writes the result.
 */

export type TemplateMap = ReadonlyMap<string, TemplateDef>

export const templateMap = (templates: readonly Template[]): TemplateMap =>
  new Map(templates.map((t) => [t.id, { id: t.id, name: t.name, ...(t.base ? { base: t.base } : {}), attributes: t.attributes }]))

/** A node of the configured tree as the model gets it: its unique model name and lineage (itself first). */
export interface ConfiguredNode {
  node: ConfigAssetNode
  /** Where the node is in the file, from the tree's root (`['children', 0, 'children', 2]`). */
  at: (string | number)[]
  name: string
  lineage: AssetLineage
}

/**
 * Walks the configured tree parents first, naming each node as the model does: one path segment (`/` becomes `∕`),
 * a repeated sibling name numbered (`Pump 2`). Patterns are filled from these names.
 */
export function walkConfigured(root: ConfigAssetNode, visit: (n: ConfiguredNode, parent: ConfiguredNode | null) => void): void {
  const go = (node: ConfigAssetNode, at: (string | number)[], parent: ConfiguredNode | null, siblings: Set<string>) => {
    let name = modelSegment(node.name)
    for (let k = 2; siblings.has(name); k++) name = `${modelSegment(node.name)} ${k}`
    siblings.add(name)
    const here: ConfiguredNode = { node, at, name, lineage: [{ name, kind: node.kind }, ...(parent?.lineage ?? [])] }
    visit(here, parent)
    const names = new Set<string>()
    node.children.forEach((c, i) => go(c, [...at, 'children', i], here, names))
  }
  go(root, [], null, new Set())
}

/** Why a configured node or template cannot become part of the model: where (under the node or template) and the code. */
export interface ConfiguredProblem {
  at: (string | number)[]
  code: 'model.bad_template' | 'model.bad_binding' | 'model.bad_expression'
  message: string
}

class Refusal extends Error {
  constructor(readonly problem: ConfiguredProblem) {
    super(problem.message)
  }
}

const CODES: readonly string[] = ['model.bad_template', 'model.bad_binding', 'model.bad_expression'] satisfies ConfiguredProblem['code'][]

/** What the template logic threw, as a problem at `at` (a code of its own kept; anything else a bad template). */
const asProblem = (e: unknown, at: (string | number)[]): ConfiguredProblem => {
  if (e instanceof Refusal) return e.problem
  const code = e instanceof AppError && CODES.includes(e.code) ? (e.code as ConfiguredProblem['code']) : 'model.bad_template'
  return { at, code, message: (e as Error).message }
}

/**
 * The attributes of a template instance: the template's (inheritance applied), binding patterns filled from the
 * node's lineage, then the node's overrides by name (fields replaced; an override's binding is a pattern too; a
 * name the template lacks is an attribute of the node's own and needs a data type). What it refuses, with the
 * node's `template` or the override at fault, `instanceProblem` answers as a problem.
 */
export function instanceAttributes(n: ConfiguredNode, templates: TemplateMap): AssetAttribute[] {
  const id = n.node.template
  if (id === undefined) return []
  let attributes: AssetAttribute[]
  try {
    attributes = instantiate(resolveTemplate(id, templates), n.lineage)
  } catch (e) {
    throw new Refusal(asProblem(e, ['template']))
  }
  const byName = new Map(attributes.map((a) => [a.name, a]))
  ;(n.node.attributes ?? []).forEach((o: AttributeOverride, k) => {
    const at = ['attributes', k]
    let filled: Partial<AssetAttribute> = o
    if (o.binding) {
      try {
        const [one] = instantiate({ id, chain: [id], attributes: [{ name: o.name, dataType: 'number', binding: o.binding }] }, n.lineage)
        filled = { ...o, binding: one!.binding as AttributeBinding }
      } catch (e) {
        throw new Refusal(asProblem(e, [...at, 'binding']))
      }
    }
    const before = byName.get(o.name)
    const merged = AssetAttribute.safeParse(before ? { ...before, ...filled } : filled)
    if (!merged.success) {
      const issue = merged.error.issues[0]
      const why = before ? `${issue?.path.join('.') || '(root)'}: ${issue?.message}` : `template "${id}" has no attribute "${o.name}": an attribute of the node's own needs a dataType (${issue?.path.join('.')}: ${issue?.message})`
      throw new Refusal({ at, code: 'model.bad_template', message: `override of "${o.name}": ${why}` })
    }
    byName.set(o.name, merged.data)
  })
  return [...byName.values()]
}

/** What `instanceAttributes` refuses, as a problem; null when it makes the attributes. */
export function instanceProblem(n: ConfiguredNode, templates: TemplateMap): ConfiguredProblem | null {
  try {
    instanceAttributes(n, templates)
    return null
  } catch (e) {
    return asProblem(e, ['template'])
  }
}

/** Every string field of a protocol binding is a pattern: its braces and filters must be well formed. */
function checkPatterns(b: AttributeBinding | undefined): void {
  if (!b || b.kind === 'constant') return
  if (b.kind === 'calculated') {
    compileExpression(String(b['expression']))
    return
  }
  for (const [k, v] of Object.entries(b)) if (k !== 'kind' && typeof v === 'string') patternNames(v)
}

/**
 * The configuration's templates and instances checked as seeding would use them, each problem with where it is:
 * `['templates', i, ...]` or `['assets', ...path of the node..., 'template' | 'attributes', k]`.
 */
export function configuredTemplateIssues(templates: readonly Template[] | undefined, root: ConfigAssetNode | undefined): ConfiguredProblem[] {
  const problems: ConfiguredProblem[] = []
  const list = templates ?? []
  const seen = new Map<string, number>()
  list.forEach((t, i) => {
    if (seen.has(t.id)) problems.push({ at: ['templates', i, 'id'], code: 'model.bad_template', message: `duplicate template id "${t.id}" (first at templates.${seen.get(t.id)})` })
    else seen.set(t.id, i)
  })
  const map = templateMap(list)
  list.forEach((t, i) => {
    try {
      resolveTemplate(t.id, map)
    } catch (e) {
      problems.push({ ...asProblem(e, []), at: ['templates', i, 'base'] })
    }
    t.attributes.forEach((a, k) => {
      try {
        checkPatterns(a.binding)
      } catch (e) {
        problems.push({ ...asProblem(e, []), at: ['templates', i, 'attributes', k, 'binding'] })
      }
    })
  })
  if (root) {
    walkConfigured(root, (n) => {
      if (n.node.template === undefined) {
        if (n.node.attributes?.length) problems.push({ at: ['assets', ...n.at, 'attributes'], code: 'model.bad_template', message: `node "${n.node.id}" overrides attributes but names no template` })
        return
      }
      const p = instanceProblem(n, map)
      if (p) problems.push({ ...p, at: ['assets', ...n.at, ...p.at], message: `node "${n.node.id}": ${p.message}` })
    })
  }
  return problems
}
