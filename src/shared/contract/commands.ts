import { z } from 'zod'
import { SampleValue } from '../model/sample'
import { CommandInput } from './command-def'
import { method } from './define'

/**
 * Safe commands (`commands.*`), select-before-operate as in DNP3 / IEC 61850 practice: `select` locks the target to
 * this operator for a short time, reads its current value and answers a single-use token with everything the confirm
 * dialog shows; `operate` checks (type, range, step, interlocks, connection, token, the second person), writes the
 * audit entry (no entry, no command), sends, and verifies (read back or the device's answer) within a timeout. The
 * outcome is `success`, `rejected` (with the device's status), `mismatch` (with what was read back) or `timeout`,
 * never "probably fine". Role and asset-subtree checks are made in the core, refused `auth.forbidden`, and audited
 * like every refusal. See docs/commands.md.
 */

const Id = z.string().min(1).max(100)
const Name = z.string().min(1).max(200)

/** Why a command is disabled for this principal now. */
export const CommandBlock = z.enum(['role', 'scope', 'not_connected', 'interlock', 'locked', 'bad_definition'])
export type CommandBlock = z.infer<typeof CommandBlock>

const StateOption = z.object({ key: z.string(), label: z.string() })

/** One command as the panel shows it, for the calling principal. */
export const CommandInfo = z.object({
  attribute: z.string(),
  id: z.string(),
  label: z.string(),
  kind: z.string(),
  input: CommandInput,
  critical: z.boolean(),
  role: z.string(),
  unit: z.string().optional(),
  limits: z.object({ lo: z.number(), hi: z.number() }).optional(),
  maxStep: z.number().optional(),
  decimals: z.number().int().optional(),
  states: z.array(StateOption).optional(),
  /** The attribute's enumeration (value → label), to show its current value by name. */
  labels: z.record(z.string(), z.string()).optional(),
  enabled: z.boolean(),
  /** Why not, when disabled. */
  blocked: CommandBlock.optional(),
  reason: z.string().optional(),
})
export type CommandInfo = z.infer<typeof CommandInfo>

export const CommandOutcome = z.enum(['success', 'rejected', 'mismatch', 'timeout'])
export type CommandOutcome = z.infer<typeof CommandOutcome>

/** What `commands.select` answers: the token and everything the confirm dialog shows. */
export const CommandSelection = z.object({
  /** Single use; only this user may operate with it, only on this target, until `expiresAt`. */
  token: z.string(),
  expiresAt: z.number(),
  asset: z.object({ id: z.string(), path: z.string() }),
  attribute: z.string(),
  command: CommandInfo,
  /** The target's value now (read from the device where its driver can, else the live value); null when unknown. */
  current: SampleValue,
  /** Who is acting. */
  user: z.string(),
})
export type CommandSelection = z.infer<typeof CommandSelection>

export const CommandResult = z.object({
  outcome: CommandOutcome,
  /** The device's or driver's status, readable by a person (`Good`, `BadOutOfRange`, the device's answer). */
  status: z.string(),
  /** What verify read back (setpoint, state, a reported value). */
  readBack: SampleValue.optional(),
  /** The value sent (null for a push button). */
  value: SampleValue,
  /** The value before. */
  previous: SampleValue,
  /** The second person, for a critical command. */
  approvedBy: z.string().optional(),
  /** False when the outcome's audit entry could not be written (the command was sent; its operate entry was). */
  audited: z.boolean(),
})
export type CommandResult = z.infer<typeof CommandResult>

export const commands = {
  /** The asset's commands, each enabled or disabled for the calling principal with the reason (role, scope, connection, interlock, locked). */
  'commands.list': method(z.object({ asset: Id }).strict(), z.object({ asset: z.object({ id: z.string(), path: z.string() }), items: z.array(CommandInfo) }), 'viewer'),
  /**
   * Locks the target (the asset's attribute) to this user for a short time and reads its current value. Refused:
   * `command.unknown`, `auth.forbidden` (role or subtree), `command.locked` (another user holds it),
   * `command.not_connected`, `command.bad_definition`, `audit.write_failed`.
   */
  'commands.select': method(z.object({ asset: Id, attribute: Name, command: Name }).strict(), CommandSelection, 'operator'),
  /**
   * Operates a selected command: checks, audit, send, verify. `asset`, `attribute` and `command` must be the token's.
   * Refused before anything is sent: `command.bad_select` (expired, replayed, another user's or another target's
   * token), `command.bad_value`, `command.out_of_range`, `command.step_too_large`, `command.interlocked`,
   * `command.not_connected`, `command.needs_approval`, `command.bad_approval`, `auth.forbidden`, `audit.write_failed`.
   */
  'commands.operate': method(
    z
      .object({
        token: z.string().min(1).max(200),
        asset: Id,
        attribute: Name,
        command: Name,
        value: SampleValue.optional(),
        approval: z.object({ user: z.string().min(1).max(100), password: z.string().min(1).max(1024) }).strict().optional(),
      })
      .strict(),
    CommandResult,
    'operator',
  ),
  /** Gives up a selection: the lock is released, the token spent. */
  'commands.cancel': method(z.object({ token: z.string().min(1).max(200) }).strict(), z.object({ cancelled: z.boolean() }), 'operator'),
} as const
