import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'

export type Theme = 'dark' | 'light'
export type View = 'operator' | 'alarms' | 'engineering' | 'users'
/** What the engineering view shows: the certificate store, or one connection's browser (`opcua:<id>`, `mqtt:<id>`). */
/** `certificates`, or `<connection kind>:<connection id>`: one connection's browser. */
export type EngSection = 'certificates' | 'assets' | 'audit' | `${string}:${string}`

interface UiState {
  /** Dark by default: night shifts. */
  theme: Theme
  view: View
  engSection: EngSection
  toggleTheme(): void
  setView(view: View): void
  /** Opens the engineering view on a section, e.g. from a connection that waits for a certificate. */
  openEngineering(section: EngSection): void
}

export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      theme: 'dark',
      view: 'operator',
      engSection: 'certificates',
      toggleTheme: () => set((s) => ({ theme: s.theme === 'dark' ? 'light' : 'dark' })),
      setView: (view) => set({ view }),
      openEngineering: (engSection) => set({ view: 'engineering', engSection }),
    }),
    {
      name: 'plantdeck.ui',
      version: 1,
      storage: createJSONStorage(() => window.localStorage),
      partialize: (s) => ({ theme: s.theme, view: s.view, engSection: s.engSection }),
    },
  ),
)
