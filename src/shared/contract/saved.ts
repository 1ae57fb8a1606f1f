import { z } from 'zod'
import { ErrorCode } from '../model'

/**
 * How a runtime edit of the plant was kept. Added to the results of `mqtt.mappings.add/update/remove` and
 * `opcua.add/remove`. The running change applies either way; `persisted: false` means it lasts until the next restart.
 */
export const Saved = {
  /**
   * True once the change is on disk: in the configuration file when the connection is defined there
   * (YAML comments and order kept), otherwise in `<dataDir>/plant-edits.yaml`, applied at start.
   */
  persisted: z.boolean(),
  /** Where it was written, when `persisted`. */
  savedTo: z.enum(['config', 'overlay']).optional(),
  /**
   * Why it was not, when not `persisted`: `config.read_only` (the file has no write permission), `config.write_failed`
   * (disk full, no access...), `config.parse` / `config.invalid` (the file no longer loads as it is), `config.edit_invalid`
   * (the result would not load), `config.unavailable` (this host keeps no edits).
   */
  persistError: z.object({ code: ErrorCode, message: z.string() }).optional(),
}
