import { z } from 'zod'
import type { AssetAttribute } from '../../shared/contract/asset-model'
import { AppError } from '../../shared/model/errors'
import { compileExpression } from './expression'

/** A fixed value: the model's own binding kind (the protocols' kinds come from their drivers). */
export const ConstantBinding = z.object({ kind: z.literal('constant'), value: z.union([z.number(), z.boolean(), z.string().max(1000)]) }).strict()

/** An expression over the asset's other attributes (expression.ts), evaluated live by the core; it must parse. */
export const CalculatedBinding = z.object({ kind: z.literal('calculated'), expression: z.string().min(1).max(2000) }).strict()

export type BindingSchemas = ReadonlyMap<string, z.ZodType<{ kind: string; connection?: string }>>

/**
 * Checks every bound attribute: a known kind, its kind's fields, a configured connection of that kind, and a
 * constant of the attribute's data type. Refuses with `model.bad_binding`, naming the attribute.
 */
export function checkBindings(
  attributes: readonly AssetAttribute[],
  schemas: BindingSchemas,
  connections: readonly { id: string; kind: string }[],
  where = 'attributes',
): void {
  attributes.forEach((a, i) => {
    const b = a.binding
    if (!b) return
    const at = `${where}[${i}] (${a.name})`
    const schema = b.kind === 'constant' ? ConstantBinding : b.kind === 'calculated' ? CalculatedBinding : schemas.get(b.kind)
    if (!schema) throw new AppError('model.bad_binding', `${at}: unknown binding kind "${b.kind}" (known: constant, calculated, ${[...schemas.keys()].join(', ')})`)
    const parsed = schema.safeParse(b)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new AppError('model.bad_binding', `${at}: binding ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`)
    }
    const value = parsed.data as { connection?: string; value?: unknown; expression?: string }
    if (b.kind === 'calculated') {
      try {
        compileExpression(value.expression!)
      } catch (e) {
        throw new AppError('model.bad_expression', `${at}: ${(e as Error).message}`)
      }
    }
    if (b.kind === 'constant' && typeof value.value !== a.dataType) {
      throw new AppError('model.bad_binding', `${at}: a constant ${typeof value.value} for a ${a.dataType} attribute`)
    }
    if (value.connection !== undefined && !connections.some((c) => c.id === value.connection && c.kind === b.kind)) {
      throw new AppError('model.bad_binding', `${at}: no ${b.kind} connection "${value.connection}"`)
    }
  })
}
