/** Delay before reconnect attempt `attempt` (1-based): 0.5 s doubling to a 10 s ceiling, ±25 % jitter so clients do not stampede. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1))
  return Math.round(base * (0.75 + 0.5 * random()))
}
