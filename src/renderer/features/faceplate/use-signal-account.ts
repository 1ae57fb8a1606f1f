import { useEffect, useState } from 'react'
import type { SampleAccount } from '../../../shared/model'
import { getApi } from '../../api/client'

const EVERY_MS = 2000

/** The selected signal's sample accounting (`signals.accounting`), refreshed every 2 s while shown. */
export function useSignalAccount(signalId: string, enabled: boolean): SampleAccount | undefined {
  const [account, setAccount] = useState<SampleAccount | undefined>(undefined)
  useEffect(() => {
    if (!enabled) return
    let live = true
    const load = () =>
      getApi()
        .rpc.call('signals.accounting', { signals: [signalId] })
        .then((r) => live && setAccount(r.signals[0]))
        .catch(() => undefined) // a lost link shows elsewhere (status bar); keep the last figures
    void load()
    const timer = setInterval(load, EVERY_MS)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [signalId, enabled])
  return enabled ? account : undefined
}
