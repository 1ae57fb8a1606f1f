import type { AssetAttribute, AttributeBinding } from '../../shared/contract/asset-model'
import type { EventPayload } from '../../shared/contract'
import type { AssetStore } from '../ports/asset-store'
import type { Session } from '../../shared/rpc/server'

/** A signal a connection gained at runtime, as an attribute of the model. */
export interface RuntimeAttribute {
  name: string
  dataType: AssetAttribute['dataType']
  unit?: string | undefined
  writable?: boolean | undefined
  binding: AttributeBinding
}

/**
 * What the protocols' API handlers tell the asset model when an engineer adds signals while running ("add this
 * subtree" in the OPC UA browser, a mapping in the MQTT topic browser): the signals become bound attributes of a
 * top-level folder asset per connection, kept in the application database, so their ids survive a restart.
 */
export interface RuntimeModel {
  /** Adds (or rebinds, by name) attributes of the folder asset `folder`, made when it does not exist; logged as `session`'s. */
  place(folder: string, attributes: readonly RuntimeAttribute[], session: Session): void
  /** Takes attributes off the folder asset `folder` by name. */
  remove(folder: string, names: readonly string[], session: Session): void
}

/** A name made fit to be one segment of a model path: no `/`, no surrounding spaces, at most 200 characters. */
export const modelSegment = (s: string): string => s.replace(/\//g, '∕').trim().slice(0, 200) || '?'

/** A RuntimeModel over the asset store; `changed` tells every window, like the `model.*` calls do. */
export function runtimeModel(store: AssetStore, changed: (e: EventPayload<'model.changed'>) => void, whoOf: (session: Session) => string): RuntimeModel {
  const last = () => store.changes({ limit: 1 })[0]?.id ?? 0
  const folderOf = (name: string) => store.byPath(name)
  return {
    place(folder, attributes, session) {
      const who = whoOf(session)
      if (attributes.length === 0) return
      const made: AssetAttribute[] = attributes.map((a) => ({
        name: a.name,
        dataType: a.dataType,
        ...(a.unit === undefined ? {} : { unit: a.unit }),
        ...(a.writable ? { writable: true } : {}),
        binding: a.binding,
      }))
      const existing = folderOf(folder)
      if (!existing) {
        const asset = store.create({ parent: null, name: folder, kind: 'folder', attributes: made }, who)
        changed({ change: last(), op: 'create', ids: [asset.id], all: false })
        return
      }
      const byName = new Map(existing.attributes.map((a) => [a.name, a]))
      for (const a of made) byName.set(a.name, a)
      store.update(existing.id, { attributes: [...byName.values()] }, who)
      changed({ change: last(), op: 'update', ids: [existing.id], all: false })
    },
    remove(folder, names, session) {
      const who = whoOf(session)
      const existing = folderOf(folder)
      if (!existing || names.length === 0) return
      const gone = new Set(names)
      const kept = existing.attributes.filter((a) => !gone.has(a.name))
      if (kept.length === existing.attributes.length) return
      store.update(existing.id, { attributes: kept }, who)
      changed({ change: last(), op: 'update', ids: [existing.id], all: false })
    },
  }
}
