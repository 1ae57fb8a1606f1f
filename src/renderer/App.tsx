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
import { useAuthStore } from './stores/auth-store'
import { hasAccess } from '../shared/model/principal'
import { LoginScreen } from './features/auth/LoginScreen'
import { UserAdmin } from './features/auth/UserAdmin'

/** Top bar, link banner, alarm banner, then the operator view (tree | faceplate over trend) or the engineering view, status bar. Each panel fails on its own, never the screen. */
export function App() {
  const theme = useUiStore((s) => s.theme)
  const view = useUiStore((s) => s.view)
  const tab = useUiStore((s) => s.operatorTab)
  const auth = useAuthStore((s) => s.status)
  const loginOpen = useAuthStore((s) => s.loginOpen)
  const principal = auth?.principal ?? null
  // A layout effect runs before the children's effects, so the chart reads the new theme's colours when it rebuilds.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  // Nobody signed in and no kiosk (or the login asked for): who is at the console?
  if (auth && !principal && (!auth.kiosk || loginOpen || auth.setupRequired)) return <LoginScreen />
  const mayEngineer = hasAccess(principal as never, 'engineer')
  const shown = view === 'engineering' && !mayEngineer ? 'operator' : view === 'users' && !hasAccess(principal as never, 'admin') ? 'operator' : view

  return (
    <div className="app">
      <TopBar />
      <LinkBanner />
      <ErrorBoundary area="Alarm banner">
        <AlarmBanner />
      </ErrorBoundary>
      {shown === 'users' ? (
        <ErrorBoundary area="Users">
          <UserAdmin />
        </ErrorBoundary>
      ) : shown === 'engineering' ? (
        <ErrorBoundary area="Engineering">
          <Engineering />
        </ErrorBoundary>
      ) : shown === 'alarms' ? (
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
