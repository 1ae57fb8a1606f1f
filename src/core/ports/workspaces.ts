/** One user's saved workspace: its JSON as sent (validated before it is kept) and when it was saved. */
export interface WorkspaceRecord {
  json: string
  savedAt: number
}

/**
 * Where each user's workspace is kept (the application database, or memory). Synchronous, like the user store.
 * Keyed by user name, compared without case.
 */
export interface WorkspaceStore {
  get(user: string): WorkspaceRecord | undefined
  put(user: string, record: WorkspaceRecord): void
}
