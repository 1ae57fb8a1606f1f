import { z } from 'zod'

/**
 * Command definitions on model attributes (`AssetAttribute.commands`): what an operator may do to the equipment an
 * attribute stands for, select-before-operate (see contract/commands.ts and docs/commands.md). Templates carry them
 * to every instance (string fields of `target` are binding patterns, filled per instance); an instance's copy
 * overrides them. Checked on every model save (`command.bad_definition` with the path and the reason).
 *
 * Kinds: `setpoint` (write a number to the attribute's bound source, then read it back) and `state` (write one of
 * the attribute's enumeration values) go through the binding's driver; the drivers add their own kinds with their
 * fields in `target` (OPC UA `method`: call a method; MQTT `publish`: publish a payload, optionally MQTT 5
 * request/response). The generic layers never name a protocol: a kind is known when a driver registers it.
 */

/** A condition that must hold before the command is sent, over the asset's attributes (expression.ts). */
export const CommandInterlock = z
  .object({
    /** True when the command may go, e.g. `Manual == 0`; a missing or bad input value counts as not holding. */
    when: z.string().min(1).max(500),
    /** Shown to the operator when it does not hold: "the pump may start only if its suction valve is open". */
    message: z.string().min(1).max(500),
  })
  .strict()
export type CommandInterlock = z.infer<typeof CommandInterlock>

/** What the operator gives: a `number` (setpoint), one of the attribute's `state`s, or `none` (a push button). */
export const CommandInput = z.enum(['number', 'state', 'none'])
export type CommandInput = z.infer<typeof CommandInput>

export const CommandDef = z
  .object({
    /** Unique among the attribute's commands; with the asset and attribute it names the command. */
    id: z.string().min(1).max(50).regex(/^[A-Za-z0-9_.-]+$/),
    /** Shown on the button: "Speed setpoint", "Start". */
    label: z.string().min(1).max(100),
    /** `setpoint`, `state`, or a driver's kind (`method`, `publish`). */
    kind: z.string().min(1).max(50),
    /** Default: `number` for setpoint, `state` for state, `none` for the drivers' kinds. */
    input: CommandInput.optional(),
    /** Two-person rule: a second user with the command's role confirms with their credentials. */
    critical: z.boolean().optional(),
    /** The role needed (default operator). */
    role: z.enum(['operator', 'engineer', 'admin']).optional(),
    interlocks: z.array(CommandInterlock).max(10).optional(),
    /** How long verify waits for the read back or the device's answer (default 5 s). */
    verifyTimeoutMs: z.number().int().min(100).max(120_000).optional(),
    // --- number input (setpoint) ---
    /** The engineering range an operator may set (default the attribute's range). */
    limits: z.object({ lo: z.number(), hi: z.number() }).strict().optional(),
    /** The largest change from the current value in one command. */
    maxStep: z.number().positive().optional(),
    /** Decimals the value is compared with when read back (default the attribute's, else 6). */
    decimals: z.number().int().min(0).max(15).optional(),
    /** Default the attribute's unit. */
    unit: z.string().max(50).optional(),
    // --- state input ---
    /** The enumeration keys offered (default all of the attribute's). */
    states: z.array(z.string().min(1).max(50)).min(1).max(50).optional(),
    /** The driver's own fields for its kinds (method: objectId, methodId, args; publish: topic, payload, qos...). */
    target: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
export type CommandDef = z.infer<typeof CommandDef>
