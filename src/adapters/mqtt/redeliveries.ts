/**
 * Recognises a QoS 1 redelivery of a message whose samples are already stored: the broker resends (DUP flag set)
 * what it has no PUBACK for, and a PUBACK lost with the connection (stored, then disconnected before the ack left)
 * would otherwise store the message twice — twice for real when its samples carry arrival times.
 *
 * MQTT packet ids identify a message until it is acknowledged, and a broker reuses an id only after its PUBACK.
 * So: once a message's samples are durable its id is remembered with its topic and size; a new (non-DUP) message
 * with that id means the broker got the PUBACK, and the record goes; a DUP message matching a record is the
 * stored one again. At most 65,535 records (one per packet id). Kept in memory: after a crash of Plantdeck itself,
 * a message stored but not acknowledged is stored again when redelivered (its samples then count as duplicates
 * only if they carry their own timestamp).
 */
export class Redeliveries {
  private readonly stored = new Map<number, { topic: string; size: number }>()

  /** A message arrived: true when it is a redelivery of one already stored (acknowledge it, store nothing). */
  arrived(messageId: number, dup: boolean, topic: string, size: number): boolean {
    const r = this.stored.get(messageId)
    if (!dup) {
      if (r) this.stored.delete(messageId)
      return false
    }
    return r !== undefined && r.topic === topic && r.size === size
  }

  /** Its samples are durable (whether or not the PUBACK still reaches the broker). */
  durable(messageId: number, topic: string, size: number): void {
    this.stored.set(messageId, { topic, size })
  }

  /** A new clean session: the broker forgot every unacknowledged message, and so do we. */
  clear(): void {
    this.stored.clear()
  }

  get size(): number {
    return this.stored.size
  }
}
