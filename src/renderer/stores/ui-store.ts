import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'

export type Theme = 'dark' | 'light'

interface UiState {
  /** Dark by default: night shifts. */
  theme: Theme
  toggleTheme(): void
}

export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      theme: 'dark',
      toggleTheme: () => set((s) => ({ theme: s.theme === 'dark' ? 'light' : 'dark' })),
    }),
    { name: 'plantdeck.ui', version: 1, storage: createJSONStorage(() => window.localStorage) },
  ),
)
