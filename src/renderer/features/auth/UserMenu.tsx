import { useEffect, useRef, useState } from 'react'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { logout } from '../../session/auth'
import { useAuthStore } from '../../stores/auth-store'
import { useUiStore } from '../../stores/ui-store'
import { hasAccess } from '../../../shared/model/principal'

function ChangePassword({ onClose }: { onClose: () => void }) {
  const [oldPassword, setOld] = useState('')
  const [newPassword, setNew] = useState('')
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null)
  const submit = async (e: React.FormEvent) => {
    e.preventDefault()
    try {
      const r = await getApi().rpc.call('auth.changePassword', { oldPassword, newPassword })
      setMsg({ ok: true, text: `Password changed${r.endedSessions ? `; ${r.endedSessions} other session(s) ended` : ''}.` })
      setOld('')
      setNew('')
    } catch (err) {
      const s = toErrorShape(err)
      setMsg({ ok: false, text: `${s.message} [${s.code}]` })
    }
  }
  return (
    <div className="password-dialog" role="dialog" aria-label="Change password">
      <form className="login-card" onSubmit={(e) => void submit(e)}>
        <h2>Change password</h2>
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={oldPassword} onChange={(e) => setOld(e.target.value)} required data-testid="pw-old" />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNew(e.target.value)} required data-testid="pw-new" />
        </label>
        {msg && (
          <p className={msg.ok ? 'login-note' : 'login-error'} role="status">
            {msg.text}
          </p>
        )}
        <div className="login-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary" data-testid="pw-submit">
            Change
          </button>
        </div>
      </form>
    </div>
  )
}

/** Who is signed in (user, role), change password, user administration (admins), sign out; "Sign in" over the kiosk. */
export function UserMenu() {
  const status = useAuthStore((s) => s.status)
  const openLogin = useAuthStore((s) => s.openLogin)
  const setView = useUiStore((s) => s.setView)
  const [open, setOpen] = useState(false)
  const [pw, setPw] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false)
    document.addEventListener('mousedown', onDown)
    return () => document.removeEventListener('mousedown', onDown)
  }, [open])
  const p = status?.principal
  if (!p) {
    // before the first user: the setup is offered where it may be done (this machine), named where it may not
    const setup = status?.setupRequired === true
    const label = setup ? (status.setupAllowed ? 'Read-only · Create the administrator' : 'Read-only · No administrator yet') : status?.kiosk ? 'Read-only · Sign in' : 'Sign in'
    const title = setup
      ? 'The plant is shown read-only (kiosk). No user exists yet: create the administrator to operate and configure it'
      : status?.kiosk
        ? 'The plant is shown read-only (kiosk); sign in to act'
        : 'Sign in'
    return (
      <button className={`sign-in${setup && status.setupAllowed ? ' primary' : ''}`} data-testid="sign-in" data-setup={setup ? 'required' : undefined} onClick={() => openLogin()} title={title}>
        {label}
      </button>
    )
  }
  const role = p.roles[0] ?? 'none'
  return (
    <div className="user-menu" ref={ref}>
      <button data-testid="user-menu" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} title={`Signed in as ${p.user} (${role})`}>
        {p.user} · {role}
      </button>
      {open && (
        <div className="menu" role="menu">
          <div className="who">
            Signed in as <b>{p.user}</b>, role <b>{role}</b>
            {p.scopes ? `, operating in ${p.scopes.join(', ')}` : ''}
          </div>
          {p.kind === 'user' && (
            <button role="menuitem" onClick={() => (setPw(true), setOpen(false))} data-testid="menu-password">
              Change password…
            </button>
          )}
          {hasAccess(p as never, 'admin') && (
            <button role="menuitem" onClick={() => (setView('users'), setOpen(false))} data-testid="menu-users">
              Users…
            </button>
          )}
          <button role="menuitem" onClick={() => (setOpen(false), void logout(getApi()))} data-testid="menu-logout">
            Sign out
          </button>
        </div>
      )}
      {pw && <ChangePassword onClose={() => setPw(false)} />}
    </div>
  )
}
