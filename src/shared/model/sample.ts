import { z } from 'zod'

/** A signal's stable id: `<source>/<path>`, printable, no whitespace. */
export const SignalId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_.:\-/#[\]]+$/, 'signal id: letters, digits and _ . : - / # [ ] only')
export type SignalId = z.infer<typeof SignalId>

/**
 * Milliseconds since the Unix epoch, with microsecond resolution: a sample's time may carry a fraction of a
 * millisecond (3 decimals; finer is rounded to the microsecond by the store), so distinct arrivals within one
 * millisecond stay distinct samples.
 */
export const Epoch = z.number().min(0).max(8_640_000_000_000_000)
export type Epoch = z.infer<typeof Epoch>

/** OPC UA's three quality classes. `status` keeps the raw status code (OPC UA) or a reason text. */
export const Quality = z.enum(['good', 'uncertain', 'bad'])
export type Quality = z.infer<typeof Quality>

export const SampleValue = z.union([z.number(), z.boolean(), z.string().max(4096), z.null()])
export type SampleValue = z.infer<typeof SampleValue>

export const Sample = z.object({
  signal: SignalId,
  /** When the value was true at its source (OPC UA SourceTimestamp; else the server's time, else arrival). */
  ts: Epoch,
  /** OPC UA ServerTimestamp, when the server sent one: when the server last vouched for the value. Live values and the API carry it; the store keeps only `ts`. */
  serverTs: Epoch.optional(),
  value: SampleValue,
  quality: Quality,
  /** Raw status: OPC UA status code name (`BadCommunicationError`) or a short reason. */
  status: z.string().max(128).optional(),
})
export type Sample = z.infer<typeof Sample>

export const SampleBatch = z.array(Sample).max(100_000)
export type SampleBatch = z.infer<typeof SampleBatch>

export const DataType = z.enum(['number', 'boolean', 'string'])
export type DataType = z.infer<typeof DataType>

/**
 * A chartable number from a sample's value and quality: booleans as 0/1; bad quality, text, null and non-finite
 * numbers as gaps. The one rule for the trend history (core) and the live trend buffer (renderer).
 */
export function plotValue(value: SampleValue | undefined, quality: Quality): number | null {
  if (quality === 'bad') return null
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean') return value ? 1 : 0
  return null
}
