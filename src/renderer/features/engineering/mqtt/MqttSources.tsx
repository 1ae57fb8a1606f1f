import { useState } from 'react'
import { TopicList } from './TopicList'

/** The live topic tree as a source of bindings: drag a topic that has messages onto an asset. */
export function MqttSources({ connection }: { connection: string; online: boolean }) {
  const [selected, setSelected] = useState<string>()
  return <TopicList connection={connection} selected={selected} onSelect={setSelected} draggable />
}
