// Loading the cases of the user's jurisdiction for the queues, with each
// open case's full record (its timers give the deadlines).
import { api, allPages } from './api.js'
import { session, subtree, definition } from './session.js'
import { label } from './format.js'
import { stateDef } from './workflow.js'

const MAX_DETAILS = 100

// Summaries of the cases of every unit in the user's subtree. A big subtree
// (a county) is listed by workflow state instead of by unit (fewer requests);
// the API keeps only what is in the caller's jurisdiction either way.
export async function jurisdictionCases() {
  const units = subtree(session.user.unit)
  let lists
  if (units.length <= 30) {
    lists = units.map((unit) => allPages((after) => api.cases({ unit, after, limit: 200 }), 'cases'))
  } else {
    const { workflows } = await api.workflows()
    const pairs = new Set()
    for (const w of workflows) for (const s of w.states || []) if (!s.terminal) pairs.add(`${w.id}\n${s.id}`)
    lists = [...pairs].map((p) => {
      const [workflow, state] = p.split('\n')
      return allPages((after) => api.cases({ workflow, state, after, limit: 200 }), 'cases')
    })
  }
  const seen = new Map()
  for (const list of await Promise.all(lists)) for (const c of list) seen.set(c.id, c)
  return [...seen.values()]
}

export async function ownCases() {
  return allPages((after) => api.cases({ owner: 'me', after, limit: 200 }), 'cases')
}

// Open cases (not in a terminal state) with their full records and
// definitions, most urgent first: overdue, then the nearest deadline.
export async function withDetails(summaries) {
  const open = []
  for (const c of summaries) {
    const def = await definition(c.workflow, c.workflow_version).catch(() => null)
    const s = def && stateDef(def, c.state)
    if (!s || !s.terminal) open.push({ summary: c, def })
  }
  const rows = await Promise.all(
    open.slice(0, MAX_DETAILS).map(async ({ summary, def }) => {
      const full = await api.getCase(summary.id).catch(() => summary)
      const timers = (full.timers || []).slice().sort((a, b) => (a.due < b.due ? -1 : 1))
      return { ...summary, ...full, def, timers, nextDue: timers.length ? timers[0].due : null, child: childText(def, full.data) }
    }),
  )
  rows.sort((a, b) => {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1
    if (!a.nextDue) return b.nextDue ? 1 : 0
    if (!b.nextDue) return -1
    return a.nextDue < b.nextDue ? -1 : 1
  })
  return rows
}

// The child as the workflow identifies them (its `child.identity` fields).
export function childText(def, data) {
  if (!def || !data) return ''
  const ids = (def.child && def.child.identity) || []
  return ids.map((id) => data[id]).filter(Boolean).join(' · ')
}

// A timer's meaning: its deadline's label or its escalation's.
export function timerLabel(def, state, timer) {
  if (!def) return timer.name
  if (timer.escalation) {
    const e = (def.escalations || []).find((x) => x.id === timer.escalation)
    return e ? label(e.label, timer.escalation) : timer.escalation
  }
  const s = stateDef(def, state)
  const x = s && (s.timers || []).find((y) => y.id === timer.name)
  if (!x) return timer.name
  if (x.service_level) {
    const l = (def.service_levels || []).find((y) => y.id === x.service_level)
    if (l) return label(l.label, x.id)
  }
  const target = x.event
    ? (def.events || []).find((e) => e.id === x.event)
    : (def.escalations || []).find((e) => e.id === x.escalate)
  return target ? label(target.label, x.id) : x.id
}
