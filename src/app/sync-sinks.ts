import type { z } from 'zod'
import { LineProtocolOptions, LineProtocolSink } from '../adapters/sync/line-protocol-sink'
import { TdengineSinkConfig, createTdengineSink } from '../adapters/sync/tdengine'
import type { SinkConfig } from '../core/config/store-config'
import type { Logger } from '../core/ports/logger'
import type { SyncSink } from '../core/ports/sync-sink'
import { AppError } from '../shared/model/errors'

/** What a sink factory may use. */
export interface SinkContext {
  dataDir: string
  logger: Logger
  /** The global egress setting (`sync.proxy`), for kinds that can go through a proxy. */
  proxy?: string | undefined
}

/** A sink kind: its options (checked at start, with field paths) and how to make one. */
export interface SinkKind<S extends z.ZodType = z.ZodType> {
  options: S
  create(id: string, options: z.output<S>, ctx: SinkContext): SyncSink
}

const kind = <S extends z.ZodType>(k: SinkKind<S>): SinkKind => k as unknown as SinkKind

/** Every sync sink kind, by `kind` in `sync.sinks[]`: the one place that names them (one line per kind). */
export const sinkKinds: Readonly<Record<string, SinkKind>> = {
  'line-protocol': kind({ options: LineProtocolOptions, create: (id, o, ctx) => new LineProtocolSink(id, o, { proxy: ctx.proxy }) }),
  tdengine: kind({ options: TdengineSinkConfig.omit({ id: true, kind: true }), create: (id, o, ctx) => createTdengineSink({ ...o, id, kind: 'tdengine' }, { proxy: ctx.proxy }) }),
}

/** Fields every sink has; the rest of an entry is its kind's options. */
const COMMON = ['id', 'kind', 'enabled', 'batchSamples', 'drainSamplesPerSecond'] as const

/**
 * Checks each sink's kind options with its kind's schema; a bad one stops the start like any bad field
 * (`config.invalid`, naming `sync.sinks.<i>.<field>`).
 */
export function parseSinks(sinks: readonly SinkConfig[], file = 'configuration'): { config: SinkConfig; kind: SinkKind; options: unknown }[] {
  const problems: string[] = []
  const out = sinks.flatMap((config, i) => {
    const k = sinkKinds[config.kind]
    if (!k) {
      problems.push(`  sync.sinks.${i}.kind: unknown sink kind "${config.kind}" (known: ${Object.keys(sinkKinds).join(', ')})`)
      return []
    }
    const rest = Object.fromEntries(Object.entries(config).filter(([key]) => !(COMMON as readonly string[]).includes(key)))
    const r = k.options.safeParse(rest)
    if (!r.success) {
      for (const issue of r.error.issues) problems.push(`  sync.sinks.${i}.${issue.path.join('.') || '(options)'}: ${issue.message}`)
      return []
    }
    return [{ config, kind: k, options: r.data }]
  })
  if (problems.length > 0) throw new AppError('config.invalid', `${file}: invalid configuration\n${problems.slice(0, 8).join('\n')}`)
  return out
}

/** The enabled sinks, made. */
export function createSinks(sinks: readonly SinkConfig[], ctx: SinkContext, file?: string): { sink: SyncSink; config: SinkConfig }[] {
  return parseSinks(sinks, file)
    .filter((s) => s.config.enabled)
    .map((s) => ({ sink: s.kind.create(s.config.id, s.options, ctx), config: s.config }))
}
