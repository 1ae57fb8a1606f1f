import { z } from 'zod'
import { AppError, type SampleValue } from '../../shared/model'
import type { CommandKinds, CommandSent } from '../ports/driver'
import { opcuaAccessOf } from './opcua-port'

/** An OPC UA `method` command: call `methodId` on `objectId` with the arguments given, typed as the method declares them. */
export const OpcuaMethodTarget = z
  .object({
    /** Default: the attribute binding's connection. */
    connection: z.string().min(1).max(100).optional(),
    objectId: z.string().min(1).max(512),
    methodId: z.string().min(1).max(512),
    /**
     * Input arguments in order; each is sent with the DataType the method declares for it. An argument whose value is
     * the text `{value}` takes the operator's input (the command's `input: number` or `state`, checked against its
     * limits, step or states before it is sent); the others are fixed.
     */
    args: z.array(z.object({ name: z.string().max(100).optional(), value: z.union([z.number(), z.boolean(), z.string().max(4096)]) }).strict()).max(20).optional(),
  })
  .strict()

/** The argument value that stands for the operator's input. */
export const INPUT_ARGUMENT = '{value}'

const timeout = (ms: number) =>
  new Promise<'timeout'>((r) => {
    const t = setTimeout(() => r('timeout'), ms)
    ;(t as { unref?: () => void }).unref?.()
  })

/**
 * OPC UA commands: `setpoint` and `state` write the bound node with its DataType, then read it back (mismatch when it
 * differs beyond the command's decimals; a Bad write status is `rejected` with the status name); `method` calls a
 * method (an argument `{value}` carrying the operator's input), its status the outcome.
 */
export const opcuaCommands: CommandKinds = {
  kinds: { method: OpcuaMethodTarget as unknown as z.ZodType<Record<string, unknown>> },
  writes: true,
  connectionOf: (t) => (typeof t['connection'] === 'string' ? t['connection'] : undefined),
  inputProblem(kind, target, input) {
    if (kind !== 'method') return undefined
    const takes = ((target['args'] ?? []) as { value: unknown }[]).filter((a) => a.value === INPUT_ARGUMENT).length
    if (input === 'none' && takes > 0) return `an argument "${INPUT_ARGUMENT}" takes the operator's input: give the command input: number or state`
    if (input !== 'none' && takes === 0) return `a method with a ${input} input needs an argument whose value is "${INPUT_ARGUMENT}" to take it`
    if (takes > 1) return `one argument takes the operator's input ("${INPUT_ARGUMENT}"), not ${takes}`
    return undefined
  },
  async read(binding, collector) {
    const access = opcuaAccessOf(collector)
    if (!access) return undefined
    const r = await access.read(String(binding['nodeId']))
    return r.status.startsWith('Good') ? asSample(r.value) : undefined
  },
  async send(req, collector): Promise<CommandSent> {
    const access = opcuaAccessOf(collector)
    if (!access) throw new AppError('command.bad_definition', `connection "${collector.id}" is not an OPC UA connection`)
    const work = async (): Promise<CommandSent> => {
      if (req.kind === 'method') {
        const t = OpcuaMethodTarget.parse(req.target)
        const r = await access.call(t.objectId, t.methodId, (t.args ?? []).map((a) => (a.value === INPUT_ARGUMENT ? req.value : a.value)))
        if (!r.ok) return { outcome: 'rejected', status: r.inputStatus ? `${r.status} (arguments: ${r.inputStatus.join(', ')})` : r.status }
        return { outcome: 'success', status: r.status }
      }
      const nodeId = String(req.binding?.['nodeId'])
      const w = await access.write(nodeId, req.value)
      if (!w.ok) return { outcome: 'rejected', status: w.status }
      const back = await access.read(nodeId)
      if (!back.status.startsWith('Good')) return { outcome: 'mismatch', status: `written (${w.status}), read back ${back.status}` }
      const readBack = asSample(back.value) ?? null
      if (!req.same(readBack, req.value)) return { outcome: 'mismatch', status: `written (${w.status}), read back ${JSON.stringify(readBack)}`, readBack }
      return { outcome: 'success', status: w.status, readBack }
    }
    const r = await Promise.race([work(), timeout(req.timeoutMs)])
    return r === 'timeout' ? { outcome: 'timeout', status: `no answer from the server within ${req.timeoutMs} ms` } : r
  },
}

/** A value read as the model keeps it (scalars; an array or structure as JSON text). */
function asSample(v: unknown): SampleValue | undefined {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v
  if (v === undefined) return undefined
  return JSON.stringify(v).slice(0, 4096)
}
