import { useCallback, useEffect, useState } from 'react'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { ROLES, type Role } from '../../../shared/model/principal'
import type { UserView } from '../../../shared/contract/auth'
import { useAuthStore } from '../../stores/auth-store'
import './auth.css'

const scopesText = (s: string[] | null) => (s ? s.join('; ') : '')
const parseScopes = (t: string): string[] | null => {
  const list = t
    .split(';')
    .map((x) => x.trim())
    .filter(Boolean)
  return list.length ? list : null
}

/** User administration (admins): the users with role, scopes, state and sessions; create, change, disable, reset, delete. */
export function UserAdmin() {
  const me = useAuthStore((s) => s.status?.principal?.user)
  const [users, setUsers] = useState<UserView[]>([])
  const [error, setError] = useState<string | null>(null)
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<Role>('operator')
  const [scopes, setScopes] = useState('')

  const act = useCallback(async (f: () => Promise<unknown>) => {
    setError(null)
    try {
      await f()
      setUsers(await getApi().rpc.call('users.list', {}))
    } catch (e) {
      const s = toErrorShape(e)
      setError(`${s.message} [${s.code}]`)
    }
  }, [])
  useEffect(() => void act(async () => undefined), [act])

  const create = (e: React.FormEvent) => {
    e.preventDefault()
    void act(async () => {
      await getApi().rpc.call('users.create', { name, password, role, scopes: parseScopes(scopes) })
      setName('')
      setPassword('')
      setScopes('')
    })
  }
  const api = () => getApi().rpc

  return (
    <section className="users-view" aria-label="Users" data-testid="users-view">
      <h2>Users</h2>
      <p className="login-note">
        Roles include the ones before them: viewer (reads), operator (commands, alarm actions), engineer (configuration, raw writes), admin (users). Scopes limit where
        a user operates: asset paths such as <code>Plant/Line 1</code>, separated by “;”; empty means everywhere.
      </p>
      {error && (
        <p className="error" role="alert" data-testid="users-error">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Scopes</th>
            <th>State</th>
            <th>Sessions</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.name} data-testid={`user-row-${u.name}`}>
              <td>
                {u.name}
                {u.name === me ? ' (you)' : ''}
              </td>
              <td>
                <select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => void act(() => api().call('users.update', { name: u.name, role: e.target.value as Role }))}>
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={`Scopes of ${u.name}`}
                  defaultValue={scopesText(u.scopes)}
                  placeholder="everywhere"
                  onBlur={(e) => e.target.value !== scopesText(u.scopes) && void act(() => api().call('users.update', { name: u.name, scopes: parseScopes(e.target.value) }))}
                />
              </td>
              <td>
                <label>
                  <input type="checkbox" checked={u.disabled} onChange={(e) => void act(() => api().call('users.update', { name: u.name, disabled: e.target.checked }))} /> disabled
                </label>
              </td>
              <td className="tabular">{u.sessions}</td>
              <td>
                <button
                  onClick={() => {
                    const pw = window.prompt(`New password for ${u.name}`)
                    if (pw) void act(() => api().call('users.resetPassword', { name: u.name, password: pw }))
                  }}
                >
                  Reset password…
                </button>{' '}
                <button onClick={() => window.confirm(`Delete user ${u.name}?`) && void act(() => api().call('users.delete', { name: u.name }))}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="new-user" onSubmit={create} aria-label="New user">
        <label>
          New user
          <input data-testid="new-user-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
        </label>
        <label>
          Password
          <input data-testid="new-user-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <label>
          Role
          <select data-testid="new-user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Scopes
          <input data-testid="new-user-scopes" value={scopes} onChange={(e) => setScopes(e.target.value)} placeholder="everywhere" />
        </label>
        <button type="submit" className="primary" data-testid="new-user-create">
          Create
        </button>
      </form>
    </section>
  )
}
