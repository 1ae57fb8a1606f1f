export const TOKEN_KEY = 'plantdeck.token'

/** The token from `?token=` if present (remembered in `storage` so reloads work), else the remembered one. */
export function resolveToken(search: string, storage?: Pick<Storage, 'getItem' | 'setItem'>): string | null {
  const fromUrl = new URLSearchParams(search).get('token')
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_KEY, fromUrl)
    } catch {
      /* storage may be disabled; the URL still carries the token */
    }
    return fromUrl
  }
  try {
    return storage?.getItem(TOKEN_KEY) ?? null
  } catch {
    return null
  }
}

/** WebSocket URL of the API next to the page: `ws(s)://host/api[?token=…]`. */
export function apiUrl(loc: { protocol: string; host: string }, token?: string | null): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws'
  const q = token ? `?token=${encodeURIComponent(token)}` : ''
  return `${scheme}://${loc.host}/api${q}`
}
