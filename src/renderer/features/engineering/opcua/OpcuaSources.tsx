import { BrowseTree } from './BrowseTree'

/** The address space as a source of bindings: drag a variable (or an object, for the variables under it) onto an asset. */
export function OpcuaSources({ connection, online }: { connection: string; online: boolean }) {
  return <BrowseTree connection={connection} online={online} onSelect={() => {}} draggable />
}
