import { useEffect, useLayoutEffect, useState } from 'react'
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
import { CommandDialogHost } from './features/commands/CommandPanel'
import { Trend } from './features/trend/Trend'
import { useUiStore } from './stores/ui-store'
import { useAuthStore } from './stores/auth-store'
import { hasAccess } from '../shared/model/principal'
import { LoginScreen } from './features/auth/LoginScreen'
import { UserAdmin } from './features/auth/UserAdmin'
import { useWorkspaceStore } from './stores/workspace-store'

/** At this width and above the selected asset's faceplate and commands sit in a right-hand panel beside the centre. */
export const WIDE_PX = 1600

function useWide(): boolean {
  const q = `(min-width: ${WIDE_PX}px)`
  const [wide, setWide] = useState(() => typeof matchMedia === 'function' && matchMedia(q).matches)
  useEffect(() => {
    if (typeof matchMedia !== 'function') return
    const m = matchMedia(q)
    const on = () => setWide(m.matches)
    m.addEventListener('change', on)
    on()
    return () => m.removeEventListener('change', on)
  }, [q])
  return wide
}

/**
 * Top bar, link banner, alarm banner, then the operator view (tree | workspace of tabs | at ≥ 1600 px the faceplate)
 * or the alarms, engineering or users view, status bar. Each panel fails on its own, never the screen.
 */
export function App() {
  const theme = useUiStore((s) => s.theme)
  const view = useUiStore((s) => s.view)
  const tab = useWorkspaceStore((s) => s.tabs.find((t) => t.id === s.active) ?? s.tabs[0]!)
  const wide = useWide()
  const auth = useAuthStore((s) => s.status)
  const loginOpen = useAuthStore((s) => s.loginOpen)
  const principal = auth?.principal ?? null
  // A layout effect runs before the children's effects, so the chart reads the new theme's colours when it rebuilds.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  // Nobody signed in and no kiosk (or the login asked for): who is at the console? With the kiosk on, even before the
  // first administrator exists the plant is shown (a PoC sees it living at once); the top bar offers the setup.
  if (auth && !principal && (!auth.kiosk || loginOpen)) return <LoginScreen />
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
        <main className={`main${wide ? ' has-right' : ''}`} data-layout={wide ? 'wide' : 'narrow'}>
          <ErrorBoundary area="Asset tree">
            <AssetTree />
          </ErrorBoundary>
          <div className={`centre shows-${tab.kind}`} role="tabpanel" aria-label="Workspace" data-testid="workspace-centre" data-tab={tab.id}>
            <CentreTabs />
            {tab.kind === 'overview' ? (
              <ErrorBoundary area="Overview">
                <Overview />
              </ErrorBoundary>
            ) : tab.kind === 'alarms' ? (
              <ErrorBoundary area="Alarms">
                <AlarmsView />
              </ErrorBoundary>
            ) : tab.kind === 'trend' ? (
              <ErrorBoundary area="Trend">
                <Trend key={tab.id} follow={false} title={tab.title} />
              </ErrorBoundary>
            ) : (
              <>
                {!wide && (
                  <ErrorBoundary area="Faceplate">
                    <Faceplate />
                  </ErrorBoundary>
                )}
                <ErrorBoundary area="Trend">
                  <Trend key="asset" follow />
                </ErrorBoundary>
              </>
            )}
          </div>
          {wide && (
            <aside className="right-panel" aria-label="Selected asset" data-testid="right-panel">
              <ErrorBoundary area="Faceplate">
                <Faceplate />
              </ErrorBoundary>
            </aside>
          )}
        </main>
      )}
      <ErrorBoundary area="Status bar">
        <StatusBar />
      </ErrorBoundary>
      <ErrorBoundary area="Command dialog">
        <CommandDialogHost />
      </ErrorBoundary>
    </div>
  )
}
