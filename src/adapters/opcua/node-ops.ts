import {
  AttributeIds,
  DataType,
  findBasicDataType,
  makeBrowsePath,
  NodeClass,
  StatusCodes,
  type ClientSession,
  type NodeId,
  type StatusCode,
} from 'node-opcua'
import type { OpcuaValue, OpResult } from '../../core/opcua/opcua-port'
import type { NodeAttributes } from '../../shared/contract/opcua'
import { AppError } from '../../shared/model'
import { parseNodeId } from './browse'
import { toVariant, variantValue, type TypeInfo } from './values'

const ACCESS = [
  [0x01, 'read'],
  [0x02, 'write'],
  [0x04, 'history'],
] as const

function opResult(status: StatusCode): OpResult {
  const r: OpResult = { ok: status.isGood(), status: status.name }
  if (!status.isGood()) r.message = status.description || status.name
  return r
}

/** The attributes an engineer checks in UaExpert's attribute pane, in two round trips. */
export async function readAttributes(session: ClientSession, text: string): Promise<NodeAttributes> {
  const nodeId = parseNodeId(text)
  const ids = [AttributeIds.NodeClass, AttributeIds.BrowseName, AttributeIds.DisplayName, AttributeIds.Description, AttributeIds.DataType, AttributeIds.ValueRank, AttributeIds.UserAccessLevel, AttributeIds.MinimumSamplingInterval, AttributeIds.Value]
  const dvs = await session.read(ids.map((attributeId) => ({ nodeId, attributeId })))
  const [cls, browseName, displayName, description, dataType, valueRank, access, minSampling, value] = dvs
  if (!cls?.statusCode.isGood()) {
    throw new AppError('opcua.bad_node_id', `${text}: ${cls?.statusCode.name ?? 'no answer'} (the node does not exist on this server)`)
  }
  const good = (i: number) => dvs[i]?.statusCode.isGood() === true
  const out: NodeAttributes = {
    nodeId: nodeId.toString(),
    nodeClass: (NodeClass[cls.value.value as number] as NodeAttributes['nodeClass'] | undefined) ?? 'Unspecified',
    browseName: String(browseName?.value.value ?? ''),
    displayName: (displayName?.value.value as { text?: string } | null)?.text ?? '',
  }
  const desc = (description?.value.value as { text?: string } | null)?.text
  if (desc) out.description = desc
  if (out.nodeClass !== 'Variable' && out.nodeClass !== 'VariableType') return out
  if (good(4)) out.dataType = await dataTypeName(session, dataType!.value.value as NodeId)
  if (good(5)) out.valueRank = valueRank!.value.value as number
  if (good(6)) out.accessLevel = ACCESS.filter(([bit]) => ((access!.value.value as number) & bit) !== 0).map(([, n]) => n)
  if (good(7)) out.minimumSamplingInterval = minSampling!.value.value as number
  out.status = value?.statusCode.name ?? 'BadNoData'
  if (value?.statusCode.isGood()) out.value = variantValue(value.value)
  const props = await session.translateBrowsePath([makeBrowsePath(nodeId, '.EngineeringUnits'), makeBrowsePath(nodeId, '.EURange')])
  const targets = props.map((p) => (p.statusCode.isGood() ? p.targets?.[0]?.targetId : undefined))
  const found = targets.filter((t) => t !== undefined)
  if (found.length > 0) {
    const values = await session.read(found.map((t) => ({ nodeId: t, attributeId: AttributeIds.Value })))
    let k = 0
    if (targets[0]) {
      const eu = values[k++]?.value.value as { displayName?: { text?: string } } | null
      if (eu?.displayName?.text) out.engineeringUnits = eu.displayName.text
    }
    if (targets[1]) {
      const range = values[k++]?.value.value as { low?: number; high?: number } | null
      if (typeof range?.low === 'number' && typeof range.high === 'number') out.euRange = [range.low, range.high]
    }
  }
  return out
}

async function dataTypeName(session: ClientSession, dataType: NodeId): Promise<string> {
  if (dataType.namespace === 0 && typeof dataType.value === 'number' && DataType[dataType.value] !== undefined) return DataType[dataType.value]!
  const [name] = await session.read([{ nodeId: dataType, attributeId: AttributeIds.BrowseName }])
  return (name?.value.value as { name?: string } | null)?.name ?? dataType.toString()
}

/** Built-in type, rank and enumeration members of a Variable, as a write needs them. */
async function variableType(session: ClientSession, nodeId: NodeId): Promise<TypeInfo> {
  const [dt, rank] = await session.read([
    { nodeId, attributeId: AttributeIds.DataType },
    { nodeId, attributeId: AttributeIds.ValueRank },
  ])
  if (!dt?.statusCode.isGood()) throw new AppError('opcua.bad_node_id', `${nodeId.toString()}: ${dt?.statusCode.name ?? 'no answer'} (not a variable on this server)`)
  return typeOf(session, dt.value.value as NodeId, (rank?.value.value as number | undefined) ?? -1)
}

async function typeOf(session: ClientSession, dataType: NodeId, valueRank: number): Promise<TypeInfo> {
  const builtIn = await findBasicDataType(session, dataType)
  const info: TypeInfo = { builtIn, name: await dataTypeName(session, dataType), valueRank }
  if (builtIn === DataType.Int32 && !(dataType.namespace === 0 && dataType.value === DataType.Int32)) {
    const members = await enumMembers(session, dataType)
    if (members) info.enumMembers = members
  }
  return info
}

/** EnumStrings (index = value) or EnumValues (explicit values) of an enumeration DataType, when it has either. */
async function enumMembers(session: ClientSession, dataType: NodeId): Promise<Map<number, string> | undefined> {
  const paths = await session.translateBrowsePath([makeBrowsePath(dataType, '.EnumStrings'), makeBrowsePath(dataType, '.EnumValues')])
  for (const [i, p] of paths.entries()) {
    const target = p.statusCode.isGood() ? p.targets?.[0]?.targetId : undefined
    if (!target) continue
    const [dv] = await session.read([{ nodeId: target, attributeId: AttributeIds.Value }])
    const arr = dv?.value.value as unknown[] | null
    if (!Array.isArray(arr)) continue
    if (i === 0) return new Map(arr.map((t, k) => [k, (t as { text?: string }).text ?? String(k)]))
    return new Map(arr.map((e) => { const v = e as { value: unknown; displayName?: { text?: string } }; return [Number(v.value), v.displayName?.text ?? String(v.value)] }))
  }
  return undefined
}

/** One read of a variable's value (a command's read back): the value as the API shows it, and the status name. */
export async function readValue(session: ClientSession, text: string): Promise<{ value: unknown; status: string }> {
  const [dv] = await session.read([{ nodeId: parseNodeId(text), attributeId: AttributeIds.Value }])
  if (!dv) return { value: null, status: 'BadNoData' }
  return { value: dv.statusCode.isGood() ? variantValue(dv.value) : null, status: dv.statusCode.name }
}

export async function writeTyped(session: ClientSession, text: string, value: OpcuaValue, cache: Map<string, TypeInfo>): Promise<OpResult> {
  const nodeId = parseNodeId(text)
  const key = nodeId.toString()
  let info = cache.get(key)
  if (!info) cache.set(key, (info = await variableType(session, nodeId)))
  const variant = toVariant(value, info)
  const status = await session.write({ nodeId, attributeId: AttributeIds.Value, value: { value: variant } })
  return opResult(status)
}

/** Calls a method with its declared argument types; a wrong count or type is refused before the call. */
export async function callTyped(session: ClientSession, objectText: string, methodText: string, args: OpcuaValue[]): Promise<OpResult & { outputs: unknown[]; inputStatus?: string[] }> {
  const objectId = parseNodeId(objectText)
  const methodId = parseNodeId(methodText)
  let declared: { name?: string | null; dataType: NodeId; valueRank: number }[]
  try {
    declared = (await session.getArgumentDefinition(methodId)).inputArguments as never
  } catch (e) {
    throw new AppError('opcua.bad_node_id', `${methodText}: not a method on this server (${(e as Error).message.slice(0, 120)})`)
  }
  if (declared.length !== args.length) {
    throw new AppError('opcua.bad_value', `the method takes ${declared.length} argument(s) (${declared.map((a) => a.name).join(', ') || 'none'}), got ${args.length}`)
  }
  const inputArguments = []
  for (const [i, a] of declared.entries()) {
    inputArguments.push(toVariant(args[i]!, await typeOf(session, a.dataType, a.valueRank), a.name ?? `argument ${i + 1}`))
  }
  const result = await session.call({ objectId, methodId, inputArguments })
  const out = { ...opResult(result.statusCode ?? StatusCodes.BadUnexpectedError), outputs: (result.outputArguments ?? []).map(variantValue) }
  const inputStatus = (result.inputArgumentResults ?? []).map((s) => s.name)
  return inputStatus.some((s) => s !== 'Good') ? { ...out, inputStatus } : out
}
