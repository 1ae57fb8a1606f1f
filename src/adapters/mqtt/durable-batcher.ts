import type { Sample, SampleBatch } from '../../shared/model'

export interface DurableBatcherOptions {
  /** Hands a batch to the listeners; resolves once every listener said it is durable. */
  deliver(batch: SampleBatch): Promise<void>
  /** A delivery failed: its messages stay unacknowledged (the caller decides how to get them redelivered). */
  onFailure(error: unknown): void
  /** Flush at once at this many samples (default 20,000); otherwise at the end of the event-loop turn. */
  maxBatch?: number
  /** Deliveries under way at once (default 4); beyond, samples gather into the next, larger batch. */
  maxInflight?: number
  /** Above this many waiting samples `full` is true: the caller stops reading (default 200,000). */
  maxPending?: number
}

/**
 * Gathers the samples of many messages into one batch per event-loop turn (one store commit for many
 * messages) and runs each message's acknowledgement only after its batch is durable. Acknowledgements run
 * in arrival order, as MQTT asks of PUBACKs, so a batch's acks also wait for every earlier batch.
 */
export class DurableBatcher {
  private samples: Sample[] = []
  private acks: (() => void)[] = []
  private scheduled = false
  private inflight = 0
  private tail: Promise<void> = Promise.resolve()
  private roomWaiters: (() => void)[] = []
  private readonly maxBatch: number
  private readonly maxInflight: number
  private readonly maxPending: number

  constructor(private readonly o: DurableBatcherOptions) {
    this.maxBatch = o.maxBatch ?? 20_000
    this.maxInflight = o.maxInflight ?? 4
    this.maxPending = o.maxPending ?? 200_000
  }

  /** One message's samples; `ack` runs once they (and every earlier message's) are durable, or in turn when there are none. */
  add(samples: readonly Sample[], ack?: () => void): void {
    for (const s of samples) this.samples.push(s)
    this.added(ack)
  }

  /**
   * The array the next batch is gathered in. The hot path pushes a message's samples straight into it (no
   * intermediate array per message), then calls `added`. Valid until `added` or anything else on the batcher runs.
   */
  get gathering(): Sample[] {
    return this.samples
  }

  /** One message's samples were pushed into `gathering`: `ack` runs once they (and every earlier message's) are durable. */
  added(ack?: () => void): void {
    if (ack) this.acks.push(ack)
    if (this.samples.length >= this.maxBatch) this.flush()
    else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        this.flush()
      })
    }
  }

  /** Too many samples wait for the store: stop reading until `room()` resolves. */
  get full(): boolean {
    return this.samples.length >= this.maxPending
  }

  room(): Promise<void> {
    return this.full ? new Promise((r) => this.roomWaiters.push(r)) : Promise.resolve()
  }

  /** Samples waiting or under way, and deliveries under way (for health and tests). */
  get pending(): { samples: number; inflight: number } {
    return { samples: this.samples.length, inflight: this.inflight }
  }

  /** Resolves once everything added so far was delivered and its acks ran (or failed). */
  async drain(): Promise<void> {
    while (this.samples.length > 0 || this.acks.length > 0 || this.inflight > 0) {
      this.flush()
      await this.tail
      if (this.inflight > 0) await new Promise((r) => setImmediate(r))
    }
  }

  private flush(): void {
    if (this.samples.length === 0 && this.acks.length === 0) return
    // A slow store: keep gathering; the delivery under way flushes again when it completes.
    if (this.samples.length > 0 && this.inflight >= this.maxInflight) return
    const batch = this.samples
    const acks = this.acks
    this.samples = []
    this.acks = []
    this.wakeRoom()
    let durable: Promise<void> = Promise.resolve()
    if (batch.length > 0) {
      this.inflight++
      durable = this.o.deliver(batch).finally(() => {
        this.inflight--
        this.flush()
      })
    }
    this.tail = Promise.all([this.tail, durable]).then(
      () => {
        for (const ack of acks) ack()
      },
      (e: unknown) => this.o.onFailure(e),
    )
  }

  private wakeRoom(): void {
    if (this.full) return
    for (const w of this.roomWaiters.splice(0)) w()
  }
}
