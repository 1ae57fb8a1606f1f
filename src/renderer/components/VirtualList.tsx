import { useEffect, useRef, useState, type ReactNode, type UIEvent } from 'react'

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

/** A windowed list: thousands of rows stay fast because only those on screen (plus a margin) are rendered. */
export function VirtualList<T>({ items, rowRem, itemKey, render, scrollTo, className, role, label, testid, onKeyDown }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ top: 0, height: 600 })
  const row = rowRem * remPx()
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const ro = new ResizeObserver(() => setView({ top: el.scrollTop, height: el.clientHeight }))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  useEffect(() => {
    const el = ref.current
    if (!el || scrollTo === undefined || scrollTo < 0) return
    const y = scrollTo * row
    if (y < el.scrollTop) el.scrollTop = y
    else if (y + row > el.scrollTop + el.clientHeight) el.scrollTop = y + row - el.clientHeight
  }, [scrollTo, row])
  const onScroll = (e: UIEvent<HTMLDivElement>) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })
  const first = Math.max(0, Math.floor(view.top / row) - 10)
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / row) + 10)
  return (
    <div ref={ref} className={`vlist ${className ?? ''}`} role={role} aria-label={label} data-testid={testid} onScroll={onScroll} onKeyDown={onKeyDown}>
      <div style={{ height: items.length * row, position: 'relative' }}>
        {items.slice(first, last).map((it, i) => (
          <div key={itemKey(it)} className="vrow" style={{ position: 'absolute', top: (first + i) * row, height: row, left: 0, right: 0 }}>
            {render(it, first + i)}
          </div>
        ))}
      </div>
    </div>
  )
}
