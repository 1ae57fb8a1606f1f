/** The state of the renderer's link to the core: always `open` over IPC; over WebSocket it can drop and come back. */
export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface LinkStatus {
  state: LinkState
  /** Reconnect attempts since the link was last open. */
  attempt: number
  /** When the next attempt starts (epoch ms), while reconnecting. */
  retryAt?: number
  /** Why the last socket closed, if the browser told us. */
  lastError?: string
  /** How many times the link has opened; a change means "everything must be fetched and subscribed again". */
  opens: number
}

export interface LinkSource {
  status(): LinkStatus
  onStatus(cb: (s: LinkStatus) => void): () => void
  /** Drop the current connection (e.g. a ping went unanswered) and reconnect right away. */
  reconnectNow(): void
}
