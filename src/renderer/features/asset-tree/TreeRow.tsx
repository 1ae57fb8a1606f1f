import { memo } from 'react'
import { ConditionIcon, KindGlyph } from '../../components/Icons'
import { CONDITION_LABEL, type Condition } from '../../lib/condition'
import type { FlatNode } from '../../lib/tree'

interface Props {
  row: FlatNode
  condition: Condition
  selected: boolean
  focused: boolean
  onSelect(id: string): void
  onToggle(id: string, open: boolean): void
}

/** One tree item. Calm when everything below it is good; a shape (and colour) when something is not. */
export const TreeRow = memo(function TreeRow({ row, condition, selected, focused, onSelect, onToggle }: Props) {
  const { node, level, expandable, expanded } = row
  const abnormal = condition !== 'good'
  return (
    <div
      role="treeitem"
      id={`asset-${node.id}`}
      data-testid={`asset-node-${node.id}`}
      data-node-id={node.id}
      data-condition={condition}
      aria-level={level}
      aria-posinset={row.posInSet}
      aria-setsize={row.setSize}
      aria-expanded={expandable ? expanded : undefined}
      aria-selected={selected}
      tabIndex={focused ? 0 : -1}
      className={`tree-row${selected ? ' selected' : ''}`}
      style={{ paddingLeft: `${0.3 + (level - 1) * 1.05}rem` }}
      onClick={() => onSelect(node.id)}
      title={abnormal ? `${node.name}: ${CONDITION_LABEL[condition]} (worst of its signals)` : node.name}
    >
      <span
        className={`twisty${expandable ? '' : ' leaf'}`}
        aria-hidden="true"
        onClick={(e) => {
          if (!expandable) return
          e.stopPropagation()
          onToggle(node.id, !expanded)
        }}
      >
        {expandable ? (expanded ? '▾' : '▸') : ''}
      </span>
      <KindGlyph kind={node.kind} />
      <span className="name">{node.name}</span>
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
