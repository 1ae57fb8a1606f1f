import type { ConnectionKind } from '../../shared/model'
import { uiDriverOf } from '../drivers'

/** Sources that publish on a cadence; some report by exception (OPC UA: see ConditionContext.periodic). */
export const isPeriodic = (kind: ConnectionKind | undefined): boolean => !(uiDriverOf(kind)?.reportsByException ?? false)
