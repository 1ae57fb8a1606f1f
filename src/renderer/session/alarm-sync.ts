import type { Api } from '../api/client'
import { toErrorShape } from '../api/errors'
import type { Alarm } from '../../shared/contract/alarms'
import { isUnack, useAlarmsStore } from '../stores/alarms-store'

/** Alarms loud enough to sound and to raise a system notification. */
const LOUD = new Set(['critical', 'high'])

let audio: AudioContext | undefined
let unlocked = false
/** Browsers allow sound only after a user gesture: the first click or key unlocks it. */
function unlockAudio(): void {
  if (unlocked) return
  try {
    audio ??= new AudioContext()
    void audio.resume()
    unlocked = true
  } catch {
    /* no audio here: the banner still shows */
  }
}

/** Two short tones: critical higher than high. */
function beep(priority: Alarm['priority']): void {
  if (!audio || !unlocked) return
  const f = priority === 'critical' ? 880 : 660
  for (const [i, at] of [0, 0.25].entries()) {
    const o = audio.createOscillator()
    const g = audio.createGain()
    o.frequency.value = f - i * 110
    g.gain.value = 0.12
    o.connect(g).connect(audio.destination)
    o.start(audio.currentTime + at)
    o.stop(audio.currentTime + at + 0.18)
  }
}

/** A system notification while the window is hidden or minimised (the desktop app's, or the browser's when allowed). */
function notifySystem(a: Alarm): void {
  if (typeof Notification === 'undefined' || !document.hidden) return
  const show = () => new Notification(`${a.priority.toUpperCase()} alarm · ${a.path}`, { body: a.message, tag: a.key })
  if (Notification.permission === 'granted') show()
  else if (Notification.permission === 'default') void Notification.requestPermission().then((p) => p === 'granted' && show())
}

/** What to annunciate in a batch: new occurrences of loud alarms not silenced. */
export function toAnnounce(before: Record<string, Alarm>, items: readonly Alarm[], silenced: Record<string, number>): Alarm[] {
  return items.filter((a) => LOUD.has(a.priority) && isUnack(a) && a.active && (before[a.key]?.occurrence ?? 0) < a.occurrence && silenced[a.key] !== a.occurrence)
}

/**
 * Keeps the alarm store in step with the core: the list at each (re)connect, then `alarms.changed` batches.
 * A new high or critical alarm sounds (after the first user gesture) and raises a system notification while hidden.
 */
export function startAlarmSync(api: Api): { reload(): Promise<void>; stop(): void } {
  const onGesture = () => unlockAudio()
  window.addEventListener('pointerdown', onGesture, { once: false, capture: true })
  window.addEventListener('keydown', onGesture, { once: false, capture: true })
  const off = api.rpc.on('alarms.changed', (e) => {
    const s = useAlarmsStore.getState()
    const loud = toAnnounce(s.byKey, e.items, s.silenced)
    s.apply(e.items, e.counts)
    const first = loud[0]
    if (first) {
      beep(first.priority)
      notifySystem(first)
    }
  })
  return {
    async reload() {
      try {
        const r = await api.rpc.call('alarms.list', { limit: 5000 })
        useAlarmsStore.getState().setAll(r.items, r.counts)
      } catch (e) {
        useAlarmsStore.getState().setError(toErrorShape(e))
      }
    },
    stop() {
      off()
      window.removeEventListener('pointerdown', onGesture, { capture: true })
      window.removeEventListener('keydown', onGesture, { capture: true })
    },
  }
}
