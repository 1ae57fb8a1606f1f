import type { PlantPersistence } from '../ports/plant-persistence'
import type { ErrorCode } from '../../shared/model'
import type { PlantEdit } from './plant-edits'

/** The `Saved` fields of an API result (see `src/shared/contract/saved.ts`). */
export interface SavedFields {
  persisted: boolean
  savedTo?: 'config' | 'overlay'
  persistError?: { code: ErrorCode; message: string }
}

/** Saves a runtime edit that is already live; whatever happens on disk, the caller's change stands. */
export async function saveEdit(persistence: PlantPersistence | undefined, edit: PlantEdit): Promise<SavedFields> {
  if (!persistence) return { persisted: false, persistError: { code: 'config.unavailable', message: 'this host keeps no runtime edits: the change lasts until the next restart' } }
  try {
    const r = await persistence.save(edit)
    return r.persisted ? { persisted: true, savedTo: r.savedTo } : { persisted: false, persistError: r.error }
  } catch (e) {
    // the port promises not to throw; a broken adapter still must not fail a change that is already live
    return { persisted: false, persistError: { code: 'config.write_failed', message: (e as Error).message } }
  }
}
