import { useState } from 'react'
import type { CertificateEntry, CertificateSummary } from '../../../shared/contract'
import { getApi } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { ErrorNotice } from '../../components/ErrorNotice'
import { ConditionIcon } from '../../components/Icons'
import { useConnectionsStore } from '../../stores/connections-store'
import { certStatus, commonName, formatDay, formatThumbprint, sortCertificates, waitsForCertificate, type CertDisplayStatus } from './certificates'
import { useRpc } from './use-rpc'
import './certificates.css'

const STATUS_TEXT: Record<CertDisplayStatus, string> = { pending: 'PENDING REVIEW', trusted: 'Trusted', rejected: 'Rejected', expired: 'EXPIRED' }

function StatusTag({ s }: { s: CertDisplayStatus }) {
  const icon = s === 'pending' ? <ConditionIcon condition="uncertain" /> : s === 'trusted' ? <ConditionIcon condition="good" /> : <ConditionIcon condition="bad" />
  return (
    <span className={`cert-status s-${s}`}>
      {icon} {STATUS_TEXT[s]}
    </span>
  )
}

function Details({ c }: { c: CertificateSummary }) {
  return (
    <dl className="cert-details">
      <dt>Subject</dt>
      <dd>{c.subject}</dd>
      <dt>Issuer</dt>
      <dd>{c.selfSigned ? 'self-signed' : c.issuer}</dd>
      <dt>Thumbprint (SHA-1)</dt>
      <dd className="mono">{formatThumbprint(c.thumbprint)}</dd>
      <dt>Valid</dt>
      <dd className="tabular">
        {formatDay(c.validFrom)} → {formatDay(c.validTo)}
        {c.expired && <strong> (expired)</strong>}
      </dd>
      {c.applicationUri && (
        <>
          <dt>Application URI</dt>
          <dd className="mono">{c.applicationUri}</dd>
        </>
      )}
      {c.hosts.length > 0 && (
        <>
          <dt>Hosts</dt>
          <dd>{c.hosts.join(', ')}</dd>
        </>
      )}
    </dl>
  )
}

type Pending = { action: 'trust' | 'reject'; cert: CertificateEntry }

/** The trust list: Plantdeck's own certificate, then every server certificate, those waiting for a decision first. */
export function CertificatesPanel() {
  const certs = useRpc((rpc) => rpc.call('certificates.list', {}), 'certificates')
  const [confirm, setConfirm] = useState<Pending>()
  const conns = useConnectionsStore((s) => s.list)
  const waiting = conns.filter(waitsForCertificate)
  const list = certs.data ? sortCertificates(certs.data.certificates) : []
  return (
    <section className="panel eng-panel" data-testid="certificates-panel" aria-label="Certificates">
      <div className="panel-head">
        <h2>Certificates</h2>
        <span className="sub">{certs.data ? `${list.length} server certificate(s), ${list.filter((c) => certStatus(c) === 'pending').length} pending` : ''}</span>
        <span className="spacer" />
        <button onClick={() => void certs.reload()} disabled={certs.loading}>
          Refresh
        </button>
      </div>
      <div className="panel-body cert-body">
        {certs.error && <ErrorNotice title="Certificates could not be loaded" error={certs.error} onRetry={() => void certs.reload()} />}
        {waiting.map((c) => (
          <div key={c.id} className="cert-waiting" role="status">
            <ConditionIcon condition="uncertain" /> <strong>{c.name}</strong> waits: {c.reason}
          </div>
        ))}
        {!certs.data && !certs.error && <div className="empty">Loading certificates…</div>}
        {certs.data && (
          <>
            <h3 className="eng-h3">Plantdeck’s own certificate</h3>
            {certs.data.own ? (
              <article className="cert-card own" data-testid="certificate-own">
                <div className="cert-title">{commonName(certs.data.own.subject)}</div>
                <Details c={certs.data.own} />
              </article>
            ) : (
              <p className="muted">Not created yet: it is made on the first secure connection.</p>
            )}
            <h3 className="eng-h3">Server certificates</h3>
            {list.length === 0 && <p className="muted">No server has presented a certificate yet.</p>}
            {list.map((c) => {
              const s = certStatus(c)
              return (
                <article key={c.thumbprint} className={`cert-card s-${s}`} data-testid={`certificate-${c.thumbprint}`} data-status={s}>
                  <div className="cert-title">
                    <StatusTag s={s} /> {commonName(c.subject)}
                  </div>
                  <Details c={c} />
                  <div className="cert-actions">
                    {/* a trusted certificate a connection still waits on does not match that endpoint: trusting it again accepts that */}
                    {(c.status !== 'trusted' || waiting.some((w) => w.reason?.includes(c.thumbprint))) && (
                      <button data-testid={`certificate-trust-${c.thumbprint}`} onClick={() => setConfirm({ action: 'trust', cert: c })}>
                        Trust…
                      </button>
                    )}
                    {c.status !== 'rejected' && (
                      <button data-testid={`certificate-reject-${c.thumbprint}`} onClick={() => setConfirm({ action: 'reject', cert: c })}>
                        Reject…
                      </button>
                    )}
                  </div>
                </article>
              )
            })}
          </>
        )}
      </div>
      {confirm && (
        <ConfirmDialog
          title={confirm.action === 'trust' ? 'Trust this server certificate?' : 'Reject this server certificate?'}
          okLabel={confirm.action === 'trust' ? 'Trust' : 'Reject'}
          danger
          onClose={() => setConfirm(undefined)}
          onConfirm={async () => {
            await getApi().rpc.call(confirm.action === 'trust' ? 'certificates.trust' : 'certificates.reject', { thumbprint: confirm.cert.thumbprint })
            await certs.reload()
          }}
        >
          <Details c={confirm.cert} />
          <p>
            {confirm.action === 'trust'
              ? 'Compare the thumbprint with the one shown on the server. Once trusted, Plantdeck connects to any server presenting this certificate.'
              : 'Connections using this certificate end their session and stay stopped until it is trusted again.'}
          </p>
        </ConfirmDialog>
      )}
    </section>
  )
}
