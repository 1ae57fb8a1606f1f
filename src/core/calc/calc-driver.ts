import type { CoreDriver } from '../ports/driver'
import { CALC, type CalcConnectionConfig } from './calc-config'

/** Calculated signals in the core: no API of their own; a connection's signals added at runtime would go under `<id> (calculated)`. */
export const calcDriver: CoreDriver<CalcConnectionConfig, Record<never, never>> = {
  kind: CALC,
  reportsByException: true,
  target: (c) => `${c.signals.length} expression${c.signals.length === 1 ? '' : 's'}`,
  runtimeFolder: (c) => ({ id: `${c.id}:calculated`, name: `${c.id} (calculated)`, attribute: (s) => s.name }),
  handlers: () => ({}),
}
