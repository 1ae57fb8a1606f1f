import type { Principal } from '../../shared/model/principal'

/**
 * Checks a user's credentials without binding a session: the two-person rule of commands asks a second person for
 * theirs. Throws `auth.bad_credentials` (or `auth.locked` once rate-limited) and never says which part was wrong.
 */
export interface CredentialCheck {
  verify(user: string, password: string, from: string): Promise<Principal>
}
