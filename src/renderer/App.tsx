import { useLayoutEffect } from 'react'
import { ErrorBoundary } from './components/ErrorBoundary'
import { LinkBanner } from './components/LinkBanner'
import { TopBar } from './components/TopBar'
import { AlarmBanner } from './features/alarms/AlarmBanner'
import { AlarmsView } from './features/alarms/AlarmsView'
import { AssetTree } from './features/asset-tree/AssetTree'
import { Engineering } from './features/engineering/Engineering'
import { Faceplate } from './features/faceplate/Faceplate'
import { Overview } from './features/overview/Overview'
import { CentreTabs } from './components/CentreTabs'
import { StatusBar } from './features/status-bar/StatusBar'
import { Trend } from './features/trend/Trend'
import { useUiStore } from './stores/ui-store'

/** Top bar, link banner, alarm banner, then the operator view (tree | faceplate over trend) or the engineering view, status bar. Each panel fails on its own, never the screen. */
export function App() {
  const theme = useUiStore((s) => s.theme)
  const view = useUiStore((s) => s.view)
  const tab = useUiStore((s) => s.operatorTab)
  // A layout effect runs before the children's effects, so the chart reads the new theme's colours when it rebuilds.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  return (
    <div className="app">
      <TopBar />
      <LinkBanner />
      <ErrorBoundary area="Alarm banner">
        <AlarmBanner />
      </ErrorBoundary>
      {view === 'engineering' ? (
        <ErrorBoundary area="Engineering">
          <Engineering />
        </ErrorBoundary>
      ) : view === 'alarms' ? (
        <ErrorBoundary area="Alarms">
          <AlarmsView />
        </ErrorBoundary>
      ) : (
        <main className="main">
          <ErrorBoundary area="Asset tree">
            <AssetTree />
          </ErrorBoundary>
          <div className="centre">
            <CentreTabs />
            {tab === 'overview' ? (
              <ErrorBoundary area="Overview">
                <Overview />
              </ErrorBoundary>
            ) : (
              <>
                <ErrorBoundary area="Faceplate">
                  <Faceplate />
                </ErrorBoundary>
                <ErrorBoundary area="Trend">
                  <Trend />
                </ErrorBoundary>
              </>
            )}
          </div>
        </main>
      )}
      <ErrorBoundary area="Status bar">
        <StatusBar />
      </ErrorBoundary>
    </div>
  )
}
