import type { PlantEdit } from '../config/plant-edits'
import type { ErrorCode } from '../../shared/model'

/** Where an edit went: the configuration file the connection is defined in, or the overlay in the data dir. */
export type SaveResult =
  | { persisted: true; savedTo: 'config' | 'overlay'; file: string }
  | { persisted: false; error: { code: ErrorCode; message: string } }

/**
 * Keeps runtime edits of the plant (MQTT mappings, OPC UA signals) across restarts. `save` never throws:
 * a failed write (read-only file, full disk) is a result, and the running change stays as it is.
 * Saves are applied in call order.
 */
export interface PlantPersistence {
  save(edit: PlantEdit): Promise<SaveResult>
}
