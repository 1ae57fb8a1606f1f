import { z } from 'zod'
import { ConnectionBase, SignalBase } from '../config/connection-base'
import { compileExpression, evaluationOrder } from '../assets-model/expression'

/** The calculation driver's kind: signals computed from other signals' live values. */
export const CALC = 'calc'

const Expression = z
  .string()
  .min(1)
  .max(2000)
  .superRefine((src, ctx) => {
    try {
      compileExpression(src)
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message })
    }
  })

/** A calculated signal: `expression` over other signals, named by id in braces (`{plc1/FT101} * 3.6`). */
export const CalcSignalConfig = z.object({ ...SignalBase, expression: Expression }).strict()
export type CalcSignalConfig = z.infer<typeof CalcSignalConfig>

export const CalcConnectionConfig = z
  .object({
    ...ConnectionBase,
    kind: z.literal(CALC),
    signals: z
      .array(CalcSignalConfig)
      .default([])
      .superRefine((signals, ctx) => {
        // calculations may read each other, never in a circle
        const deps = new Map<string, readonly string[]>()
        for (const s of signals) {
          try {
            deps.set(s.id, compileExpression(s.expression).refs)
          } catch {
            return // reported on the expression itself
          }
        }
        try {
          evaluationOrder(deps)
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message })
        }
      }),
  })
  .strict()
export type CalcConnectionConfig = z.infer<typeof CalcConnectionConfig>
