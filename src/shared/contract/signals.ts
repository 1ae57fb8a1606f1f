import { z } from 'zod'
import { Sample, SampleAccount, SampleBatch, SampleRejectReason, SignalId } from '../model'
import { method } from './define'

export const signals = {
  /** Latest sample of each signal that has one; signals never seen are absent from the result. */
  'signals.current': method(z.object({ signals: z.array(SignalId).max(10_000) }).strict(), z.array(Sample), 'viewer'),
  /**
   * Replace this client's live subscription: from now on `signals.samples` carries only these signals.
   * An empty list stops the stream. Unknown ids are ignored and returned in `unknown`.
   */
  'signals.subscribe': method(
    z.object({ signals: z.array(SignalId).max(10_000) }).strict(),
    z.object({ subscribed: z.number().int(), unknown: z.array(SignalId) }),
    'viewer',
  ),
  /**
   * Where every sample went since start, per connection and per signal (see SampleAccount). `signals` lists the
   * signals asked for; without `signals`, those with any rejection or duplicate (at most 500).
   */
  'signals.accounting': method(
    z.object({ signals: z.array(SignalId).max(1000).optional() }).strict(),
    z.object({
      connections: z.array(SampleAccount.extend({ connection: z.string(), unassigned: z.record(SampleRejectReason, z.number().int()) })),
      signals: z.array(SampleAccount.extend({ signal: SignalId, connection: z.string() })),
    }),
    'viewer',
  ),
} as const

export const signalsEvents = {
  /** New samples of the subscribed signals, batched (at most ~5 batches a second). */
  'signals.samples': SampleBatch,
} as const
