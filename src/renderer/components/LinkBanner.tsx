import { useEffect, useState } from 'react'
import { getApi } from '../api/client'
import { useSystemStore } from '../stores/system-store'
import { ConditionIcon } from './Icons'

/** Says loudly when the browser has lost the server: every value on screen is then old, and marked stale. */
export function LinkBanner() {
  const link = useSystemStore((s) => s.link)
  const via = useSystemStore((s) => s.via)
  const [, setTick] = useState(0)
  const down = link.state !== 'open' && via === 'ws'
  useEffect(() => {
    if (!down) return
    const t = setInterval(() => setTick((n) => n + 1), 500)
    return () => clearInterval(t)
  }, [down])
  if (!down) return null

  if (link.state === 'connecting') {
    return (
      <div className="link-banner connecting" role="status" data-testid="link-banner">
        Connecting to Plantdeck server…
      </div>
    )
  }
  const wait = link.retryAt ? Math.max(0, Math.ceil((link.retryAt - Date.now()) / 1000)) : 0
  const headline = link.opens > 0 ? 'Connection to Plantdeck server lost — reconnecting…' : 'Cannot reach Plantdeck server — retrying…'
  return (
    <div className="link-banner" role="alert" data-testid="link-banner">
      <ConditionIcon condition="bad" />
      <span>{headline}</span>
      <span className="detail">
        {link.state === 'closed' ? 'stopped' : wait > 0 ? `attempt ${link.attempt + 1} in ${wait} s` : `attempt ${link.attempt}`}
        {link.lastError ? ` · ${link.lastError}` : ''}
        {link.opens > 0 ? ' · values shown are the last received and marked STALE' : ''}
      </span>
      {link.state !== 'closed' && <button onClick={() => getApi().link.reconnectNow()}>Retry now</button>}
    </div>
  )
}
