import { formatTimestamp } from '../lib/format'

/** A background job's last failure as a table cell shows it: its code, its message, when; a dash when there was none. */
export function LastError({ error }: { error: { code: string; message: string; at: number } | null | undefined }) {
  if (!error) return <>—</>
  return (
    <>
      <code>{error.code}</code> {error.message} <span className="muted tabular">{formatTimestamp(error.at)}</span>
    </>
  )
}
