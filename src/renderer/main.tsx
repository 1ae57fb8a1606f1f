import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { getApi } from './api/client'
import { App } from './App'
import { ErrorBoundary } from './components/ErrorBoundary'
import { startSession } from './session/session'
import { useUiStore } from './stores/ui-store'
import './styles/theme.css'
import './styles/app.css'

// Apply the remembered theme before the first paint, so a night shift never gets a white flash.
document.documentElement.dataset.theme = useUiStore.getState().theme

const root = createRoot(document.getElementById('root')!)
try {
  startSession(getApi())
  root.render(
    <StrictMode>
      <ErrorBoundary area="Plantdeck">
        <App />
      </ErrorBoundary>
    </StrictMode>,
  )
} catch (e) {
  // Without a transport there is nothing to show but why.
  const message = e instanceof Error ? e.message : String(e)
  root.render(
    <div className="notice" role="alert">
      <span className="title">Plantdeck could not start</span> — {message} <code>[ui.start]</code>
    </div>,
  )
}
