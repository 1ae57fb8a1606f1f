import { Component, type ErrorInfo, type ReactNode } from 'react'
import { ErrorNotice } from './ErrorNotice'

interface Props {
  /** What this boundary protects, for the message: "Trend", "Asset tree". */
  area: string
  children: ReactNode
}

/** Keeps a failing panel from blanking the whole screen: the panel shows a readable error and can be retried. */
export class ErrorBoundary extends Component<Props, { error?: unknown }> {
  override state: { error?: unknown } = {}

  static getDerivedStateFromError(error: unknown) {
    return { error }
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error(`[plantdeck] ${this.props.area} failed`, error, info.componentStack)
  }

  override render() {
    if (this.state.error === undefined) return this.props.children
    const e = this.state.error
    const message = e instanceof Error ? e.message : String(e)
    return (
      <ErrorNotice
        title={`${this.props.area} could not be shown`}
        error={{ code: 'ui.render', message }}
        onRetry={() => this.setState({ error: undefined })}
      />
    )
  }
}
