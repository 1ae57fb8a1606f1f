/**
 * A rebuild from the whole model after `model.changed`, serialized: it waits for what it depends on (`before`, e.g.
 * the live link following the change), runs, and when another change came meanwhile runs once more. The live link,
 * the alarm service and the condition tracker each keep one.
 */
export class SerialRebuild {
  private running: Promise<void> | undefined
  private again = false

  constructor(
    private readonly rebuild: () => void | Promise<void>,
    private readonly before: (() => Promise<void>) | undefined,
    private readonly failed: (e: Error) => void,
  ) {}

  changed(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = async () => {
      do {
        this.again = false
        await this.before?.()
        try {
          await this.rebuild()
        } catch (e) {
          this.failed(e as Error)
        }
      } while (this.again)
    }
    this.running = run().finally(() => (this.running = undefined))
    return this.running
  }

  /** Resolves once no rebuild is running or waiting. */
  async settled(): Promise<void> {
    while (this.running) await this.running
  }
}
