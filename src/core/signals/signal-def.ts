import type { SignalInfo } from '../../shared/model'
import type { SignalDef } from '../ports/sample-store'

/** What the local history keeps of a signal. */
export const toSignalDef = (s: SignalInfo): SignalDef => ({ id: s.id, name: s.name, dataType: s.dataType, connection: s.connection, ...(s.unit ? { unit: s.unit } : {}) })
