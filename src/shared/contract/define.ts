import type { z } from 'zod'

/** One API method: its params schema and its result schema. */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I
  output: O
}

export type MethodMap = Record<string, MethodSpec>
export type EventMap = Record<string, z.ZodType>

export const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): MethodSpec<I, O> => ({ input, output })
