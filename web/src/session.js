// Who is signed in and the organisation data every screen shows names from:
// the user (/me, with capabilities and time zone), units and people by id,
// and workflow definitions by id@version. Loaded once after sign-in.
import { reactive } from 'vue'
import { api, setCsrfToken } from './api.js'

export const session = reactive({
  user: null, // GET /api/v1/me
  timeZone: 'Asia/Shanghai',
  units: {}, // id -> {id, name: {zh, en}, type, parent}
  people: {}, // id -> {id, name, unit, roles}
  loaded: false,
})

const definitions = new Map() // "id@version" or "id" -> definition JSON

export function can(capability) {
  return !!session.user && (session.user.capabilities || []).includes(capability)
}

// Called with the body of POST/GET /api/v1/session.
export async function startSession(body) {
  setCsrfToken(body.csrf_token)
  session.user = body.user
  if (body.user && body.user.time_zone) session.timeZone = body.user.time_zone
  await loadDirectory()
}

// Also after the organisation changed (the administration page).
export async function loadDirectory() {
  const [units, people] = await Promise.allSettled([api.units(), api.people()])
  if (units.status === 'fulfilled') {
    session.units = Object.fromEntries(units.value.units.map((u) => [u.id, u]))
    if (units.value.time_zone) session.timeZone = units.value.time_zone
  }
  if (people.status === 'fulfilled') {
    session.people = Object.fromEntries(people.value.people.map((p) => [p.id, p]))
  }
  session.loaded = true
}

// Restores a session after a page load: the cookie's session, or in dev a token.
export async function restoreSession() {
  if (session.user) return true
  try {
    await startSession(await api.session())
    return true
  } catch (e) {
    if (import.meta.env.DEV && localStorage.getItem('shouhu.devToken')) {
      const me = await api.me()
      await startSession({ user: me, csrf_token: '' })
      return true
    }
    return false
  }
}

export function endSession() {
  setCsrfToken('')
  session.user = null
  session.units = {}
  session.people = {}
  session.loaded = false
  definitions.clear()
}

// The definition a case runs on (its version), or the newest.
export async function definition(id, version) {
  const key = version ? `${id}@${version}` : id
  if (!definitions.has(key)) {
    definitions.set(key, api.workflow(id, version).then((w) => w.definition))
  }
  try {
    return await definitions.get(key)
  } catch (e) {
    definitions.delete(key)
    throw e
  }
}

// Ids of the units in `unit`'s subtree (itself included) and in the
// subtrees of the units it serves.
export function subtree(unit) {
  const children = {}
  for (const u of Object.values(session.units)) (children[u.parent] ||= []).push(u.id)
  const out = []
  // A police station's jurisdiction also holds the townships it serves.
  const stack = [unit, ...(session.units[unit]?.serves || [])]
  while (stack.length) {
    const id = stack.pop()
    out.push(id)
    stack.push(...(children[id] || []))
  }
  return out
}
