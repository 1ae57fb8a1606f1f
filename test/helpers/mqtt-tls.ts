import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface TestPki {
  ca: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** A second CA that signed nothing here: trusting it must fail the handshake. */
  otherCa: string
}

const ssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' })

function key(dir: string, name: string): string {
  ssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir)
  return join(dir, `${name}.key`)
}

function selfSignedCa(dir: string, name: string): string {
  key(dir, name)
  ssl(['req', '-x509', '-new', '-key', `${name}.key`, '-sha256', '-days', '2', '-subj', `/CN=${name}`, '-out', `${name}.crt`], dir)
  return join(dir, `${name}.crt`)
}

function signed(dir: string, name: string, cn: string, ext: string): string {
  key(dir, name)
  ssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`], dir)
  writeFileSync(join(dir, `${name}.ext`), ext)
  ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir)
  return join(dir, `${name}.crt`)
}

/** A test CA, a server certificate for DNS name `localhost` only (no IP), and a client certificate, made with openssl. */
export function makeTestPki(dir: string): TestPki {
  const ca = selfSignedCa(dir, 'ca')
  const serverCert = signed(dir, 'server', 'localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n')
  const clientCert = signed(dir, 'client', 'plantdeck-test', 'extendedKeyUsage=clientAuth\n')
  return { ca, serverCert, serverKey: join(dir, 'server.key'), clientCert, clientKey: join(dir, 'client.key'), otherCa: selfSignedCa(dir, 'other') }
}

/** mosquitto listener options: TLS with this PKI, client certificates required. */
export const tlsListenerConf = (p: TestPki) => `cafile ${p.ca}\ncertfile ${p.serverCert}\nkeyfile ${p.serverKey}\nrequire_certificate true\n`
