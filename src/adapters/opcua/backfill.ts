import { HistoryReadRequest, ReadRawModifiedDetails, TimestampsToReturn, type ClientSession, type HistoryData } from 'node-opcua'
import type { OpcuaSignalConfig } from '../../core/opcua/opcua-config'
import type { Sample } from '../../shared/model'
import type { ServerLimits } from './monitoring'
import { toSample } from './values'

/** Marks samples read back from the server's history after an outage, so stores and trends can tell them apart. */
export const BACKFILLED = 'Backfilled'

/** A gap this long is read back at most, per signal: enough for a restart, bounded for a week-long outage. */
const MAX_VALUES_PER_SIGNAL = 10_000

/**
 * Reads the raw values each signal missed in (since, until] with HistoryRead. Signals whose node keeps
 * no history answer a bad status and are skipped: backfill is best effort, never a reason to fail.
 */
export async function backfill(session: ClientSession, limits: ServerLimits, signals: OpcuaSignalConfig[], since: Map<string, number>, until: number): Promise<Sample[]> {
  const out: Sample[] = []
  for (let i = 0; i < signals.length; i += limits.maxNodesPerHistoryReadData) {
    const batch = signals.slice(i, i + limits.maxNodesPerHistoryReadData)
    const from = Math.min(...batch.map((s) => since.get(s.id) ?? until))
    const response = await session.historyRead(
      new HistoryReadRequest({
        historyReadDetails: new ReadRawModifiedDetails({ isReadModified: false, startTime: new Date(from + 1), endTime: new Date(until), numValuesPerNode: MAX_VALUES_PER_SIGNAL, returnBounds: false }),
        nodesToRead: batch.map((s) => ({ nodeId: s.nodeId })),
        timestampsToReturn: TimestampsToReturn.Both,
      }),
    )
    response.results?.forEach((r, k) => {
      const sig = batch[k]!
      if (!r.statusCode.isGood()) return
      const after = since.get(sig.id) ?? from
      for (const dv of (r.historyData as HistoryData | null)?.dataValues ?? []) {
        const s = toSample(sig.id, dv)
        if (s.ts <= after || s.ts > until) continue
        out.push({ ...s, status: s.status ? `${BACKFILLED} ${s.status}` : BACKFILLED })
      }
    })
  }
  return out
}
