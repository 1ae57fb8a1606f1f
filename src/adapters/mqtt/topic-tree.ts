export interface TopicTreeOptions {
  /** Distinct topics tracked; messages on further topics are only counted (default 50,000). */
  maxTopics?: number
  /** Last payload kept whole up to this size (default 64 KiB)... */
  keepBytes?: number
  /** ...while all kept payloads together stay under this (default 32 MiB); beyond, only `previewBytes` are kept. */
  budgetBytes?: number
  /** Shown in a page (default 160). */
  previewBytes?: number
}

interface Leaf {
  count: number
  retained: boolean
  lastAt: number
  bytes: number
  payload: Uint8Array
  /** The newest payload, not yet copied into `payload` (copied once per event-loop turn, not per message). */
  latest: Uint8Array | undefined
  windowStart: number
  windowCount: number
  rate: number
}

interface Node {
  children: Map<string, Node>
  leaf?: Leaf
}

export interface TopicEntry {
  /** One topic level. */
  name: string
  /** Full topic (or topic prefix) of this entry. */
  path: string
  /** Distinct topics at or below, and their messages. */
  topics: number
  messages: number
  hasChildren: boolean
  /** Present when a message arrived on exactly this topic. */
  last?: { count: number; ratePerSec: number; retained: boolean; at: number; bytes: number; preview: string; truncated: boolean }
}

export interface TopicPage {
  prefix: string
  entries: TopicEntry[]
  /** Entries at this level in all; pass `offset` for the next page. */
  total: number
  tracked: number
  /** Messages not tracked because `maxTopics` was reached (a topic flood). */
  untracked: number
}

const RATE_WINDOW_MS = 10_000
const TEXT = new TextDecoder('utf-8')

/** Live tree of the topics seen, with counts, rate, last payload and retained flag. Memory bounded by its options. */
export class TopicTree {
  private readonly byTopic = new Map<string, Leaf>()
  private readonly root: Node = { children: new Map() }
  private keptBytes = 0
  /** Leaves whose `latest` waits to be copied. */
  private dirty: Leaf[] = []
  private settleScheduled = false
  untracked = 0
  private readonly maxTopics: number
  private readonly keepBytes: number
  private readonly budgetBytes: number
  private readonly previewBytes: number

  constructor(o: TopicTreeOptions = {}) {
    this.maxTopics = o.maxTopics ?? 50_000
    this.keepBytes = o.keepBytes ?? 64 * 1024
    this.budgetBytes = o.budgetBytes ?? 32 * 1024 * 1024
    this.previewBytes = o.previewBytes ?? 160
  }

  /** False when the topic is new and the tree is full. `size`: bytes as published, when `payload` holds only its start. */
  record(topic: string, payload: Uint8Array, retained: boolean, now: number, size = payload.byteLength): boolean {
    let leaf = this.byTopic.get(topic)
    if (!leaf) {
      if (this.byTopic.size >= this.maxTopics) {
        this.untracked++
        return false
      }
      leaf = { count: 0, retained, lastAt: now, bytes: 0, payload: new Uint8Array(0), latest: undefined, windowStart: now, windowCount: 0, rate: 0 }
      this.byTopic.set(topic, leaf)
      let node = this.root
      for (const level of topic.split('/')) {
        let next = node.children.get(level)
        if (!next) node.children.set(level, (next = { children: new Map() }))
        node = next
      }
      node.leaf = leaf
    }
    leaf.count++
    leaf.retained = retained
    leaf.lastAt = now
    leaf.bytes = size
    if (now - leaf.windowStart >= RATE_WINDOW_MS) {
      leaf.rate = (leaf.windowCount * 1000) / (now - leaf.windowStart)
      leaf.windowStart = now
      leaf.windowCount = 0
    }
    leaf.windowCount++
    // Keep a reference now and copy at the end of this turn: a busy topic costs one copy per turn, not one per
    // message. The reference lives one turn only, so a view into the parser's larger chunk is not retained.
    if (leaf.latest === undefined) this.dirty.push(leaf)
    leaf.latest = payload
    if (!this.settleScheduled) {
      this.settleScheduled = true
      setImmediate(() => this.settle())
    }
    return true
  }

  /** Copies the newest payload of every leaf that received one since the last call. */
  settle(): void {
    this.settleScheduled = false
    const dirty = this.dirty
    if (dirty.length === 0) return
    this.dirty = []
    for (const leaf of dirty) {
      const payload = leaf.latest!
      leaf.latest = undefined
      const limit = this.keptBytes - leaf.payload.byteLength + this.keepBytes > this.budgetBytes ? this.previewBytes : this.keepBytes
      const len = Math.min(limit, payload.byteLength)
      // a copy, never a view: the parser's payload may be a view into a much larger chunk.
      // Same size as last time (the usual case): overwrite in place, no allocation.
      if (leaf.payload.byteLength === len) leaf.payload.set(len === payload.byteLength ? payload : payload.subarray(0, len))
      else {
        const kept = new Uint8Array(len)
        kept.set(len === payload.byteLength ? payload : payload.subarray(0, len))
        this.keptBytes += len - leaf.payload.byteLength
        leaf.payload = kept
      }
    }
  }

  get size(): number {
    return this.byTopic.size
  }

  /** One level of the tree under `prefix` ('' for the top), sorted by name. */
  page(prefix: string, offset: number, limit: number, now: number): TopicPage {
    this.settle()
    let node: Node | undefined = this.root
    if (prefix !== '') for (const level of prefix.split('/')) node = node?.children.get(level)
    const names = node ? [...node.children.keys()].sort() : []
    const entries = names.slice(offset, offset + limit).map((name): TopicEntry => {
      const child = node!.children.get(name)!
      const path = prefix === '' ? name : `${prefix}/${name}`
      const sums = { topics: 0, messages: 0 }
      sum(child, sums)
      const e: TopicEntry = { name, path, ...sums, hasChildren: child.children.size > 0 }
      if (child.leaf) e.last = this.describe(child.leaf, now)
      return e
    })
    return { prefix, entries, total: names.length, tracked: this.byTopic.size, untracked: this.untracked }
  }

  /** The last payload of a topic as kept (whole up to `keepBytes`). */
  payload(topic: string): { payload: Uint8Array; bytes: number; truncated: boolean; retained: boolean; at: number } | undefined {
    this.settle()
    const leaf = this.byTopic.get(topic)
    return leaf && { payload: leaf.payload.slice(), bytes: leaf.bytes, truncated: leaf.payload.byteLength < leaf.bytes, retained: leaf.retained, at: leaf.lastAt }
  }

  private describe(l: Leaf, now: number): NonNullable<TopicEntry['last']> {
    const elapsed = now - l.windowStart
    // a quiet topic's rate decays instead of freezing at its last busy window
    const ratePerSec = elapsed >= RATE_WINDOW_MS ? (l.windowCount * 1000) / elapsed : l.rate || (elapsed > 0 ? (l.windowCount * 1000) / Math.max(elapsed, 1000) : 0)
    const shown = l.payload.subarray(0, this.previewBytes)
    return { count: l.count, ratePerSec, retained: l.retained, at: l.lastAt, bytes: l.bytes, preview: TEXT.decode(shown), truncated: shown.byteLength < l.bytes }
  }
}

/** Iterative: a topic may have thousands of levels, too deep for recursion. */
function sum(start: Node, acc: { topics: number; messages: number }): void {
  const stack = [start]
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.leaf) {
      acc.topics++
      acc.messages += node.leaf.count
    }
    for (const c of node.children.values()) stack.push(c)
  }
}
