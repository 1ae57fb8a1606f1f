import { errorHint } from '../api/errors'
import { ConditionIcon } from './Icons'

/** A failed call as the operator reads it: what failed, the stable code, what to do. Never a stack trace. */
export function ErrorNotice({ title, error, onRetry }: { title: string; error: { code: string; message: string }; onRetry?: () => void }) {
  return (
    <div className="notice" role="alert">
      <ConditionIcon condition="bad" />
      <div>
        <span className="title">{title}</span> — {error.message} <code>[{error.code}]</code>
      </div>
      {onRetry ? <button onClick={onRetry}>Retry</button> : <span />}
      <div className="hint">{errorHint(error.code)}</div>
    </div>
  )
}
