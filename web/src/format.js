// Showing API values to people: labels in the chosen language, times in the
// organisation's time zone (never raw UTC strings), names instead of ids.
import { session } from './session.js'
import { i18n } from './i18n/index.js'

const t = (...a) => i18n.global.t(...a)
const lang = () => (i18n.global.locale.value === 'en' ? 'en' : 'zh')

// A {zh, en} label in the current language (the other when one is missing).
export function label(l, fallback = '') {
  if (!l) return fallback
  if (typeof l === 'string') return l
  return (lang() === 'en' ? l.en || l.zh : l.zh || l.en) || fallback
}

const formatters = new Map()
function formatter(kind) {
  const key = `${kind}|${i18n.global.locale.value}|${session.timeZone}`
  if (!formatters.has(key)) {
    const opts =
      kind === 'date'
        ? { year: 'numeric', month: '2-digit', day: '2-digit' }
        : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }
    formatters.set(key, new Intl.DateTimeFormat(i18n.global.locale.value, { ...opts, timeZone: session.timeZone }))
  }
  return formatters.get(key)
}

export function formatTime(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? String(iso) : formatter('time').format(d)
}

export function formatDate(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? String(iso) : formatter('date').format(d)
}

// "1小时23分" until `due`, or "逾期 5分" after it.
export function countdown(due, now) {
  const ms = new Date(due).getTime() - now
  const abs = Math.abs(ms)
  const d = Math.floor(abs / 86400000)
  const h = Math.floor((abs % 86400000) / 3600000)
  const m = Math.floor((abs % 3600000) / 60000)
  let span
  if (d > 0) span = t('time.dh', { d, h })
  else if (h > 0) span = t('time.hm', { h, m })
  else if (m > 0) span = t('time.m', { m })
  else span = t('time.s', { s: Math.floor(abs / 1000) })
  return ms >= 0 ? t('time.left', { span }) : t('time.overdue', { span })
}

export function unitName(id) {
  if (!id) return ''
  const u = session.units[id]
  return u ? label(u.name, id) : id
}

export function personName(id) {
  if (!id) return ''
  if (typeof id === 'object') return id.redacted ? t('case.redacted') : ''
  if (id === 'system') return t('case.system')
  const p = session.people[id]
  return p ? p.name : id
}

// The offset of `timeZone` at instant `date`, in minutes east of UTC.
function offsetMinutes(date, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(date).map((p) => [p.type, p.value]),
  )
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second)
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000)
}

// The organisation's wall time now, "YYYY-MM-DD HH:mm:ss" (what the picker holds).
export function nowWall() {
  const now = new Date()
  const local = new Date(now.getTime() + offsetMinutes(now, session.timeZone) * 60000)
  return local.toISOString().slice(0, 19).replace('T', ' ')
}

// "YYYY-MM-DD HH:mm:ss" in the organisation's zone -> RFC 3339 with its offset.
export function wallToRfc3339(wall) {
  const [date, time = '00:00:00'] = wall.split(' ')
  const guess = new Date(`${date}T${time}Z`)
  let off = offsetMinutes(guess, session.timeZone)
  off = offsetMinutes(new Date(guess.getTime() - off * 60000), session.timeZone)
  const sign = off >= 0 ? '+' : '-'
  const a = Math.abs(off)
  const hh = String(Math.floor(a / 60)).padStart(2, '0')
  const mm = String(a % 60).padStart(2, '0')
  return `${date}T${time}${sign}${hh}:${mm}`
}

// A field's value as text: enum values by their labels, lists joined, times
// local, unit ids by the unit's name.
export function fieldText(field, value) {
  if (value === undefined || value === null || value === '') return ''
  // A value the reader may not see (access rules) comes as {"redacted": true}.
  if (typeof value === 'object' && !Array.isArray(value) && value.redacted) return t('case.hidden')
  if (!field) return typeof value === 'object' ? JSON.stringify(value) : String(value)
  const valueLabel = (f, v) => label(f.value_labels && f.value_labels[v], v)
  switch (field.type) {
    case 'enum':
      return valueLabel(field, value)
    case 'list':
      const items = { ...(field.items || {}), value_labels: (field.items && field.items.value_labels) || field.value_labels }
      return (Array.isArray(value) ? value : [value])
        .map((v) => (field.items && field.items.type === 'enum' ? valueLabel(items, v) : String(v)))
        .join('、')
    case 'boolean':
      return value ? t('common.yes') : t('common.no')
    case 'datetime':
      return formatTime(value)
    case 'date':
      return formatDate(value)
    case 'attachments':
      return (Array.isArray(value) ? value : []).map((f) => f.name).join('、')
    default:
      // A unit id (a transfer's receiving unit) by the unit's name.
      return field.unit_types ? unitName(String(value)) : String(value)
  }
}
