import { useEffect, useRef, useState } from 'react'
import { create } from 'zustand'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { ErrorNotice } from '../../components/ErrorNotice'
import type { CommandInfo, CommandResult, CommandSelection } from '../../../shared/contract/commands'
import type { ErrorShape } from '../../../shared/model'
import { commandValueText, outcomeText, parseCommandInput } from '../../lib/command-text'
import { useRpc } from '../engineering/use-rpc'
import './commands.css'

const BLOCK_TEXT: Record<NonNullable<CommandInfo['blocked']>, string> = {
  role: 'Role',
  scope: 'Outside your area',
  not_connected: 'Not connected',
  interlock: 'Interlocked',
  locked: 'Selected by another operator',
  bad_definition: 'Bad definition',
}

/**
 * The open confirm dialog, outside the panel: the faceplate (and its panel) moves between the centre and the right
 * panel as the window crosses 1600 px, and a dialog kept in the panel's state closed with it, selection and all.
 */
export const useCommandDialog = create<{ open: { assetId: string; command: CommandInfo } | undefined; closed: number; show(assetId: string, command: CommandInfo): void; close(): void }>()((set) => ({
  open: undefined,
  closed: 0,
  show: (assetId, command) => set({ open: { assetId, command } }),
  close: () => set((s) => ({ open: undefined, closed: s.closed + 1 })),
}))

/** The confirm dialog wherever the faceplate is: rendered once, by the app. */
export function CommandDialogHost() {
  const open = useCommandDialog((s) => s.open)
  const close = useCommandDialog((s) => s.close)
  if (!open) return null
  return <CommandDialog key={`${open.assetId}/${open.command.attribute}/${open.command.id}`} assetId={open.assetId} command={open.command} onClose={close} />
}

/** The asset's commands on the faceplate: each enabled, or disabled with the reason; Operate… opens the confirm dialog. */
export function CommandPanel({ assetId }: { assetId: string }) {
  const list = useRpc((rpc) => rpc.call('commands.list', { asset: assetId }), assetId, 3000)
  const show = useCommandDialog((s) => s.show)
  const closed = useCommandDialog((s) => s.closed)
  const reload = list.reload
  // after a dialog closes, the list again (what may run now)
  useEffect(() => {
    if (closed > 0) void reload()
  }, [closed, reload])
  const items = list.data?.items ?? []
  if (items.length === 0) return null
  return (
    <div className="command-panel" data-testid="command-panel" aria-label="Commands">
      <div className="command-head">
        <span className="label">Commands</span>
        <span className="sub">select · confirm · operate · verify</span>
      </div>
      <ul>
        {items.map((c) => (
          <li key={`${c.attribute}/${c.id}`} className={c.enabled ? '' : 'disabled'} data-testid={`command-${c.attribute}-${c.id}`}>
            <span className="command-label">
              {c.label}
              {c.critical && (
                <span className="badge critical" title="Two-person rule: a second operator confirms with their credentials">
                  2-person
                </span>
              )}
            </span>
            <span className="command-attr">{c.attribute}</span>
            <span className="command-meta">
              {c.input === 'number' && c.limits ? `${c.limits.lo}…${c.limits.hi}${c.unit ? ` ${c.unit}` : ''}${c.maxStep !== undefined ? `, step ≤ ${c.maxStep}` : ''}` : c.input === 'state' ? c.states?.map((s) => s.label).join(' / ') : ''}
            </span>
            {c.enabled ? (
              <button className="primary" onClick={() => show(assetId, c)}>
                {c.input === 'none' ? c.label : 'Set…'}
              </button>
            ) : (
              <span className="command-blocked" title={c.reason} data-testid="command-blocked">
                <strong>{c.blocked ? BLOCK_TEXT[c.blocked] : 'Disabled'}</strong>
                {c.reason ? `: ${c.reason}` : ''}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}

/** Codes after which the selection still holds: the operator corrects the value and confirms again. */
const KEEPS_SELECTION = new Set(['command.bad_value', 'command.out_of_range', 'command.step_too_large', 'command.needs_approval', 'rpc.bad_params'])

/**
 * The confirm dialog: selects on open (the target is locked to this operator, its current value read), shows the asset
 * path, attribute, current value, the new value with its unit and limits, who is acting and, for a critical command,
 * the second person's fields; Operate sends it and shows the verified outcome plainly. Cancel gives the selection up.
 */
function CommandDialog({ assetId, command, onClose }: { assetId: string; command: CommandInfo; onClose(): void }) {
  const [sel, setSel] = useState<CommandSelection>()
  const [error, setError] = useState<ErrorShape>()
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<CommandResult>()
  const [spent, setSpent] = useState(false)
  const [text, setText] = useState('')
  const [second, setSecond] = useState({ user: '', password: '' })
  const [now, setNow] = useState(Date.now())
  const first = useRef<HTMLInputElement & HTMLSelectElement>(null)
  const cancelRef = useRef<HTMLButtonElement>(null)

  const select = async () => {
    setError(undefined)
    setResult(undefined)
    setSpent(false)
    setSel(undefined)
    try {
      const s = await getApi().rpc.call('commands.select', { asset: assetId, attribute: command.attribute, command: command.id })
      setSel(s)
      if (s.command.input === 'number' && typeof s.current === 'number') setText(String(s.current))
      if (s.command.input === 'state') setText(s.command.states?.[0]?.key ?? '')
    } catch (e) {
      setError(toErrorShape(e))
    }
  }
  useEffect(() => {
    void select()
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  useEffect(() => {
    if (sel) (first.current ?? cancelRef.current)?.focus()
  }, [sel])

  const close = () => {
    if (sel && !spent && !result) void getApi().rpc.call('commands.cancel', { token: sel.token }).catch(() => undefined)
    onClose()
  }
  const operate = async () => {
    if (!sel) return
    setBusy(true)
    setError(undefined)
    try {
      const value = parseCommandInput(text, sel.command)
      const r = await getApi().rpc.call('commands.operate', {
        token: sel.token,
        asset: assetId,
        attribute: sel.attribute,
        command: sel.command.id,
        ...(value !== undefined ? { value } : {}),
        ...(sel.command.critical ? { approval: second } : {}),
      })
      setResult(r)
      setSpent(true)
    } catch (e) {
      const err = toErrorShape(e)
      setError(err)
      if (!KEEPS_SELECTION.has(err.code)) setSpent(true)
    } finally {
      setBusy(false)
    }
  }
  const c = sel?.command ?? command
  const left = sel ? Math.max(0, Math.round((sel.expiresAt - now) / 1000)) : 0
  const expired = sel !== undefined && left === 0 && !result
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && close()}>
      <div
        className={`modal command-dialog${c.critical ? ' danger' : ''}`}
        role="alertdialog"
        aria-modal="true"
        aria-label={`${c.label}: confirm`}
        data-testid="command-dialog"
        onKeyDown={(e) => e.key === 'Escape' && !busy && close()}
      >
        <h3>
          {c.label}
          {c.critical && <span className="badge critical">two-person rule</span>}
        </h3>
        <div className="modal-body">
          {!sel && !error && <p>Selecting… (the target is locked to you while the dialog is open)</p>}
          {sel && (
            <dl>
              <dt>Asset</dt>
              <dd data-testid="command-asset">{sel.asset.path}</dd>
              <dt>Attribute</dt>
              <dd>{sel.attribute}</dd>
              <dt>Current value</dt>
              <dd data-testid="command-current">{commandValueText(sel.current, c)}</dd>
              {c.input !== 'none' && (
                <>
                  <dt>
                    <label htmlFor="command-value">New value</label>
                  </dt>
                  <dd>
                    {c.input === 'number' ? (
                      <span className="command-value">
                        <input id="command-value" ref={first} inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} disabled={busy || spent} data-testid="command-value" />
                        {c.unit && <span className="unit">{c.unit}</span>}
                      </span>
                    ) : (
                      <select id="command-value" ref={first} value={text} onChange={(e) => setText(e.target.value)} disabled={busy || spent} data-testid="command-value">
                        {c.states?.map((s) => (
                          <option key={s.key} value={s.key}>
                            {s.label}
                          </option>
                        ))}
                      </select>
                    )}
                  </dd>
                </>
              )}
              {c.limits && (
                <>
                  <dt>Limits</dt>
                  <dd>
                    {c.limits.lo} … {c.limits.hi}
                    {c.unit ? ` ${c.unit}` : ''}
                    {c.maxStep !== undefined ? ` · at most ${c.maxStep}${c.unit ? ` ${c.unit}` : ''} from the current value` : ''}
                  </dd>
                </>
              )}
              <dt>Acting</dt>
              <dd data-testid="command-user">{sel.user}</dd>
              <dt>Selection</dt>
              <dd className={left < 10 ? 'warn' : ''}>{result || spent ? 'used' : expired ? 'expired — select again' : `holds for ${left} s`}</dd>
              {c.critical && !result && (
                <>
                  <dt>
                    <label htmlFor="second-user">Second person</label>
                  </dt>
                  <dd className="second-person">
                    <input id="second-user" placeholder="user" autoComplete="off" value={second.user} onChange={(e) => setSecond({ ...second, user: e.target.value })} disabled={busy || spent} data-testid="second-user" />
                    <input type="password" placeholder="password" autoComplete="off" aria-label="Second person's password" value={second.password} onChange={(e) => setSecond({ ...second, password: e.target.value })} disabled={busy || spent} data-testid="second-password" />
                  </dd>
                </>
              )}
            </dl>
          )}
          {result && (
            <p className={`command-outcome ${result.outcome}`} role="status" data-testid="command-outcome">
              <strong>{outcomeText(result, c)}</strong>
              {result.approvedBy ? ` · approved by ${result.approvedBy}` : ''}
              {!result.audited ? ' · the outcome could not be written to the audit trail' : ''}
            </p>
          )}
        </div>
        {error && <ErrorNotice title={sel ? 'Not sent' : 'Cannot select'} error={error} />}
        <div className="modal-actions">
          <button ref={cancelRef} onClick={close} disabled={busy} data-testid="command-cancel">
            {result ? 'Close' : 'Cancel'}
          </button>
          {(spent || expired || (!sel && error)) && !result && (
            <button onClick={() => void select()} disabled={busy} data-testid="command-reselect">
              Select again
            </button>
          )}
          {!result && (
            <button className="primary" onClick={() => void operate()} disabled={busy || !sel || spent || expired} data-testid="command-operate">
              {busy ? 'Sending, verifying…' : c.input === 'none' ? c.label : 'Operate'}
            </button>
          )}
        </div>
      </div>
    </div>
  )
}
