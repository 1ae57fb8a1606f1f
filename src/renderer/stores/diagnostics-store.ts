import { create } from 'zustand'
import type { Diagnostics } from '../../shared/contract'
import type { ErrorShape } from '../../shared/model'
import { getApi, type Api } from '../api/client'
import { toErrorShape } from '../api/errors'

interface DiagnosticsState {
  diag?: Diagnostics
  error?: ErrorShape
  /** Local time of the last answer. */
  at?: number
}

export const useDiagnosticsStore = create<DiagnosticsState>()(() => ({}))

let inFlight = false
/** Fetches `system.diagnostics`; one call at a time, so a slow server is never asked twice at once. */
export async function refreshDiagnostics(api: Api = getApi()): Promise<void> {
  if (inFlight) return
  inFlight = true
  try {
    const diag = await api.rpc.call('system.diagnostics', {})
    useDiagnosticsStore.setState({ diag, error: undefined, at: Date.now() })
  } catch (e) {
    useDiagnosticsStore.setState({ error: toErrorShape(e) })
  } finally {
    inFlight = false
  }
}

/** Rejections of all codes together. */
export const totalRejected = (d: Diagnostics | undefined): number => Object.values(d?.rpc.rejected ?? {}).reduce((a, b) => a + b, 0)
