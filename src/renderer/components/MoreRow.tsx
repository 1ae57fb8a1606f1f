import { useEffect, useRef } from 'react'

/**
 * The "load more" row of a paged, windowed tree. The windowed list renders only rows on screen, so a more-row that
 * mounts has scrolled into view: load the next page then, like scrolling on in a long folder (clicking or Enter does
 * the same). While the page loads the tree shows a "Loading…" row instead, so each page is asked for once.
 */
export function MoreRow({ onShown, children }: { onShown(): void; children: React.ReactNode }): React.JSX.Element {
  const shown = useRef(onShown)
  shown.current = onShown
  useEffect(() => {
    const t = setTimeout(() => shown.current(), 150)
    return () => clearTimeout(t)
  }, [])
  return <>{children}</>
}
