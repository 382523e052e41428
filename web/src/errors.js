// The API's errors as people read them: per-field messages where the API
// names a field (its "fields" member, or the field quoted in its message),
// else one line for the whole form.
import { i18n } from './i18n/index.js'

export function formErrors(error, fieldIds) {
  const t = i18n.global.t
  const fields = {}
  for (const [k, v] of Object.entries(error.fields || {})) fields[k] = v
  if (Object.keys(fields).length === 0 && error.code === 'invalid_data') {
    const m = /field "([^"]+)"/.exec(error.message || '')
    if (m && fieldIds.includes(m[1])) fields[m[1]] = error.message
  }
  let general = ''
  if (Object.keys(fields).length === 0) {
    const known = ['conflict', 'forbidden', 'not_found', 'rate_limited', 'network', 'unavailable', 'overloaded', 'timeout', 'csrf']
    general = known.includes(error.code) ? `${t(`errors.${error.code}`)}${error.message ? `：${error.message}` : ''}` : error.message
  }
  return { fields, general }
}
