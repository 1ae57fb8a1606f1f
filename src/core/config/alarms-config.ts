import { z } from 'zod'
import { AlarmPriority, JournalEntry } from '../../shared/contract/alarms'
import { connectionKinds } from './connection-kinds'

type Kinds = (typeof connectionKinds)[number]
type ActionKinds = Extract<Kinds, { notification: unknown }>['notification']

/** A notification action that calls a webhook: an HTTP POST of JSON (`body`, a template; default: the journal entry). */
export const WebhookAction = z
  .object({
    kind: z.literal('webhook'),
    url: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL'),
    /** Extra request headers (an Authorization token, say); never logged or shown. */
    headers: z.record(z.string().min(1).max(200), z.string().max(4096)).optional(),
    /** A JSON template (`{path}`, `{message}`...: values JSON-escaped); absent: the journal entry as JSON. */
    body: z.string().max(65_536).optional(),
    /** Each attempt is abandoned after this long (`notify.timeout`). */
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
  })
  .strict()
export type WebhookAction = z.infer<typeof WebhookAction>

const actionKinds = connectionKinds.flatMap((k) => ('notification' in k ? [k.notification] : [])) as unknown as ActionKinds[]

/** What a rule runs: a webhook, or an action of a protocol's driver (`{ kind: <connection kind>, connection, ... }`). */
export const NotificationActionConfig = z.discriminatedUnion('kind', [WebhookAction, ...actionKinds] as unknown as [typeof WebhookAction, ...ActionKinds[]])
export type NotificationActionConfig = z.infer<typeof NotificationActionConfig>

export const NotificationRule = z
  .object({
    /** Names the rule in its status (`notificationStatus()`) and the log. */
    id: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - only'),
    enabled: z.boolean().default(true),
    /** Which transitions it sends; each field absent or empty: any. */
    match: z
      .object({
        priorities: z.array(AlarmPriority).optional(),
        events: z.array(JournalEntry.shape.event).optional(),
        /** An asset path: the asset and everything under it. */
        path: z.string().min(1).max(1000).optional(),
      })
      .strict()
      .default({}),
    action: NotificationActionConfig,
    /** Token bucket: up to `burst` at once, refilled at `perMinute`; a transition beyond it is dropped and counted. */
    rate: z
      .object({ perMinute: z.number().positive().max(60_000).default(30), burst: z.number().int().min(1).max(10_000).default(10) })
      .strict()
      .default({ perMinute: 30, burst: 10 }),
    /** Attempts per notification (1: no retry); between them the delay doubles from `baseMs` up to `maxMs`, with jitter. */
    retry: z
      .object({
        attempts: z.number().int().min(1).max(20).default(4),
        baseMs: z.number().int().min(10).max(600_000).default(1000),
        maxMs: z.number().int().min(10).max(3_600_000).default(60_000),
      })
      .strict()
      .refine((r) => r.maxMs >= r.baseMs, { message: 'retry.maxMs must be at least retry.baseMs', path: ['maxMs'] })
      .default({ attempts: 4, baseMs: 1000, maxMs: 60_000 }),
  })
  .strict()
export type NotificationRule = z.infer<typeof NotificationRule>
export type NotificationRuleInput = z.input<typeof NotificationRule>

/** The configuration file's `alarms` section. */
export const AlarmsConfig = z
  .object({
    notifications: z.array(NotificationRule).max(200).default([]),
    /** The alarm journal keeps transitions this many days (its own retention, apart from the sample store's). */
    journalRetentionDays: z.number().int().min(1).max(36_500).default(400),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>()
    c.notifications.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: ['notifications', i, 'id'], message: `duplicate notification rule id "${r.id}"` })
      ids.add(r.id)
    })
  })
export type AlarmsConfig = z.infer<typeof AlarmsConfig>
export const defaultAlarmsConfig = (): AlarmsConfig => ({ notifications: [], journalRetentionDays: 400 })
