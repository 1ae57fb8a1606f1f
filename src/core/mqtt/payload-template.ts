import { AppError } from '../../shared/model'

/** `{{name}}` → the value; strings are JSON-escaped (without quotes) so a JSON template stays valid JSON. */
export function fillTemplate(template: string, values: Record<string, string | number | boolean> = {}): string {
  return template.replace(/\{\{(\w{1,64})\}\}/g, (_m, name: string) => {
    if (!Object.hasOwn(values, name)) throw new AppError('mqtt.bad_template', `no value for {{${name}}}`)
    const v = values[name]!
    return typeof v === 'string' ? JSON.stringify(v).slice(1, -1) : String(v)
  })
}
