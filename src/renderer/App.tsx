import { useLayoutEffect } from 'react'
import { ErrorBoundary } from './components/ErrorBoundary'
import { LinkBanner } from './components/LinkBanner'
import { TopBar } from './components/TopBar'
import { AssetTree } from './features/asset-tree/AssetTree'
import { Faceplate } from './features/faceplate/Faceplate'
import { StatusBar } from './features/status-bar/StatusBar'
import { Trend } from './features/trend/Trend'
import { useUiStore } from './stores/ui-store'

/** Top bar, link banner, tree | faceplate over trend, status bar. Each panel fails on its own, never the screen. */
export function App() {
  const theme = useUiStore((s) => s.theme)
  // A layout effect runs before the children's effects, so the chart reads the new theme's colours when it rebuilds.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  return (
    <div className="app">
      <TopBar />
      <LinkBanner />
      <main className="main">
        <ErrorBoundary area="Asset tree">
          <AssetTree />
        </ErrorBoundary>
        <div className="centre">
          <ErrorBoundary area="Faceplate">
            <Faceplate />
          </ErrorBoundary>
          <ErrorBoundary area="Trend">
            <Trend />
          </ErrorBoundary>
        </div>
      </main>
      <ErrorBoundary area="Status bar">
        <StatusBar />
      </ErrorBoundary>
    </div>
  )
}
