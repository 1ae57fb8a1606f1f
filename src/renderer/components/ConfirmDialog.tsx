import { useEffect, useRef, useState, type ReactNode } from 'react'
import { toErrorShape } from '../api/errors'
import type { ErrorShape } from '../../shared/model'
import { ErrorNotice } from './ErrorNotice'
import './confirm-dialog.css'

interface Props {
  title: string
  children: ReactNode
  okLabel: string
  /** Runs the action; the dialog stays open (busy, then with the error) until it resolves. */
  onConfirm(): Promise<unknown>
  onClose(): void
  danger?: boolean
}

/**
 * An explicit confirm step: says exactly what will happen, Cancel has the focus (a stray Enter does nothing harmful),
 * Escape closes, the outcome or the error with its code stays visible.
 */
export function ConfirmDialog({ title, children, okLabel, onConfirm, onClose, danger }: Props) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorShape>()
  const cancel = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null
    cancel.current?.focus()
    return () => back?.focus?.()
  }, [])
  const ok = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await onConfirm()
      onClose()
    } catch (e) {
      setError(toErrorShape(e))
      setBusy(false)
    }
  }
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div
        className={`modal${danger ? ' danger' : ''}`}
        role="alertdialog"
        aria-modal="true"
        aria-label={title}
        data-testid="confirm-dialog"
        onKeyDown={(e) => e.key === 'Escape' && !busy && onClose()}
      >
        <h3>{title}</h3>
        <div className="modal-body">{children}</div>
        {error && <ErrorNotice title={`${okLabel} failed`} error={error} />}
        <div className="modal-actions">
          <button ref={cancel} onClick={onClose} disabled={busy} data-testid="confirm-cancel">
            Cancel
          </button>
          <button className="primary" onClick={() => void ok()} disabled={busy} data-testid="confirm-ok">
            {busy ? 'Working…' : okLabel}
          </button>
        </div>
      </div>
    </div>
  )
}
