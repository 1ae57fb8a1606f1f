import { useState } from 'react'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { login, setup } from '../../session/auth'
import { useAuthStore } from '../../stores/auth-store'
import './auth.css'

/**
 * Who is at the console: the login form, or on first start (no user yet, and this is the server's machine) the
 * form that creates the administrator. Over the kiosk (also before the first user) it can be closed to go back to
 * the read-only plant.
 */
export function LoginScreen() {
  const status = useAuthStore((s) => s.status)
  const reason = useAuthStore((s) => s.reason)
  const close = useAuthStore((s) => s.closeLogin)
  const firstStart = status?.setupRequired === true
  const [user, setUser] = useState(firstStart ? 'admin' : '')
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ code: string; message: string } | null>(null)
  const min = status?.minPasswordLength ?? 10

  const submit = async (e: React.FormEvent) => {
    e.preventDefault()
    setError(null)
    if (firstStart && password !== repeat) return setError({ code: 'auth.weak_password', message: 'The two passwords differ.' })
    setBusy(true)
    try {
      if (firstStart) await setup(getApi(), user, password)
      else await login(getApi(), user, password)
      setPassword('')
      setRepeat('')
    } catch (err) {
      setError(toErrorShape(err))
    } finally {
      setBusy(false)
    }
  }

  if (firstStart && !status?.setupAllowed) {
    return (
      <div className="login-screen" data-testid="login-screen">
        <div className="login-card">
          <h1>Plantdeck</h1>
          <p className="login-note" role="alert">
            No user exists yet. The first administrator is created on the server&apos;s own machine (open Plantdeck there), or with
            <code> --admin-user NAME --admin-password-stdin</code> when the server starts.
          </p>
          {status?.kiosk && (
            <div className="login-actions">
              <BackToPlant onClick={close} />
            </div>
          )}
        </div>
      </div>
    )
  }

  return (
    <div className="login-screen" data-testid="login-screen">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-label={firstStart ? 'Create the administrator' : 'Sign in'}>
        <h1>Plantdeck</h1>
        <h2>{firstStart ? 'First start: create the administrator' : 'Sign in'}</h2>
        {firstStart && <p className="login-note">No user exists yet. This account manages the others (Users, in the user menu).</p>}
        {reason && !firstStart && <p className="login-note">{reason}</p>}
        <label>
          User name
          <input data-testid="login-user" autoComplete="username" autoFocus={!firstStart} value={user} onChange={(e) => setUser(e.target.value)} required maxLength={64} />
        </label>
        <label>
          Password
          <input data-testid="login-password" type="password" autoComplete={firstStart ? 'new-password' : 'current-password'} autoFocus={firstStart} value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {firstStart && (
          <label>
            Password again
            <input data-testid="login-repeat" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
            <span className="login-hint">At least {min} characters.</span>
          </label>
        )}
        {error && (
          <p className="login-error" role="alert" data-testid="login-error">
            {error.message} <code>[{error.code}]</code>
          </p>
        )}
        <div className="login-actions">
          {status?.kiosk && <BackToPlant onClick={close} />}
          <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
            {busy ? 'Signing in…' : firstStart ? 'Create and sign in' : 'Sign in'}
          </button>
        </div>
      </form>
    </div>
  )
}

/** Over the kiosk: close the form and go back to the read-only plant. */
function BackToPlant({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" onClick={onClick} data-testid="login-cancel">
      Back to the plant (read-only)
    </button>
  )
}
