import type { AssetAttribute, EventPayload } from '../../shared/contract'
import { assetModel } from '../../shared/contract/asset-model'
import type { HandlerMap, Session } from '../../shared/rpc/server'
import { AppError } from '../../shared/model/errors'
import type { AssetFiles, AssetStore } from '../ports/asset-store'
import { type BindingSchemas, checkBindings as checkBindingsOnly } from './bindings'
import { checkAlarms } from './alarm-check'
import { checkCommands } from '../commands/command-check'
import type { CommandKinds } from '../ports/driver'
import { exportModel, importModel } from './bulk'
import { patternNames } from './binding-pattern'
import { planInstances, planTemplateChange, requireTemplate } from './template-handlers'
import { toCsv } from './csv'
import type { LiveLink } from './live-link'

export type ModelHandlers = HandlerMap<typeof assetModel>

export interface ModelDeps {
  store: AssetStore
  bindings: BindingSchemas
  /** Configured connections, so a binding names one that exists. */
  connections: () => readonly { id: string; kind: string }[]
  /** "who" in the change log: the session's logged-in user. */
  who: (session: Session) => string
  changed: (e: EventPayload<'model.changed'>) => void
  /** The live link (model.live, model.bind); absent: those answer model.unavailable. */
  live?: LiveLink
  /** Backup and restore of the application database; absent: those calls answer model.unavailable. */
  files?: AssetFiles | undefined
  /** Each protocol's commands by connection kind, so command definitions are checked on save (absent: only setpoint/state kinds are known). */
  commandKinds?: ReadonlyMap<string, CommandKinds>
}

const NO_COMMANDS: ReadonlyMap<string, CommandKinds> = new Map()

/** Bindings, alarm and command definitions: every path that saves attributes checks all three. */
function checkBindings(attributes: readonly AssetAttribute[], schemas: BindingSchemas, connections: readonly { id: string; kind: string }[], where = 'attributes', commands = NO_COMMANDS): void {
  checkBindingsOnly(attributes, schemas, connections, where)
  checkAlarms(attributes, where)
  checkCommands(attributes, commands, where)
}

const EVENT_IDS = 100
const LIST_CAP = 1000

/** `model.*`: the asset model's API over its store. Structural refusals come from the store; bindings are checked here. */
export function createModelHandlers(d: ModelDeps): ModelHandlers {
  const { store } = d
  const bound = (attributes: readonly AssetAttribute[] | undefined) => attributes && checkBindings(attributes, d.bindings, d.connections(), 'attributes', d.commandKinds)
  const tell = (change: number, op: EventPayload<'model.changed'>['op'], ids: string[]) =>
    d.changed({ change, op, ids: ids.slice(0, EVENT_IDS), all: ids.length > EVENT_IDS })
  const last = () => store.changes({ limit: 1 })[0]!.id
  const known = (id: string) => {
    const a = store.get(id)
    if (!a) throw new AppError('model.unknown', `no asset with id "${id}"`, { id })
    return a
  }
  const ref = (a: { id: string; path: string }) => ({ id: a.id, path: a.path })
  const check = (attrs: readonly AssetAttribute[], where: string) => checkBindings(attrs, d.bindings, d.connections(), where, d.commandKinds)

  const files = (): AssetFiles => {
    if (!d.files) throw new AppError('model.unavailable', 'this host cannot back up or restore its application database')
    return d.files
  }
  const link = () => {
    if (!d.live) throw new AppError('model.unavailable', 'this host has no live link for the asset model')
    return d.live
  }
  return {
    'model.live': ({ ids }) => ({ assets: link().resolve(ids) }),
    'model.bind': async (p, { session }) => {
      const r = await link().bind(p, d.who(session))
      if (r.change !== null) tell(r.change, 'update', [r.asset.id])
      return r
    },
    'model.children': ({ parent, cursor, limit }) => store.children(parent, { cursor, limit: limit ?? 200 }),
    'model.get': ({ id }) => known(id),
    'model.create': (p, { session }) => {
      bound(p.attributes)
      const a = store.create(p, d.who(session))
      tell(last(), 'create', [a.id, ...(a.parent ? [a.parent] : [])])
      return a
    },
    'model.update': ({ id, ...patch }, { session }) => {
      bound(patch.attributes)
      const a = store.update(id, patch, d.who(session))
      tell(last(), 'update', [a.id])
      return a
    },
    'model.move': ({ id, parent }, { session }) => {
      const from = known(id).parent
      const a = store.move(id, parent, d.who(session))
      tell(last(), 'move', [a.id, ...(from ? [from] : []), ...(parent ? [parent] : [])])
      return a
    },
    'model.delete': ({ id, confirm }, { session }) => {
      const gone = store.subtree(known(id).id)
      const linked = store.referrers(gone.map((a) => a.id))
      const answer = { assets: gone.slice(0, LIST_CAP).map(ref), assetCount: gone.length, unlinked: linked.slice(0, LIST_CAP).map(ref), unlinkedCount: linked.length }
      if (confirm !== true) return { deleted: false, ...answer, change: null }
      const { change } = store.delete(id, d.who(session))
      tell(change, 'delete', [...gone, ...linked].map((a) => a.id))
      return { deleted: true, ...answer, change }
    },
    'model.search': ({ query, limit }) => ({ items: store.search(query, limit ?? 50) }),
    'model.resolve': ({ path }) => {
      const asset = store.byPath(path)
      if (asset) return { asset, attribute: null }
      const cut = path.lastIndexOf('/')
      const owner = cut > 0 ? store.byPath(path.slice(0, cut)) : undefined
      const attribute = owner?.attributes.find((a) => a.name === path.slice(cut + 1))
      if (!owner || !attribute) throw new AppError('model.unknown', `no asset or attribute at "${path}"`, { path })
      return { asset: owner, attribute }
    },
    'model.changes': ({ before, limit }) => ({ items: store.changes({ before, limit: limit ?? 50 }) }),
    'model.undo': ({ count }, { session }) => {
      const r = store.undo(count ?? 1, d.who(session))
      if (r.change !== null) d.changed({ change: r.change, op: 'undo', ids: [], all: true })
      return r
    },
    'model.export': ({ root, format }) => {
      const doc = exportModel(store, root ?? null)
      if (format !== 'csv') return doc
      return { format: 'csv' as const, ...toCsv(doc, (id) => store.get(id)?.path) }
    },
    'model.import': (p, { session }) => {
      const report = importModel(store, p, {
        who: d.who(session),
        checkBindings: (attrs, where) => checkBindings(attrs, d.bindings, d.connections(), where, d.commandKinds),
        progress: (e) => session.emit('model.importProgress', e),
      })
      if (report.change !== null) d.changed({ change: report.change, op: 'import', ids: [], all: true })
      return report
    },
    'model.backup': async () => files().backup(),
    'model.backups': () => ({ items: files().list() }),
    'model.restore': async ({ name }) => {
      const r = await files().restore(name)
      // the change log came back with the file: the newest entry in it is the change everyone now sees
      d.changed({ change: store.changes({ limit: 1 })[0]?.id ?? 0, op: 'restore', ids: [], all: true })
      return r
    },
    // --- templates ---
    'model.templates.list': () => ({ items: store.templates() }),
    'model.templates.get': ({ id }) => requireTemplate(store, id),
    'model.templates.create': (p, { session }) => {
      patterns(p.attributes, d.commandKinds)
      const t = store.createTemplate(p, d.who(session))
      tell(last(), 'template.create', [])
      return t
    },
    'model.templates.update': ({ id, ...patch }, { session }) => {
      if (patch.attributes) patterns(patch.attributes, d.commandKinds)
      const t = store.updateTemplate(id, patch, d.who(session))
      tell(last(), 'template.update', [])
      return t
    },
    'model.templates.delete': ({ id, confirm, detach }, { session }) => {
      requireTemplate(store, id)
      const inst = store.instancesOf(id)
      const answer = { instances: inst.slice(0, LIST_CAP).map(ref), instanceCount: inst.length }
      if (confirm !== true) return { deleted: false, ...answer, change: null }
      const { change } = store.deleteTemplate(id, detach === true, d.who(session))
      tell(change, 'template.delete', inst.map((a) => a.id))
      return { deleted: true, ...answer, change }
    },
    'model.instantiate': (p, { session }) => {
      const put = planInstances(store, p, check)
      const t = store.template(p.template)!
      const { change } = store.apply({ put, remove: [] }, d.who(session), `instantiate ${t.name} for ${put.length} assets`, 'instantiate')
      tell(change, 'instantiate', [...(p.parent ? [p.parent] : []), ...put.map((s) => s.id)])
      return { assets: put.map((s) => store.get(s.id)!), change }
    },
    'model.templates.preview': (c) => {
      if (c.attributes) patterns(c.attributes, d.commandKinds)
      const plan = planTemplateChange(store, c, check)
      return { instances: plan.instances.slice(0, LIST_CAP), instanceCount: plan.instances.length }
    },
    'model.templates.apply': (c, { session }) => {
      if (c.attributes) patterns(c.attributes, d.commandKinds)
      const plan = planTemplateChange(store, c, check)
      const summary = `apply template ${plan.template.name} to ${plan.put.length} instances`
      const { change } = store.apply({ templates: [plan.template], put: plan.put, remove: [] }, d.who(session), summary, 'template.apply')
      tell(change, 'template.apply', plan.put.map((s) => s.id))
      return { template: plan.template, instances: plan.instances.slice(0, LIST_CAP), change }
    },
  }
}

/** A template's binding strings are patterns: their braces are checked when it is saved, their values per instance. */
function patterns(attributes: readonly AssetAttribute[], commands = NO_COMMANDS): void {
  checkAlarms(attributes)
  checkCommands(attributes, commands)
  for (const a of attributes) {
    if (!a.binding || a.binding.kind === 'constant' || a.binding.kind === 'calculated') continue
    for (const v of Object.values(a.binding)) if (typeof v === 'string') patternNames(v)
  }
}

/** Without an application database every `model.*` call answers `model.unavailable`. */
export function unavailableModelHandlers(): ModelHandlers {
  const no = () => {
    throw new AppError('model.unavailable', 'this host keeps no asset model (no application database)')
  }
  return Object.fromEntries(Object.keys(assetModel).map((k) => [k, no])) as unknown as ModelHandlers
}
