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

/** The stable code of what `f` throws (`no error` when it does not). */
export function thrownCode(f: () => unknown): string {
  return thrown(f).code
}

/** The code and message of what `f` throws (`no error` and '' when it does not). */
export function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f()
  } catch (e) {
    return { code: (e as { code?: string }).code ?? String(e), message: (e as Error).message }
  }
  return { code: 'no error', message: '' }
}
