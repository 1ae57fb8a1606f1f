import {
  AttributeIds,
  BrowseDirection,
  coerceNodeId,
  NodeClass,
  ObjectIds,
  ReferenceTypeIds,
  resolveNodeId,
  type BrowseDescriptionLike,
  type BrowseResult,
  type ClientSession,
  type NodeId,
  type ReferenceDescription,
} from 'node-opcua'
import type { OpcuaSignalConfig } from '../../core/opcua/opcua-config'
import type { BrowseChild, BrowsePage, SearchMatch } from '../../shared/contract/opcua'
import { AppError } from '../../shared/model'
import type { ServerLimits } from './monitoring'

/** Parse text into a NodeId or answer `opcua.bad_node_id`. */
export function parseNodeId(text: string): NodeId {
  try {
    return coerceNodeId(text)
  } catch (e) {
    throw new AppError('opcua.bad_node_id', `"${text.slice(0, 80)}" is not a valid NodeId: ${(e as Error).message.slice(0, 120)}`)
  }
}

const nodeClassName = (c: NodeClass): BrowseChild['nodeClass'] => (NodeClass[c] as BrowseChild['nodeClass'] | undefined) ?? 'Unspecified'

/**
 * What each reference description carries (OPC UA ResultMask bits). The server builds a description for every
 * child of the node, even for a page of 200, so each bit left out is paid 10,000 times less on a large folder:
 * a tree page needs class and names; the subtree walk also needs the reference type (to skip properties).
 * The type definition (a further lookup per child on the server) is shown with a node's attributes instead.
 */
const RESULT_PAGE = 0x04 | 0x08 | 0x10 // NodeClass, BrowseName, DisplayName
const RESULT_WALK = RESULT_PAGE | 0x01 // + ReferenceType

const forward = (nodeId: NodeId, resultMask: number): BrowseDescriptionLike => ({
  nodeId,
  browseDirection: BrowseDirection.Forward,
  referenceTypeId: resolveNodeId('HierarchicalReferences'),
  includeSubtypes: true,
  nodeClassMask: 0,
  resultMask,
})

function child(r: ReferenceDescription): BrowseChild {
  const c: BrowseChild = {
    nodeId: r.nodeId.toString(),
    browseName: r.browseName.toString(),
    displayName: r.displayName.text ?? r.browseName.name ?? '',
    nodeClass: nodeClassName(r.nodeClass),
  }
  if (r.typeDefinition && !r.typeDefinition.isEmpty()) c.typeDefinition = r.typeDefinition.toString()
  return c
}

function check(result: BrowseResult, nodeId: string) {
  if (result.statusCode.isGood()) return
  const code = result.statusCode.name === 'BadNodeIdUnknown' || result.statusCode.name === 'BadNodeIdInvalid' ? 'opcua.bad_node_id' : 'opcua.service_failed'
  throw new AppError(code, `browse ${nodeId}: ${result.statusCode.name}`)
}

/** One page of children. The session's page size is set right before the call, which builds its request synchronously. */
export async function browsePage(session: ClientSession, nodeId: string | undefined, continuationPoint: string | undefined, max: number): Promise<BrowsePage> {
  const id = nodeId ? parseNodeId(nodeId) : resolveNodeId(ObjectIds.ObjectsFolder)
  let result: BrowseResult
  if (continuationPoint) {
    result = await session.browseNext(Buffer.from(continuationPoint, 'base64'), false)
    if (result.statusCode.name === 'BadContinuationPointInvalid') {
      throw new AppError('opcua.service_failed', 'this page is no longer available (the server dropped it); browse the node again')
    }
  } else {
    session.requestedMaxReferencesPerNode = max
    result = await session.browse(forward(id, RESULT_PAGE))
  }
  check(result, id.toString())
  const page: BrowsePage = { nodeId: id.toString(), children: (result.references ?? []).map(child) }
  if (result.continuationPoint && result.continuationPoint.length > 0) page.continuationPoint = result.continuationPoint.toString('base64')
  return page
}

/**
 * The continuation points this client holds open on one session, oldest first. Servers keep few per session (a
 * Siemens S7-1500 allows 10) and each stays taken until its last page is read or it is released, so a browser that
 * opens large folders and never pages to their end would soon get BadNoContinuationPoints. Then the oldest half of
 * the points held is released and the page asked again (then all of them, if that was not enough). A "more" of a
 * released point answers that the page is no longer available, and the node is browsed afresh. Points are not
 * released earlier: another window may still be paging through the same folder on the same session.
 */
export class BrowseCursors {
  private readonly open = new Set<string>()
  private session: ClientSession | undefined

  async page(session: ClientSession, nodeId: string | undefined, continuationPoint: string | undefined, max: number): Promise<BrowsePage> {
    if (session !== this.session) {
      // points belong to a session: after a reconnect the old ones are gone with it
      this.session = session
      this.open.clear()
    }
    // a next page replaces its point (the server drops the old one, whatever the answer)
    if (continuationPoint) this.open.delete(continuationPoint)
    let page: BrowsePage | undefined
    for (let attempt = 0; page === undefined; attempt++) {
      try {
        page = await browsePage(session, nodeId, continuationPoint, max)
      } catch (e) {
        if (!(e instanceof AppError && /BadNoContinuationPoints/.test(e.message)) || this.open.size === 0 || attempt >= 2) throw e
        const held = [...this.open]
        const drop = attempt === 0 ? held.slice(0, Math.ceil(held.length / 2)) : held
        for (const cp of drop) this.open.delete(cp)
        await release(session, drop.map((cp) => Buffer.from(cp, 'base64')))
      }
    }
    if (page.continuationPoint) this.open.add(page.continuationPoint)
    return page
  }
}

/** Best effort: a point the server already dropped is no error here. */
async function release(session: ClientSession, points: Buffer[]): Promise<void> {
  try {
    await session.browseNext(points, true)
  } catch {
    // the session may be gone; its points went with it
  }
}

/** All forward hierarchical references of many nodes, in batches the server accepts, following continuation points. */
async function browseLevel(session: ClientSession, nodes: NodeId[], limits: ServerLimits): Promise<ReferenceDescription[][]> {
  const out: ReferenceDescription[][] = []
  session.requestedMaxReferencesPerNode = 0
  for (let i = 0; i < nodes.length; i += limits.maxNodesPerBrowse) {
    const batch = nodes.slice(i, i + limits.maxNodesPerBrowse)
    const results = await session.browse(batch.map((n) => forward(n, RESULT_WALK)))
    for (const r of results) {
      const refs = r.statusCode.isGood() ? [...(r.references ?? [])] : []
      let cp = r.statusCode.isGood() ? r.continuationPoint : null
      while (cp && cp.length > 0) {
        const next = await session.browseNext(cp, false)
        refs.push(...(next.references ?? []))
        cp = next.statusCode.isGood() ? next.continuationPoint : null
      }
      out.push(refs)
    }
  }
  return out
}

const isProperty = (r: ReferenceDescription) => r.referenceTypeId.namespace === 0 && r.referenceTypeId.value === ReferenceTypeIds.HasProperty

interface Visit {
  nodeId: NodeId
  path: string
}

/**
 * Breadth-first walk under `root` over hierarchical references; `visit` returns false to stop early.
 * Each level is one batched request per `maxNodesPerBrowse` nodes, so 10,000 nodes cost a handful of round trips.
 */
async function walk(session: ClientSession, root: NodeId, rootPath: string, limits: ServerLimits, visit: (r: ReferenceDescription, path: string) => boolean, maxVisited = 200_000): Promise<{ visited: number; complete: boolean }> {
  const seen = new Set<string>([root.toString()])
  let level: Visit[] = [{ nodeId: root, path: rootPath }]
  let visited = 0
  while (level.length > 0) {
    const refs = await browseLevel(session, level.map((v) => v.nodeId), limits)
    const next: Visit[] = []
    for (let i = 0; i < level.length; i++) {
      for (const r of refs[i] ?? []) {
        const key = r.nodeId.toString()
        if (seen.has(key)) continue
        seen.add(key)
        visited++
        const path = `${level[i]!.path}${level[i]!.path ? '.' : ''}${r.browseName.name ?? key}`
        if (!visit(r, path)) return { visited, complete: false }
        if (visited >= maxVisited) return { visited, complete: false }
        // Methods and properties have no children worth walking; variables may (complex variable types).
        if (r.nodeClass !== NodeClass.Method && !isProperty(r)) next.push({ nodeId: r.nodeId as NodeId, path })
      }
    }
    level = next
  }
  return { visited, complete: true }
}

export async function search(session: ClientSession, limits: ServerLimits, root: string | undefined, text: string, max: number): Promise<{ matches: SearchMatch[]; visited: number; truncated: boolean }> {
  const rootId = root ? parseNodeId(root) : resolveNodeId(ObjectIds.ObjectsFolder)
  const needle = text.toLowerCase()
  const matches: SearchMatch[] = []
  const { visited, complete } = await walk(session, rootId, '', limits, (r, path) => {
    if ((r.browseName.name ?? '').toLowerCase().includes(needle)) matches.push({ nodeId: r.nodeId.toString(), path, nodeClass: nodeClassName(r.nodeClass) })
    return matches.length < max
  })
  return { matches, visited, truncated: !complete }
}

const SIGNAL_PATH = /[^A-Za-z0-9_.:\-#[\]]/g

/** Variables (not properties) under `root`, as signal configs `<connection>/<RootName>.<path>` with type and writability read in batches. */
export async function variablesUnder(session: ClientSession, limits: ServerLimits, connection: string, root: string, max: number): Promise<{ signals: OpcuaSignalConfig[]; truncated: boolean }> {
  const rootId = parseNodeId(root)
  const [name] = await session.read([{ nodeId: rootId, attributeId: AttributeIds.BrowseName }])
  if (!name || !name.statusCode.isGood()) throw new AppError('opcua.bad_node_id', `${root}: ${name?.statusCode.name ?? 'no answer'}`)
  const rootName = (name.value.value as { name?: string }).name ?? 'root'
  const found: { nodeId: string; path: string; name: string }[] = []
  const { complete } = await walk(session, rootId, rootName, limits, (r, path) => {
    if (r.nodeClass === NodeClass.Variable && !isProperty(r)) found.push({ nodeId: r.nodeId.toString(), path, name: r.browseName.name ?? path })
    return found.length < max
  })
  const types = await readTypes(session, limits, found.map((f) => f.nodeId))
  const signals = found.map((f, i): OpcuaSignalConfig => ({
    id: `${connection}/${f.path.replace(SIGNAL_PATH, '_')}`.slice(0, 256),
    name: f.name.slice(0, 128),
    nodeId: f.nodeId,
    dataType: types[i]!.dataType,
    writable: types[i]!.writable,
  }))
  return { signals, truncated: !complete }
}

async function readTypes(session: ClientSession, limits: ServerLimits, nodeIds: string[]): Promise<{ dataType: OpcuaSignalConfig['dataType']; writable: boolean }[]> {
  const out: { dataType: OpcuaSignalConfig['dataType']; writable: boolean }[] = []
  const per = Math.max(1, Math.floor(limits.maxNodesPerRead / 2))
  for (let i = 0; i < nodeIds.length; i += per) {
    const batch = nodeIds.slice(i, i + per)
    const dvs = await session.read(batch.flatMap((nodeId) => [{ nodeId, attributeId: AttributeIds.DataType }, { nodeId, attributeId: AttributeIds.UserAccessLevel }]))
    for (let j = 0; j < batch.length; j++) {
      const dt = dvs[2 * j]?.value.value as NodeId | undefined
      const access = Number(dvs[2 * j + 1]?.value.value ?? 0)
      const id = dt && dt.namespace === 0 ? Number(dt.value) : -1
      // Enumerations and other derived types travel as numbers; strings and texts stay text.
      const dataType = id === 1 ? 'boolean' : id === 12 || id === 21 || id === 15 ? 'string' : 'number'
      out.push({ dataType, writable: (access & 0x02) !== 0 })
    }
  }
  return out
}
