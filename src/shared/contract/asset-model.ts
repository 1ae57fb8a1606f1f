import { z } from 'zod'
import { SampleValue, SignalId } from '../model/sample'
import { AlarmDef } from './alarms'
import { CommandDef } from './command-def'
import { method } from './define'

/**
 * The asset model (`model.*`): a tree of assets kept in the application database, read by the operator tree; the
 * configured `assets.tree` remains the signal catalog. See docs/assets.md.
 */

/** An asset or attribute name: one path segment (no `/`), no surrounding spaces. */
export const ModelName = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !s.includes('/') && s.trim() === s, { message: 'a name is one path segment: no "/", no leading or trailing spaces' })

/** Where an attribute's value comes from; each kind's fields are checked by its protocol's driver (or `constant`). */
export const AttributeBinding = z.looseObject({ kind: z.string().min(1).max(50) })
export type AttributeBinding = z.infer<typeof AttributeBinding>

export const Limits = z.object({ hihi: z.number(), hi: z.number(), lo: z.number(), lolo: z.number() }).partial().strict()

export const AssetAttribute = z
  .object({
    name: ModelName,
    dataType: z.enum(['number', 'boolean', 'string']),
    unit: z.string().max(50).optional(),
    range: z.object({ min: z.number(), max: z.number() }).strict().optional(),
    decimals: z.number().int().min(0).max(15).optional(),
    /** Value → label, e.g. { "0": "Stopped", "1": "Running" }. */
    enumeration: z.record(z.string(), z.string()).optional(),
    limits: Limits.optional(),
    expectedIntervalMs: z.number().int().positive().optional(),
    writable: z.boolean().optional(),
    binding: AttributeBinding.optional(),
    /** Alarm definitions on this attribute (see contract/alarms.ts); a template's reach every instance. */
    alarms: z.array(AlarmDef).max(50).optional(),
    /** Command definitions on this attribute (see contract/command-def.ts); a template's reach every instance. */
    commands: z.array(CommandDef).max(20).optional(),
  })
  .strict()
export type AssetAttribute = z.infer<typeof AssetAttribute>

const Id = z.string().min(1).max(100)
const Attributes = z.array(AssetAttribute).max(10_000)

export const Asset = z.object({
  id: Id,
  name: ModelName,
  description: z.string(),
  /** The user's level (site, area, line, unit, equipment...): free text, not a fixed list. */
  kind: z.string(),
  templateId: z.string().nullable(),
  /** Primary parent; null for a top-level asset. The path is the one under it. */
  parent: z.string().nullable(),
  /** Further parents the asset also shows under (an "all pumps" view), by id. */
  references: z.array(Id),
  attributes: Attributes,
  /** Names from the top, joined by `/`. */
  path: z.string(),
})
export type Asset = z.infer<typeof Asset>

export const AssetSummary = Asset.omit({ attributes: true, references: true }).extend({
  attributeCount: z.number().int(),
  hasChildren: z.boolean(),
  /** Shown here through a reference (this parent is not its primary one). */
  reference: z.boolean(),
})
export type AssetSummary = z.infer<typeof AssetSummary>

/**
 * A template ("Centrifugal pump"): attributes whose binding strings are patterns (`ns=2;s={asset}.Flow`), optionally
 * derived from `base` (its attributes first, this one's overriding by name). Instances are assets with its id.
 */
export const Template = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    description: z.string().max(2000),
    base: z.string().min(1).max(100).nullable(),
    attributes: z.array(AssetAttribute).max(10_000),
  })
  .strict()
export type Template = z.infer<typeof Template>

export const ChangeEntry = z.object({
  id: z.number().int(),
  at: z.number(),
  /** The session's user once identity exists; until then the host and session. */
  who: z.string(),
  op: z.enum(['create', 'update', 'move', 'delete', 'import', 'undo', 'template.create', 'template.update', 'template.delete', 'template.apply', 'instantiate']),
  summary: z.string(),
  /**
   * Each touched asset as it was (before) and became (after); absent on one side when created or deleted.
   * `model.changes` gives the first 100 of each side (an import may touch thousands); the counts are complete.
   */
  before: z.array(Asset),
  after: z.array(Asset),
  beforeCount: z.number().int(),
  afterCount: z.number().int(),
  undone: z.boolean(),
  /** Templates the change touched, as they were and became (absent when it touched none). */
  templates: z.object({ before: z.array(Template), after: z.array(Template) }).optional(),
})
export type ChangeEntry = z.infer<typeof ChangeEntry>

const Ref = z.object({ id: z.string(), path: z.string() })
const Editable = { name: ModelName, description: z.string().max(2000), kind: z.string().max(100), templateId: z.string().max(100).nullable(), references: z.array(Id).max(100), attributes: Attributes }

/** Version 2 carries templates; version 1 (no templates, template ids as plain strings) is still read. */
export const ExportDocument = z.object({
  format: z.literal('plantdeck.asset-model'),
  version: z.union([z.literal(1), z.literal(2)]),
  /** Version 2: the templates the assets use, with their bases (the whole model: every template). */
  templates: z.array(Template).optional(),
  /** The assets, each parent before its children. */
  assets: z.array(Asset.omit({ path: true })),
})
export type ExportDocument = z.infer<typeof ExportDocument>

/** `json` (default, full fidelity) or `csv` (one row per attribute, for spreadsheets; see core/assets-model/csv.ts). */
export const BulkFormat = z.enum(['json', 'csv'])
export const CsvExport = z.object({ format: z.literal('csv'), text: z.string(), rows: z.number().int() })

export const ImportMode = z.enum(['by-id', 'by-path', 'replace'])
export type ImportMode = z.infer<typeof ImportMode>
export const ImportReport = z.object({
  dryRun: z.boolean(),
  create: z.array(Ref),
  update: z.array(Ref),
  delete: z.array(Ref),
  /** Templates created and updated (by id; an import deletes no template). */
  templates: z.object({ create: z.array(z.string()), update: z.array(z.string()) }).optional(),
  change: z.number().int().nullable(),
})
export type ImportReport = z.infer<typeof ImportReport>

// --- the live link (model.live, model.bind); see docs/assets.md ---
/**
 * How one attribute reaches a value now: `live` (its binding's source is collected: `signal` carries its values),
 * `not_collected` (bound, but its connection does not deliver that source: an unknown connection, a node the
 * server refused), `calculated` (an expression over the asset's other attributes, evaluated in the core and stored
 * as `signal`), `constant` (`value`), `unbound`, `bad_expression` (it does not evaluate: `reason` says why).
 */
export const LiveAttribute = z.object({
  name: z.string(),
  signal: SignalId.nullable(),
  state: z.enum(['live', 'not_collected', 'calculated', 'constant', 'unbound', 'bad_expression']),
  value: SampleValue.optional(),
  reason: z.string().optional(),
})
export type LiveAttribute = z.infer<typeof LiveAttribute>
const BindFailure = z.object({ source: z.string(), reason: z.string() })
const liveMethods = {
  /** Each asset's attributes as the core resolves them now (see LiveAttribute); an unknown id is left out of `assets`. */
  'model.live': method(z.object({ ids: z.array(Id).min(1).max(500) }).strict(), z.object({ assets: z.record(z.string(), z.array(LiveAttribute)) }), 'viewer'),
  /**
   * Binds a source picked in a protocol browser to an asset: an OPC UA variable (or every variable under an object,
   * up to `max`), an MQTT topic (with an optional JSON `path` or Sparkplug `metric`). The connection starts collecting
   * what it does not yet; each source becomes a bound attribute of the asset (named by its browse name or the topic's
   * last level; a bound attribute of that name is rebound). One change in the log. `name` names a single source's attribute.
   */
  'model.bind': method(
    z.object({ asset: Id, source: AttributeBinding, name: ModelName.optional(), max: z.number().int().min(1).max(5000).optional() }).strict(),
    z.object({ asset: Asset, attributes: z.array(z.string()), collected: z.number().int(), failed: z.array(BindFailure), truncated: z.boolean(), change: z.number().int().nullable() }),
    'engineer',
  ),
} as const

// --- templates (model.templates.*, model.instantiate); see docs/assets.md ---
const TemplateInput = { name: Template.shape.name, description: Template.shape.description.optional(), base: Template.shape.base.optional(), attributes: Template.shape.attributes }
const TemplateChange = z.object({ id: Id, ...TemplateInput }).partial().required({ id: true }).strict()
const InstanceChange = z.object({ assetId: z.string(), path: z.string(), added: z.array(z.string()), removed: z.array(z.string()), changed: z.record(z.string(), z.array(z.string())) })
const templateMethods = {
  'model.templates.list': method(z.object({}).strict(), z.object({ items: z.array(Template.extend({ instanceCount: z.number().int() })) }), 'viewer'),
  'model.templates.get': method(z.object({ id: Id }).strict(), Template, 'viewer'),
  /** `id` optional (a readable one such as "centrifugal-pump" is what search finds); a missing base or a cycle is model.bad_template. */
  'model.templates.create': method(z.object({ id: Id.optional(), ...TemplateInput }).strict(), Template, 'engineer'),
  /** Changes the template only; its instances keep their attributes until model.templates.apply. */
  'model.templates.update': method(TemplateChange, Template, 'engineer'),
  /** Without `confirm` answers its instances; with instances it deletes only with `detach: true` (they keep their attributes, lose the template). */
  'model.templates.delete': method(
    z.object({ id: Id, confirm: z.boolean().optional(), detach: z.boolean().optional() }).strict(),
    z.object({ deleted: z.boolean(), instances: z.array(Ref), instanceCount: z.number().int(), change: z.number().int().nullable() }),
    'engineer',
  ),
  /** One asset per name under `parent`, in one transaction; binding patterns filled from each new asset's lineage. */
  'model.instantiate': method(
    z.object({ template: Id, parent: Id.nullable(), names: z.array(ModelName).min(1).max(1000), kind: Editable.kind.optional() }).strict(),
    z.object({ assets: z.array(Asset), change: z.number().int() }),
    'engineer',
  ),
  /** What a template change would do to its instances (and those of templates deriving from it); changes nothing. */
  'model.templates.preview': method(TemplateChange, z.object({ instances: z.array(InstanceChange), instanceCount: z.number().int() }), 'engineer'),
  /** The change, to the template and all its instances, in one transaction. */
  'model.templates.apply': method(TemplateChange, z.object({ template: Template, instances: z.array(InstanceChange), change: z.number().int() }), 'engineer'),
} as const

export const assetModel = {
  /** Children of `parent` (null: the top level), by name, a page at a time; `next` continues. */
  'model.children': method(
    z.object({ parent: Id.nullable(), cursor: z.string().max(400).optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
    z.object({ items: z.array(AssetSummary), next: z.string().nullable() }),
    'viewer',
  ),
  'model.get': method(z.object({ id: Id }).strict(), Asset, 'viewer'),
  'model.create': method(
    z.object({ parent: Id.nullable(), ...Editable, description: Editable.description.optional(), templateId: Editable.templateId.optional(), references: Editable.references.optional(), attributes: Attributes.optional() }).strict(),
    Asset,
    'engineer',
  ),
  'model.update': method(z.object({ id: Id, ...Editable }).partial().required({ id: true }).strict(), Asset, 'engineer'),
  /** Refuses a move under the asset itself or one of its descendants (`model.cycle`). */
  'model.move': method(z.object({ id: Id, parent: Id.nullable() }).strict(), Asset, 'engineer'),
  /** Without `confirm: true` it deletes nothing and answers what it would delete and unlink. */
  'model.delete': method(
    z.object({ id: Id, confirm: z.boolean().optional() }).strict(),
    z.object({
      deleted: z.boolean(),
      /** The asset and its descendants (the first 1,000; `assetCount` counts all). */
      assets: z.array(Ref),
      assetCount: z.number().int(),
      /** Assets elsewhere that lose a reference to one of them (the first 1,000). */
      unlinked: z.array(Ref),
      unlinkedCount: z.number().int(),
      change: z.number().int().nullable(),
    }),
    'engineer',
  ),
  /** Full-text search over name, path, attribute names, units and template (prefix match per word). */
  'model.search': method(z.object({ query: z.string().min(1).max(200), limit: z.number().int().min(1).max(500).optional() }).strict(), z.object({ items: z.array(AssetSummary) }), 'viewer'),
  /** A path to its asset and attributes; a path ending in an attribute name also gives that attribute. */
  'model.resolve': method(z.object({ path: z.string().min(1).max(4000) }).strict(), z.object({ asset: Asset, attribute: AssetAttribute.nullable() }), 'viewer'),
  /** The change log, newest first. */
  'model.changes': method(z.object({ before: z.number().int().optional(), limit: z.number().int().min(1).max(200).optional() }).strict(), z.object({ items: z.array(ChangeEntry) }), 'viewer'),
  /** Reverts the last `count` changes not yet undone (newest first); the undo is itself a change. */
  'model.undo': method(z.object({ count: z.number().int().min(1).max(100).optional() }).strict(), z.object({ undone: z.array(z.number().int()), change: z.number().int().nullable() }), 'engineer'),
  /** The whole model, or the subtree under `root`, as versioned JSON, or (`format: 'csv'`) as CSV text, one row per attribute. */
  'model.export': method(z.object({ root: Id.optional(), format: BulkFormat.optional() }).strict(), z.union([ExportDocument, CsvExport]), 'engineer'),
  /** A document from model.export (JSON or CSV), as text; one transaction; `dryRun` lists what would change and changes nothing. */
  'model.import': method(
    z.object({ text: z.string().max(16 * 1024 * 1024), format: BulkFormat.optional(), mode: ImportMode, dryRun: z.boolean().optional(), under: Id.optional() }).strict(),
    ImportReport,
    'engineer',
  ),
  // --- bulk: backup (assets-bulk) ---
  /** An online copy of the application database (SQLite's backup API) to `<dataDir>/backups/app-<time>.db`. */
  'model.backup': method(z.object({}).strict(), z.object({ file: z.string(), bytes: z.number().int() }), 'engineer'),
  /** The backups in `<dataDir>/backups/`, newest first. */
  'model.backups': method(z.object({}).strict(), z.object({ items: z.array(z.object({ name: z.string(), bytes: z.number().int(), at: z.number() })) }), 'engineer'),
  /**
   * Replaces the whole model (assets, templates, change log) with a backup from `model.backups`, by name, while
   * running: the current file is kept as `app.db.bak`, an older backup is upgraded by the migrations it lacks, and
   * every window is told (`model.changed` with `op: 'restore'`). Refused (`model.bad_backup`) for a name that is
   * not a backup there or a file that is no application database, damaged or newer; then nothing changes.
   */
  'model.restore': method(z.object({ name: z.string().min(1).max(200) }).strict(), z.object({ restored: z.string(), previous: z.string().nullable(), from: z.number().int(), to: z.number().int() }), 'admin'),
  ...templateMethods,
  ...liveMethods,
} as const

export const assetModelEvents = {
  /** The model changed (any window refreshes what it shows of `ids`; `ids` is capped, `all` says so). */
  'model.changed': z.object({ change: z.number().int(), op: z.union([ChangeEntry.shape.op, z.literal('restore')]), ids: z.array(z.string()), all: z.boolean() }),
  /** To the session importing: assets planned or written so far, of `total` (at most ~5 a second; the last has done = total). */
  'model.importProgress': z.object({ phase: z.enum(['check', 'write']), done: z.number().int(), total: z.number().int() }),
} as const
