import { describe, expect, it } from 'vitest'
import { parseSparkplugTopic } from './sparkplug'

describe('parseSparkplugTopic', () => {
  it('recognises spBv1.0 by namespace and names node and device entities', () => {
    expect(parseSparkplugTopic('spBv1.0/G1/DDATA/E1/D1')).toEqual({ group: 'G1', type: 'DDATA', node: 'E1', device: 'D1', nodeKey: 'spBv1.0/G1/E1', entityKey: 'spBv1.0/G1/E1/D1' })
    expect(parseSparkplugTopic('spBv1.0/G1/NBIRTH/E1')).toMatchObject({ type: 'NBIRTH', entityKey: 'spBv1.0/G1/E1' })
  })
  it.each(['spAv1.0/G/NDATA/E', 'spBv1.0/G/NDATA', 'spBv1.0/G/DDATA/E', 'spBv1.0/G/NDATA/E/D', 'spBv1.0/G/XDATA/E', 'spBv1.0/STATE/host', 'site/spBv1.0/G/NDATA/E'])(
    'not Sparkplug data: %s',
    (topic) => expect(parseSparkplugTopic(topic)).toBeUndefined(),
  )
})
