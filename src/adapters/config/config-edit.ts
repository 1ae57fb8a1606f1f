import { isDeepStrictEqual } from 'node:util'
import { Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml'
import { SIGNAL_DEFAULTS, signalForFile, type PlantEdit } from '../../core/config/plant-edits'
import { AppError } from '../../shared/model/errors'

export interface EditedText {
  text: string
  /** False when the file already said what the edit says: nothing needs to be written. */
  changed: boolean
  /** What `text` reads as (checked, not assumed, where the text was spliced): validate this before writing. */
  value?: unknown
}

type Plain = Record<string, unknown>

/**
 * Applies a runtime edit to the signals of one connection in the text of a configuration file.
 * YAML goes through the `yaml` Document API, so comments, key order, quoting and flow/block style of
 * everything not edited stay as they were; a changed field keeps its place. JSON is rewritten formatted
 * with the file's own indentation. Throws `config.parse` for a file that does not parse and
 * `config.edit_invalid` when the connection is not in it.
 */
export function editConfigText(file: string, text: string, json: boolean, edit: PlantEdit): EditedText {
  return json ? editJson(file, text, edit) : editYaml(file, text, edit)
}

function editYaml(file: string, text: string, edit: PlantEdit): EditedText {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) throw new AppError('config.parse', `${file}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`)
  const conns = doc.get('connections', true)
  const conn = isSeq(conns) ? conns.items.find((n): n is YAMLMap => isMap(n) && n.get('id') === edit.connection) : undefined
  if (!conn) throw notInFile(file, edit.connection)
  const signals = conn.get('signals', true)
  if (signals !== undefined && signals !== null && !isSeq(signals)) throw new AppError('config.edit_invalid', `${file}: connections.${edit.connection}.signals is not a list`)
  // the precise edit touches only the lines of the signals it changes; the document edit is the reference it must agree with
  const spliced = isSeq(signals) && !signals.flow && signals.items.length > 0 ? spliceYaml(doc, text, signals, edit) : undefined
  if (!editYamlDocument(doc, conn, edit)) return { text, changed: false }
  const value: unknown = doc.toJS()
  if (spliced !== undefined && spliced !== text) {
    const a = parseDocument(spliced)
    if (a.errors.length === 0 && isDeepStrictEqual(a.toJS(), value)) return { text: spliced, changed: true, value }
  }
  return { text: doc.toString({ lineWidth: 0 }), changed: true, value }
}

/** The edit on the document tree (comments and key order kept; the whole file is printed again by the caller). */
function editYamlDocument(doc: Document, conn: YAMLMap, edit: PlantEdit): boolean {
  let signals = conn.get('signals', true)
  if (signals === undefined || signals === null) {
    if (!edit.upsert?.length) return false
    conn.set('signals', doc.createNode([]))
    signals = conn.get('signals', true)
  }
  const seq = signals as unknown as YAMLSeq
  let changed = false
  const doomed = new Set(edit.remove ?? [])
  if (doomed.size > 0) {
    const kept = seq.items.filter((n) => !(isMap(n) && doomed.has(n.get('id') as string)))
    changed = kept.length !== seq.items.length
    seq.items = kept
  }
  const index = idIndex(seq.items)
  for (const s of edit.upsert ?? []) {
    const wanted = signalForFile(s)
    const i = index.get(s.id) ?? -1
    if (i >= 0) {
      changed = updateYamlMap(doc, seq.items[i] as YAMLMap, wanted) || changed
      continue
    }
    const node = doc.createNode(wanted) as YAMLMap
    // a list written as one flow map per line gets one more of the same
    const last = seq.items.at(-1)
    if (isMap(last) && last.flow) node.flow = true
    index.set(s.id, seq.items.push(node) - 1)
    changed = true
  }
  return changed
}

/** Position of each signal in a list by id (a big list and a big subtree must not cost their product). */
function idIndex(items: unknown[]): Map<string, number> {
  const index = new Map<string, number>()
  items.forEach((n, i) => {
    const id = isMap(n) ? n.get('id') : undefined
    if (typeof id === 'string' && !index.has(id)) index.set(id, i)
  })
  return index
}

function updateYamlMap(doc: Document, map: YAMLMap, wanted: Plain): boolean {
  const have = map.toJS(doc) as Plain
  let changed = false
  for (const [k, v] of Object.entries(wanted)) {
    if (isDeepStrictEqual(have[k], v)) continue
    if (!(k in have) && SIGNAL_DEFAULTS[k] === v) continue
    // a scalar keeps its node (comment, quoting); a list or map is replaced
    map.set(k, typeof v === 'object' && v !== null ? doc.createNode(v) : v)
    changed = true
  }
  for (const k of Object.keys(have)) {
    if (k in wanted || SIGNAL_DEFAULTS[k] === have[k]) continue
    map.delete(k)
    changed = true
  }
  return changed
}

type Splice = { at: number; end: number; text: string }

/**
 * The edit as text splices on a block list of signals: a removed signal's lines go, a changed one is printed again
 * in its place (its own comments kept), a new one is appended after the last in the same style. Every other byte
 * of the file stays as it was. Undefined when the layout is not one this handles (the caller prints the document).
 */
function spliceYaml(doc: Document, text: string, seq: YAMLSeq, edit: PlantEdit): string | undefined {
  const items = seq.items as YAMLMap[]
  const lineStart = (at: number) => text.lastIndexOf('\n', at - 1) + 1
  /** The item's own extent: from its dash line to the end of its last value line (a comment on that line included). */
  const extent = (n: YAMLMap): { dash: number; col: number; end: number } | undefined => {
    const [start, valueEnd] = n.range ?? []
    if (start === undefined || valueEnd === undefined) return undefined
    const dash = lineStart(start)
    if (!/^ *- +$/.test(text.slice(dash, start))) return undefined
    const nl = text.indexOf('\n', valueEnd - 1)
    return { dash, col: text.indexOf('-', dash) - dash, end: nl < 0 ? text.length : nl + 1 }
  }
  const extents = items.map(extent)
  if (extents.some((e) => e === undefined)) return undefined
  const index = idIndex(items)
  const indexOf = (id: string) => index.get(id) ?? -1
  const print = (node: YAMLMap, col: number): string => {
    const out = new Document(node).toString({ lineWidth: 0 }).replace(/\n$/, '')
    return out.split('\n').map((l, i) => (i === 0 || l === '' ? l : ' '.repeat(col) + l)).join('\n')
  }
  const splices: Splice[] = []
  for (const id of edit.remove ?? []) {
    const i = indexOf(id)
    if (i < 0) continue
    // comment lines right above it, at its dash's indentation, describe it: they go with it
    let at = extents[i]!.dash
    const floor = i > 0 ? extents[i - 1]!.end : 0
    for (;;) {
      const prev = text.lastIndexOf('\n', at - 2) + 1
      if (prev < floor || at === 0 || !new RegExp(`^ {${extents[i]!.col}}#[^\\n]*\\n$`).test(text.slice(prev, at))) break
      at = prev
    }
    splices.push({ at, end: extents[i]!.end, text: '' })
  }
  const last = extents.at(-1)!
  // comment lines indented deeper than the dash after the last item belong to it: new items go below them
  let after = last.end
  for (const m of text.slice(after).matchAll(/^( *)#[^\n]*(\n|$)/gmy)) {
    if (m[1]!.length <= last.col) break
    after += m[0].length
  }
  let appended = ''
  for (const s of edit.upsert ?? []) {
    const i = indexOf(s.id)
    if (i >= 0) {
      const node = (items[i]!).clone() as YAMLMap
      const wanted = signalForFile(s)
      if (!updateYamlMap(doc, node, wanted)) continue
      node.commentBefore = undefined
      node.comment = undefined
      const e = extents[i]!
      const [start] = items[i]!.range!
      splices.push({ at: start, end: e.end, text: `${print(node, start - lineStart(start))}\n` })
      continue
    }
    const node = doc.createNode(signalForFile(s)) as YAMLMap
    if (items.at(-1)?.flow) node.flow = true
    appended += `${' '.repeat(last.col)}- ${print(node, last.col + 2)}\n`
  }
  if (appended) splices.push({ at: after, end: after, text: (after > 0 && text[after - 1] !== '\n' ? '\n' : '') + appended })
  let out = text
  for (const sp of splices.sort((a, b) => b.at - a.at)) out = out.slice(0, sp.at) + sp.text + out.slice(sp.end)
  return out
}

function editJson(file: string, text: string, edit: PlantEdit): EditedText {
  let root: Plain
  try {
    root = JSON.parse(text) as Plain
  } catch (e) {
    throw new AppError('config.parse', `${file}: not valid JSON: ${(e as Error).message}`)
  }
  const conns = root?.connections
  const conn = Array.isArray(conns) ? (conns as Plain[]).find((c) => c?.id === edit.connection) : undefined
  if (!conn) throw notInFile(file, edit.connection)
  if (conn.signals === undefined) {
    if (!edit.upsert?.length) return { text, changed: false }
    conn.signals = []
  }
  if (!Array.isArray(conn.signals)) throw new AppError('config.edit_invalid', `${file}: connections.${edit.connection}.signals is not a list`)
  const signals = conn.signals as Plain[]
  let changed = false
  for (const id of edit.remove ?? []) {
    const i = signals.findIndex((s) => s?.id === id)
    if (i < 0) continue
    signals.splice(i, 1)
    changed = true
  }
  for (const s of edit.upsert ?? []) {
    const wanted = signalForFile(s)
    const have = signals.find((x) => x?.id === s.id)
    if (!have) {
      signals.push(wanted)
      changed = true
      continue
    }
    for (const [k, v] of Object.entries(wanted)) {
      if (isDeepStrictEqual(have[k], v) || (!(k in have) && SIGNAL_DEFAULTS[k] === v)) continue
      have[k] = v
      changed = true
    }
    for (const k of Object.keys(have)) {
      if (k in wanted || SIGNAL_DEFAULTS[k] === have[k]) continue
      delete have[k]
      changed = true
    }
  }
  if (!changed) return { text, changed }
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  '
  return { text: `${JSON.stringify(root, null, indent)}\n`, changed, value: root }
}

const notInFile = (file: string, connection: string) => new AppError('config.edit_invalid', `${file}: connection "${connection}" is not in this file any more`)
