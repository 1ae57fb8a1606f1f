import { z } from 'zod'
import { method } from './define'

export const HostKind = z.enum(['desktop', 'headless', 'test'])

export const SystemInfo = z.object({
  product: z.literal('Plantdeck'),
  version: z.string(),
  host: HostKind,
  startedAt: z.number().int(),
  /** True while the simulated plant is the data source. */
  demo: z.boolean(),
})
export type SystemInfo = z.infer<typeof SystemInfo>

export const system = {
  /** Who is answering: product, version, host kind, start time. */
  'system.info': method(z.object({}).strict(), SystemInfo),
  /** Round trip check; echoes `nonce`. */
  'system.ping': method(z.object({ nonce: z.string().max(64) }).strict(), z.object({ nonce: z.string(), at: z.number().int() })),
} as const

export const systemEvents = {} as const
