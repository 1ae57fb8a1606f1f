import type { SampleBatch } from '../../shared/model'
import type { Collector, CollectorState, WriteRequest, WriteResult } from '../ports/collector'

/** A collector driven by the test: `push` samples, `setState` health. For unit tests of core logic only. */
export class FakeCollector implements Collector {
  rejected = 0
  started = false
  readonly writes: WriteRequest[] = []
  private readonly sampleCbs = new Set<(b: SampleBatch) => void>()
  private readonly stateCbs = new Set<(s: CollectorState) => void>()
  constructor(readonly id: string) {}
  async start() {
    this.started = true
    this.setState({ health: 'connecting' })
  }
  async stop() {
    this.started = false
    this.setState({ health: 'stopped' })
  }
  async write(cmd: WriteRequest): Promise<WriteResult> {
    this.writes.push(cmd)
    return { ok: true, status: 'Good' }
  }
  onSamples(cb: (b: SampleBatch) => void) {
    this.sampleCbs.add(cb)
    return () => this.sampleCbs.delete(cb)
  }
  onState(cb: (s: CollectorState) => void) {
    this.stateCbs.add(cb)
    return () => this.stateCbs.delete(cb)
  }
  push(batch: SampleBatch) {
    this.sampleCbs.forEach((cb) => cb(batch))
  }
  setState(s: CollectorState) {
    this.stateCbs.forEach((cb) => cb(s))
  }
}
