import type { certificates } from '../../shared/contract/certificates'
import type { opcua } from '../../shared/contract/opcua'
import type { OpcuaConnectionConfig } from './opcua-config'
import type { CoreDriver } from '../ports/driver'
import { opcuaSources } from './opcua-sources'
import { createOpcuaHandlers } from './opcua-handlers'
import { OPCUA, type OpcuaTools } from './opcua-port'
import { toSignalDef } from '../signals/signal-def'
import { OpcuaBinding } from './opcua-binding'
import { opcuaAudits } from './opcua-audit'
import { opcuaCommands } from './opcua-commands'

/** OPC UA in the core: `opcua.*` and `certificates.*`, signals added at runtime under `<connection> (added)`. */
export const opcuaDriver: CoreDriver<OpcuaConnectionConfig, typeof opcua & typeof certificates> = {
  kind: OPCUA,
  binding: OpcuaBinding,
  sources: opcuaSources,
  reportsByException: true,
  audited: opcuaAudits,
  commands: opcuaCommands,
  target: (c) => c.endpoint,
  runtimeFolder: (c) => ({ id: `${c.id}:added`, name: `${c.id} (added)`, attribute: (s) => s.id.slice(c.id.length + 1) }),
  handlers: (deps) =>
    createOpcuaHandlers({
      collectors: deps.collectors,
      catalog: deps.catalog,
      tools: deps.tools?.[OPCUA] as OpcuaTools | undefined,
      ...(deps.register ? { register: (signals) => deps.register!(signals.map(toSignalDef)) } : {}),
      persistence: deps.persistence,
      model: deps.model,
    }),
}
