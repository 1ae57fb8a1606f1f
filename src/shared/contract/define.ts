import type { z } from 'zod'
import type { Access } from '../model/principal'

/** One API method: its params schema, its result schema, and who may call it (enforced by the RPC server before the params are looked at). */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I
  output: O
  access: Access
}

export type MethodMap = Record<string, MethodSpec>
export type EventMap = Record<string, z.ZodType>

export const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, access: Access): MethodSpec<I, O> => ({ input, output, access })
