import type { CollectorState } from '../../core/ports/collector'
import { RECEIVE_MAXIMUM } from './client-options'

/**
 * Watches how many QoS 1 messages the broker has sent us that we have not acknowledged yet. Our PUBACKs wait for
 * the store's commit, so the broker must hold about (message rate x ack delay) messages for us, and a broker keeps
 * only so many: mosquitto sends a 3.1.1 client at most `max_inflight_messages` (default 20) unacknowledged and keeps
 * up to `max_queued_messages` (default 1000) more; beyond that it drops what is published, unseen by us. MQTT 5 lets
 * us raise the first with our Receive Maximum; at 3.1.1 both are the broker's.
 *
 * Two signs that the broker's limits, not our store, set the pace (either makes an interval `capped`):
 * - window full: the unacknowledged count sits at its peak (the broker sends nothing more until an ack) more than
 *   half of the interval. At rates the window carries that happens only for moments. The cap is the ack rate.
 * - deep backlog: at some moment more than `deep` messages were unacknowledged (default 500, half of mosquitto's
 *   default queue): the broker is buffering for us near where a stock one drops. The cap is the rate a stock mosquitto's
 *   1,020 messages carry through the interval's slowest ack (a store commit that took longest).
 */
export interface WindowReport {
  capped: boolean
  /** The cap in messages per second (see above); the ack rate when not capped. */
  rate: number
  /** The most messages unacknowledged at once during the interval. */
  peak: number
  /** Mean and most time from a message's arrival to its PUBACK during the interval, ms. */
  meanAckMs: number
  maxAckMs: number
}

/** mosquitto's defaults for a 3.1.1 client: 20 in flight plus 1000 queued before it drops. */
export const STOCK_MOSQUITTO_HOLDS = 1020

export class BrokerWindow {
  private arrivals: number[] = []
  private head = 0
  private peakEver = 0
  private peak = 0
  private fullSince = 0
  private fullMs = 0
  private acks = 0
  private ackMsSum = 0
  private ackMsMax = 0
  private intervalStart: number

  /** See "deep backlog"; Infinity turns that sign off (MQTT 5, where our Receive Maximum widened what the broker holds). */
  private deep = 500

  constructor(private readonly now: () => number = () => performance.now()) {
    this.intervalStart = now()
  }

  private get outstanding(): number {
    return this.arrivals.length - this.head
  }

  /** A QoS 1 message arrived. */
  received(): void {
    const t = this.now()
    this.arrivals.push(t)
    const n = this.outstanding
    if (n > this.peak) this.peak = n
    if (n >= this.peakEver) {
      this.peakEver = n
      if (this.fullSince === 0) this.fullSince = t
    }
  }

  /** Its PUBACK went out (PUBACKs go in arrival order). */
  acked(): void {
    if (this.outstanding === 0) return
    const t = this.now()
    if (this.fullSince !== 0) {
      this.fullMs += t - this.fullSince
      this.fullSince = 0
    }
    const ms = t - this.arrivals[this.head++]!
    this.ackMsSum += ms
    if (ms > this.ackMsMax) this.ackMsMax = ms
    this.acks++
    if (this.head > 4096 && this.head * 2 > this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.head)
      this.head = 0
    }
  }

  /** A new connection: the broker's count starts again (unacknowledged messages are redelivered). */
  reset(deep = 500): void {
    this.deep = deep
    this.arrivals = []
    this.head = 0
    this.peakEver = 0
    this.report()
  }

  /** Closes the interval since the last report. */
  report(): WindowReport {
    const t = this.now()
    let full = this.fullMs
    if (this.fullSince !== 0) {
      full += t - this.fullSince
      this.fullSince = t
    }
    const span = Math.max(1, t - this.intervalStart)
    const meanAckMs = this.acks > 0 ? this.ackMsSum / this.acks : 0
    const ackRate = Math.round((this.acks * 1000) / span)
    const windowFull = this.peakEver > 1 && full > span / 2 && ackRate > 0
    const deep = this.peak > this.deep && this.ackMsMax > 0
    // a burst must outlast our slowest ack of the interval: what a stock mosquitto holds over that time
    const rate = windowFull ? ackRate : deep ? Math.round((STOCK_MOSQUITTO_HOLDS * 1000) / this.ackMsMax) : ackRate
    const r: WindowReport = { capped: windowFull || deep, rate, peak: this.peak, meanAckMs: +meanAckMs.toFixed(2), maxAckMs: +this.ackMsMax.toFixed(2) }
    this.fullMs = 0
    this.acks = 0
    this.ackMsSum = 0
    this.ackMsMax = 0
    this.peak = this.outstanding
    this.intervalStart = t
    return r
  }
}

/** How often the window is judged; a capped state clears after CLEAR_AFTER intervals that were not. */
const INTERVAL_MS = 1000
const CLEAR_AFTER = 10

/**
 * Judges the window every second: a capped interval turns a connected connection `degraded` with code
 * `mqtt.broker_window_capped`; ten calm ones in a row make it `connected` again. Returns the stop function.
 */
export function watchWindow(w: BrokerWindow, o: { state(): CollectorState; setState(s: CollectorState): void; v5(): boolean }): () => void {
  let calm = 0
  const timer = setInterval(() => {
    const r = w.report()
    const capped = o.state().code === 'mqtt.broker_window_capped'
    if (r.capped && (o.state().health === 'connected' || capped)) {
      calm = 0
      o.setState({ health: 'degraded', code: 'mqtt.broker_window_capped', reason: windowReason(r, o.v5()) })
    } else if (capped && !r.capped && ++calm >= CLEAR_AFTER) o.setState({ health: 'connected' })
  }, INTERVAL_MS)
  timer.unref?.()
  return () => clearInterval(timer)
}

/** The capped state's reason: the measured cap, why, and the broker settings to change. */
export function windowReason(w: WindowReport, v5: boolean): string {
  const why = v5
    ? `the broker allows only ${w.peak} unacknowledged messages despite our Receive Maximum ${RECEIVE_MAXIMUM}`
    : `at MQTT 3.1.1 the broker decides how many of our QoS 1 messages it holds unacknowledged (up to ${w.peak} now; acks wait for the store's commit, up to ${Math.round(w.maxAckMs)} ms)`
  return `broker window caps QoS 1 delivery at ~${w.rate} msg/s: ${why}, and what it cannot hold it drops. Raise max_inflight_messages (e.g. 1000) and max_queued_messages (e.g. 100000) in mosquitto.conf, or let the connection use MQTT 5`
}
