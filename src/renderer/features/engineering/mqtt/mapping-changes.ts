import type { MqttMapping, MqttMappingChanges } from '../../../../shared/contract'
import type { DataType } from '../../../../shared/model'

/** Only what differs from the mapping: an emptied path or unit is removed (null), unchanged fields are left out. */
export function mappingChanges(m: MqttMapping, d: { name: string; path: string; dataType: DataType; unit: string }): MqttMappingChanges | undefined {
  const c: MqttMappingChanges = {}
  if (d.name.trim() && d.name.trim() !== m.name) c.name = d.name.trim()
  if (d.dataType !== m.dataType) c.dataType = d.dataType
  if (d.unit.trim() !== (m.unit ?? '')) c.unit = d.unit.trim() || null
  if (m.metric === undefined && d.path.trim() !== (m.path ?? '')) c.path = d.path.trim() || null
  return Object.keys(c).length > 0 ? c : undefined
}
