import { z } from 'zod'
import { Sample, SampleBatch, SignalId } from '../model'
import { method } from './define'

export const signals = {
  /** Latest sample of each signal that has one; signals never seen are absent from the result. */
  'signals.current': method(z.object({ signals: z.array(SignalId).max(10_000) }).strict(), z.array(Sample)),
  /**
   * Replace this client's live subscription: from now on `signals.samples` carries only these signals.
   * An empty list stops the stream. Unknown ids are ignored and returned in `unknown`.
   */
  'signals.subscribe': method(
    z.object({ signals: z.array(SignalId).max(10_000) }).strict(),
    z.object({ subscribed: z.number().int(), unknown: z.array(SignalId) }),
  ),
} as const

export const signalsEvents = {
  /** New samples of the subscribed signals, batched (at most ~5 batches a second). */
  'signals.samples': SampleBatch,
} as const
