import { AppError } from '../../shared/model'

/** What `f` throws, as `code: message` for an AppError (so a test can match the stable code), or `no error`. */
export function errorText(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    return e instanceof AppError ? `${e.code}: ${e.message}` : String(e)
  }
  return 'no error'
}
