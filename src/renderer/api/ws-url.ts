/**
 * WebSocket URL of the API next to the page: `ws(s)://host/api`. It never carries the token: the server exchanged
 * `?token=` for an HttpOnly cookie before this page loaded, and the browser sends that cookie with the upgrade.
 */
export function apiUrl(loc: { protocol: string; host: string }): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${loc.host}/api`
}
