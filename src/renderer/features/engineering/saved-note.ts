import type { ErrorShape } from '../../../shared/model'

/** What an engineer reads after a runtime edit: where it was saved, or why it lasts only until the next restart. */
export function savedNote(r: { persisted: boolean; savedTo?: 'config' | 'overlay' | undefined; persistError?: Pick<ErrorShape, 'code' | 'message'> | undefined }): string {
  if (r.persisted) return r.savedTo === 'config' ? 'Saved in the configuration file.' : 'Saved in the data folder (plant-edits.yaml).'
  return `Not saved (${r.persistError?.message ?? 'unknown reason'}): it lasts until Plantdeck restarts.`
}
