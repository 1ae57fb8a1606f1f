import type { SeriesBatch } from '../../shared/contract/trends'
import { AppError } from '../../shared/model/errors'
import type { Session } from '../../shared/rpc/server'
import type { HistoryReader } from './history-reader'

/**
 * One (t, v) pair in the reply's JSON: a 13-digit time, a double, separators; rounded up so the estimate stays above.
 * A bucket (t, mean, min, max, count) stands for two points, as readers list `points / 2` of them.
 */
export const BYTES_PER_POINT = 48
/** Largest reply one query may build; `points` shrinks to fit (64 signals: 2,730 points each). */
export const MAX_REPLY_BYTES = 8 * 1024 * 1024
/** Reply bytes one session may have being built plus still unsent to it; a query past it is `rpc.busy`. */
const SESSION_REPLY_BYTES = 32 * 1024 * 1024
/** Reply bytes being built for all sessions together: many sessions cannot add up past it either. */
const TOTAL_REPLY_BYTES = 96 * 1024 * 1024

export interface TrendQueryParams {
  signals: string[]
  from: number
  to: number
  points: number
}

export interface TrendLimits {
  maxReplyBytes?: number
  sessionReplyBytes?: number
  totalReplyBytes?: number
}

/**
 * `trends.query` with its work bounded before the store is asked: each distinct signal is read once (the reply
 * still has one series per requested signal, in the order asked), the size the reply will have is estimated from
 * signals × points, `points` is lowered when that is over `maxReplyBytes`, and a query is told `rpc.busy` instead of
 * being queued when its session's replies in progress and unsent would pass `sessionReplyBytes`, or all sessions'
 * replies in progress would pass `totalReplyBytes`.
 * Lowering `points` rather than refusing: the contract promises at most `points` and the min/max decimation keeps
 * spikes, so a coarser trend is still a true one; `points` in the reply says what was applied.
 */
export function createTrendQuery(history: HistoryReader, limits: TrendLimits = {}) {
  const maxReply = limits.maxReplyBytes ?? MAX_REPLY_BYTES
  const sessionBudget = limits.sessionReplyBytes ?? SESSION_REPLY_BYTES
  const totalBudget = limits.totalReplyBytes ?? TOTAL_REPLY_BYTES
  const reserved = new WeakMap<Session, number>()
  let total = 0

  return async function query(q: TrendQueryParams, session: Session): Promise<SeriesBatch> {
    const points = Math.max(2, Math.min(q.points, Math.floor(maxReply / (q.signals.length * BYTES_PER_POINT))))
    const estimate = q.signals.length * points * BYTES_PER_POINT
    const held = reserved.get(session) ?? 0
    const unsent = session.unsent()
    if (held + unsent + estimate > sessionBudget) {
      throw new AppError('rpc.busy', `about ${mb(held + unsent)} MB of trend replies for this session are in progress or unsent; retry when they are taken`)
    }
    if (total + estimate > totalBudget) {
      throw new AppError('rpc.busy', `about ${mb(total)} MB of trend replies are in progress for all clients; retry in a moment`)
    }
    reserved.set(session, held + estimate)
    total += estimate
    try {
      const unique = [...new Set(q.signals)]
      const got = await Promise.all(unique.map((id) => history.query(id, q.from, q.to, points)))
      const byId = new Map(unique.map((id, i) => [id, got[i]!]))
      return { series: q.signals.map((id) => byId.get(id)!), points }
    } finally {
      // The RPC server sends the reply in the continuation right after this; from then on `unsent()` counts it.
      reserved.set(session, (reserved.get(session) ?? estimate) - estimate)
      total -= estimate
    }
  }
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)
