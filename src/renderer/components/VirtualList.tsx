import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, type ReactNode } from 'react'

interface Props<T> {
  items: readonly T[]
  /** Row height in rem: every row has it, so only the rows in view are in the DOM. */
  rowRem: number
  itemKey(item: T): string
  render(item: T, index: number): ReactNode
  /** Index to keep in view (keyboard focus). */
  scrollTo?: number
  className?: string
  role?: string
  label?: string
  testid?: string
  onKeyDown?(e: React.KeyboardEvent): void
}

const remPx = () => parseFloat(getComputedStyle(document.documentElement).fontSize) || 16

/**
 * A windowed list (@tanstack/react-virtual): thousands of rows stay fast because only those on screen, plus a margin
 * of 10 rows, are in the DOM. Fixed row height, so nothing is measured per row.
 */
export function VirtualList<T>({ items, rowRem, itemKey, render, scrollTo, className, role, label, testid, onKeyDown }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null)
  const row = rowRem * remPx()
  const v = useVirtualizer({
    count: items.length,
    getScrollElement: () => ref.current,
    estimateSize: () => row,
    overscan: 10,
    getItemKey: (i) => itemKey(items[i]!),
    // a first render before layout (and in tests) still shows the top rows
    initialRect: { width: 0, height: 600 },
  })
  const count = useRef(items.length)
  count.current = items.length
  // only when the index to keep in view changes: a list that grows (a page loaded) must not jump back to it
  useEffect(() => {
    if (scrollTo !== undefined && scrollTo >= 0 && scrollTo < count.current) v.scrollToIndex(scrollTo, { align: 'auto' })
  }, [scrollTo, v])
  return (
    <div ref={ref} className={`vlist ${className ?? ''}`} role={role} aria-label={label} data-testid={testid} onKeyDown={onKeyDown}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((r) => (
          <div key={r.key} className="vrow" style={{ position: 'absolute', top: r.start, height: row, left: 0, right: 0 }}>
            {render(items[r.index]!, r.index)}
          </div>
        ))}
      </div>
    </div>
  )
}
