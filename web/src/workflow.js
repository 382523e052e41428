// Reading workflow definitions for the screens: which workflows the user may
// open, what happens after a step (its owner and deadline), durations in words.
import { api } from './api.js'
import { session } from './session.js'
import { i18n } from './i18n/index.js'
import { label } from './format.js'

const t = (...a) => i18n.global.t(...a)

// The newest version of each workflow the user's roles may open.
export async function openableWorkflows() {
  const { workflows } = await api.workflows()
  const newest = new Map()
  for (const w of workflows) {
    if (!newest.has(w.id) || newest.get(w.id).version < w.version) newest.set(w.id, w)
  }
  const roles = new Set((session.user && session.user.roles) || [])
  return [...newest.values()].filter((w) => (w.open_roles || []).some((r) => roles.has(r)))
}

// "PT2H" -> "2小时"; "P5D" with working days -> "5个工作日".
export function durationText(iso, workingDays) {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso || '')
  if (!m) return iso || ''
  const names = ['years', 'months', 'weeks', workingDays ? 'workingDays' : 'days', 'hours', 'minutes', 'seconds']
  const parts = []
  m.slice(1).forEach((n, i) => {
    if (n && Number(n) > 0) parts.push(t(`duration.${names[i]}`, { n: Number(n) }, Number(n)))
  })
  return parts.length ? parts.join(' ') : t('duration.now')
}

export function roleLabel(def, roleId) {
  const r = (def.roles || []).find((x) => x.id === roleId)
  return r ? label(r.label, roleId) : roleId
}

export function stateDef(def, stateId) {
  return (def.states || []).find((s) => s.id === stateId)
}

export function stateLabel(def, stateId) {
  const s = def && stateDef(def, stateId)
  return s ? label(s.label, stateId) : stateId
}

// What a timer of a state means: its label (the service level's, when it
// names one) and its duration in words.
export function timerInfo(def, state, timerId) {
  const s = stateDef(def, state)
  const timer = s && (s.timers || []).find((x) => x.id === timerId)
  if (!timer) return null
  const level = timer.service_level && (def.service_levels || []).find((l) => l.id === timer.service_level)
  const within = level ? level.within : timer.after || timer.every
  const working = (level ? level.in : timer.in) === 'working_days'
  // A level set per value of a field ("by"): each of its durations.
  const text =
    within && typeof within === 'object'
      ? [...new Set(Object.values(within))].map((d) => durationText(d, working)).join(' / ')
      : durationText(within, working)
  let what = ''
  if (level) what = label(level.label)
  else if (timer.event) {
    const e = (def.events || []).find((x) => x.id === timer.event)
    what = e ? label(e.label) : timer.event
  } else if (timer.escalate) {
    const e = (def.escalations || []).find((x) => x.id === timer.escalate)
    what = e ? label(e.label) : timer.escalate
  }
  return { id: timer.id, what, within: text, every: !!timer.every, own: !timer.from_field }
}

// "民警将在2小时内处理：已报告" for a case that just entered `state`.
export function nextStep(def, state) {
  const s = stateDef(def, state)
  if (!s) return ''
  const who = s.owner_role ? roleLabel(def, s.owner_role) : ''
  // The step's own deadline, counted from entering it; a deadline counted
  // from a field (a reply owed since acceptance, an opinion's answer) runs
  // beside the step.
  const timers = (s.timers || []).map((x) => timerInfo(def, state, x.id)).filter((x) => x && !x.every)
  const first = timers.find((x) => x.own) || timers[0]
  if (who && first) return t('report.nextWithin', { who, within: first.within, what: first.what || label(s.label) })
  if (who) return t('report.nextBy', { who, state: label(s.label) })
  return label(s.label)
}

// The event definitions of `def` by id.
export function eventDef(def, id) {
  return (def.events || []).find((e) => e.id === id)
}

// The flags a case raises (its `flags`: ids from the API) as the definition
// declares them: label and level, which is the Element Plus tag type
// (info grey, warning yellow, danger red).
export function flagTags(def, ids) {
  const declared = (def && def.flags) || []
  return (ids || []).map((id) => {
    const f = declared.find((x) => x.id === id)
    return { id, label: f ? label(f.label, id) : id, level: f ? f.level : 'info' }
  })
}
