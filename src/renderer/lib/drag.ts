import type { AttributeBinding } from '../../shared/contract/asset-model'

/** A source from a protocol browser (an OPC UA node, an MQTT topic), dragged as the binding it would make. */
export const SOURCE_MIME = 'application/x-plantdeck-source'
/** An asset of the model, dragged to move it under another. */
export const ASSET_MIME = 'application/x-plantdeck-asset'

export interface DraggedSource {
  binding: AttributeBinding
  /** What the engineer dragged, as they read it (a browse name, a topic). */
  label: string
}

export function dragSource(e: React.DragEvent, source: DraggedSource): void {
  e.dataTransfer.setData(SOURCE_MIME, JSON.stringify(source))
  e.dataTransfer.setData('text/plain', source.label)
  e.dataTransfer.effectAllowed = 'copy'
}

export function dragAsset(e: React.DragEvent, asset: { id: string; path: string }): void {
  e.dataTransfer.setData(ASSET_MIME, JSON.stringify(asset))
  e.dataTransfer.setData('text/plain', asset.path)
  e.dataTransfer.effectAllowed = 'move'
}

/** What a drop target accepts: a dragged source or asset (types are readable during dragover, data only on drop). */
export const carries = (e: React.DragEvent, mime: string) => e.dataTransfer.types.includes(mime)

/** The dragged item, or undefined when the data is not ours or not well formed (a drop from another page, say). */
export function dropped<T>(e: React.DragEvent, mime: string, ok: (v: unknown) => v is T): T | undefined {
  try {
    const v: unknown = JSON.parse(e.dataTransfer.getData(mime))
    return ok(v) ? v : undefined
  } catch {
    return undefined
  }
}

export const isSource = (v: unknown): v is DraggedSource =>
  typeof v === 'object' && v !== null && typeof (v as DraggedSource).label === 'string' && typeof (v as DraggedSource).binding?.kind === 'string'
export const isAsset = (v: unknown): v is { id: string; path: string } => typeof v === 'object' && v !== null && typeof (v as { id: unknown }).id === 'string'

/** An attribute row of a faceplate, dragged onto a trend as a pen. */
export const SIGNAL_MIME = 'application/x-plantdeck-signal'

export function dragSignal(e: React.DragEvent, signal: { signal: string; label: string }): void {
  e.dataTransfer.setData(SIGNAL_MIME, JSON.stringify(signal))
  e.dataTransfer.setData('text/plain', signal.label)
  e.dataTransfer.effectAllowed = 'copy'
}

export const isSignal = (v: unknown): v is { signal: string; label: string } =>
  typeof v === 'object' && v !== null && typeof (v as { signal: unknown }).signal === 'string' && typeof (v as { label: unknown }).label === 'string'
