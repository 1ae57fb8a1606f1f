import { DEMO_PLANT, type PlantModel } from './plant-model'
import { applyCommand, initialState, step, type CommandOutcome, type PlantCommand, type PlantState } from './simulation'

export interface PlantRuntimeOptions {
  model?: PlantModel
  /** Real milliseconds between two simulation steps. */
  tickMs: number
  seed?: number
}

/** A step longer than this is cut short: after a suspend the plant resumes, it does not leap. */
const MAX_STEP_S = 5

/**
 * Runs the simulation in real time: one `step` every `tickMs`, with dt measured on the
 * monotonic clock so event-loop lag does not slow the plant down. The only mutable home of
 * the plant's state; the OPC UA server and the MQTT devices read it and send it commands.
 */
export class PlantRuntime {
  readonly model: PlantModel
  #state: PlantState
  #timer: NodeJS.Timeout | undefined
  #last = 0
  readonly #tickMs: number

  constructor(options: PlantRuntimeOptions) {
    this.model = options.model ?? DEMO_PLANT
    this.#tickMs = options.tickMs
    this.#state = initialState(this.model, options.seed)
  }

  get state(): PlantState {
    return this.#state
  }

  /** Starts ticking; idempotent. */
  start(): void {
    if (this.#timer !== undefined) return
    this.#last = performance.now()
    this.#timer = setInterval(() => {
      const now = performance.now()
      const dt = Math.min(MAX_STEP_S, (now - this.#last) / 1000)
      this.#last = now
      if (dt > 0) this.#state = step(this.#state, dt, this.model)
    }, this.#tickMs)
  }

  /** Stops ticking; idempotent. The state stays readable. */
  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Applies an operator command at once; a refused command leaves the state untouched. */
  command(command: PlantCommand): CommandOutcome {
    const outcome = applyCommand(this.#state, command, this.model)
    if (outcome.ok) this.#state = outcome.state
    return outcome
  }
}
