import { memo, useEffect } from 'react'
import { ConditionIcon, KindGlyph } from '../../components/Icons'
import { CONDITION_LABEL, type Condition } from '../../lib/condition'
import type { ModelRow } from '../../lib/model-tree'
import { wantDetails } from '../../session/model-view'
import { alarmUnder, useAlarmsStore } from '../../stores/alarms-store'
import { AlarmMark } from '../alarms/priority'

interface Props {
  row: ModelRow & { kind: 'asset' }
  condition: Condition
  selected: boolean
  focused: boolean
  onSelect(id: string): void
  onToggle(id: string, open: boolean): void
}

/** One tree item. Calm when everything below it is good; a shape (and colour) when something is not. */
export const TreeRow = memo(function TreeRow({ row, condition, selected, focused, onSelect, onToggle }: Props) {
  const { asset: node, level, expanded, key } = row
  const expandable = node.hasChildren
  const abnormal = condition !== 'good'
  // a row in view knows its attributes, for its condition mark
  useEffect(() => wantDetails(node.id), [node.id])
  const alarm = useAlarmsStore((s) => alarmUnder(s.byKey, node.path))
  return (
    <div
      role="treeitem"
      data-testid={`asset-node-${node.path}`}
      data-node-id={node.id}
      data-row-key={key}
      data-condition={condition}
      aria-level={level}
      aria-posinset={row.pos}
      aria-setsize={row.size}
      aria-expanded={expandable ? expanded : undefined}
      aria-selected={selected}
      tabIndex={focused ? 0 : -1}
      className={`tree-row${selected ? ' selected' : ''}`}
      style={{ paddingLeft: `${0.3 + (level - 1) * 1.05}rem` }}
      onClick={() => onSelect(key)}
      title={abnormal ? `${node.path}: ${CONDITION_LABEL[condition]} (worst of its signals)` : node.path}
    >
      <span
        className={`twisty${expandable ? '' : ' leaf'}`}
        aria-hidden="true"
        onClick={(e) => {
          if (!expandable) return
          e.stopPropagation()
          onToggle(key, !expanded)
        }}
      >
        {expandable ? (expanded ? '▾' : '▸') : ''}
      </span>
      <KindGlyph kind={node.kind} />
      <span className="name">{node.name}</span>
      {alarm && <AlarmMark mark={alarm} />}
      {node.reference && <span className="ref-tag" title="Shown here by reference; its path is under its primary parent">ref</span>}
      {abnormal && (
        <span className={`cond c-${condition}`}>
          <ConditionIcon condition={condition} />
          {(condition === 'bad' || condition === 'stale') && <span className="cond-text">{CONDITION_LABEL[condition].toUpperCase()}</span>}
          <span className="sr-only">{CONDITION_LABEL[condition]}</span>
        </span>
      )}
    </div>
  )
})
