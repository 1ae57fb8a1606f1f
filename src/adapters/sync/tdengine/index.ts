/** The `tdengine` sink kind: what the sink registry wires (see docs/sync.md "TDengine"). */
export { createTdengineSink, TdengineSink, type TdengineSinkDeps } from './tdengine-sink'
export { TdengineSinkConfig, type TdengineSinkConfigInput } from './config'
export { childTableName, superTableName } from './naming'
