import type { Quality } from '../../shared/model'

/** OPC UA status code → quality class: the top two bits of the code (Part 4, 7.34.1). */
export function qualityOf(statusValue: number): Quality {
  const severity = statusValue >>> 30
  if (severity === 0) return 'good'
  if (severity === 1) return 'uncertain'
  return 'bad'
}
