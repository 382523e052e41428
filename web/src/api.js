// The one client of shouhud's API (/api/v1). A browser is signed in by the
// session cookie (HttpOnly, so never read here); every write carries the
// session's CSRF token, and a 401 sends the user to sign-in. Errors come back
// as ApiError with the API's code, message and per-field messages.
// In `npm run dev` only, a Bearer token in localStorage "shouhu.devToken"
// stands in for a session (the shipped build has no such path).

const BASE = '/api/v1'
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken = ''
let onUnauthenticated = () => {}

export class ApiError extends Error {
  constructor(status, code, message, fields, details) {
    super(message)
    this.status = status
    this.code = code
    this.fields = fields || {}
    this.details = details || {} // the error object's other members
  }
}

export function setCsrfToken(token) {
  csrfToken = token || ''
}

// `handler(path)` runs when a request (other than signing in) is answered 401.
export function setUnauthenticatedHandler(handler) {
  onUnauthenticated = handler
}

// A key that makes a retried write return the first answer (Idempotency-Key).
// crypto.randomUUID needs a secure context; plain HTTP on a county LAN is not.
export function requestKey() {
  const b = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

// `raw`: bytes (a Blob) sent as they are, with `extraHeaders`; else `body` as JSON.
async function request(method, path, { body, raw, extraHeaders, query, idempotencyKey, quiet401 } = {}) {
  const headers = { Accept: 'application/json', ...extraHeaders }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (raw !== undefined) headers['Content-Type'] = 'application/offset+octet-stream'
  if (WRITES.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey
  if (import.meta.env.DEV) {
    const token = localStorage.getItem('shouhu.devToken')
    if (token) headers.Authorization = `Bearer ${token}`
  }
  let url = BASE + path
  if (query) {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v)
    const s = q.toString()
    if (s) url += `?${s}`
  }
  let res
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (e) {
    throw new ApiError(0, 'network', e.message)
  }
  const text = res.status === 204 ? '' : await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (res.ok) return data
  const err = (data && data.error) || {}
  const error = new ApiError(res.status, err.code || String(res.status), err.message || res.statusText, err.fields || (data && data.fields), err)
  if (res.status === 401 && !quiet401) onUnauthenticated(path)
  throw error
}

const get = (path, query, opts) => request('GET', path, { query, ...opts })
const enc = encodeURIComponent

export const api = {
  // Sessions (sign-in). A failed sign-in is a 401 the form shows itself.
  signIn: (login, password) => request('POST', '/session', { body: { login, password }, quiet401: true }),
  session: () => get('/session', undefined, { quiet401: true }),
  signOut: () => request('DELETE', '/session', { quiet401: true }),
  acceptInvitation: (code, password) =>
    request('POST', '/invitations/accept', { body: { code, password }, quiet401: true }),

  me: () => get('/me'),
  units: () => get('/units'),
  people: () => get('/people'),
  workflows: () => get('/workflows'),
  workflow: (id, version) => get(`/workflows/${enc(id)}`, { version }),

  cases: (query) => get('/cases', query),
  getCase: (id) => get(`/cases/${enc(id)}`),
  openCase: (workflow, data, key) =>
    request('POST', '/cases', { body: { workflow, data }, idempotencyKey: key }),
  fire: (id, event, data, expectedSeq, key) =>
    request('POST', `/cases/${enc(id)}/events`, {
      body: { event, data, expected_seq: expectedSeq },
      idempotencyKey: key,
    }),
  addNote: (id, text, attachments, key) =>
    request('POST', `/cases/${enc(id)}/notes`, { body: { text, attachments }, idempotencyKey: key }),

  // Evidence files (uploads.js sends them in chunks that resume).
  beginUpload: (name, size, keepMetadata) =>
    request('POST', '/uploads', { body: { name, size, keep_metadata: !!keepMetadata } }),
  getUpload: (id) => get(`/uploads/${enc(id)}`),
  appendUpload: (id, offset, bytes) =>
    request('PATCH', `/uploads/${enc(id)}`, { raw: bytes, extraHeaders: { 'Upload-Offset': String(offset) } }),
  // Where a case's file is read (the browser sends the session cookie).
  fileUrl: (caseId, fileId) => `${BASE}/cases/${enc(caseId)}/files/${enc(fileId)}`,
  assign: (id, owner, key) => request('PUT', `/cases/${enc(id)}/owner`, { body: { owner }, idempotencyKey: key }),

  escalations: () => get('/escalations'),
  deadLetters: (after) => get('/dead-letters', { after, limit: 200 }),
  redrive: (id) => request('POST', `/dead-letters/${enc(id)}/redrive`, { body: {} }),
  stats: () => get('/stats'),
  // Reports (统计报表) and spot checks (随机抽查), reports.read.
  report: (name, query) => get(`/reports/${enc(name)}`, query),
  spotCheck: (body) => request('POST', '/spot-checks', { body }),

  child: (id, asOf) => get(`/children/${enc(id)}`, { as_of: asOf }),
  childHistory: (id) => get(`/children/${enc(id)}/history`),
  searchChildren: (query) => get('/children', query),
  createChild: (unit, fields, confirmNew, key) =>
    request('POST', '/children', { body: { unit, fields, confirm_new: !!confirmNew }, idempotencyKey: key }),
  updateChild: (id, fields, key) => request('PATCH', `/children/${enc(id)}`, { body: { fields }, idempotencyKey: key }),
  mergeChild: (into, from, key) => request('POST', `/children/${enc(into)}/merge`, { body: { from }, idempotencyKey: key }),
  // A roster file as it is (.xlsx or CSV); mapping: column heading -> field.
  rosterPreview: (unit, name, bytes, mapping) =>
    request('POST', '/roster/preview', { raw: bytes, query: { unit, name, mapping: mapping && JSON.stringify(mapping) } }),
  rosterImport: (unit, name, bytes, mapping) =>
    request('POST', '/roster/import', { raw: bytes, query: { unit, name, mapping: mapping && JSON.stringify(mapping) } }),
  exportUrl: (query) => `${BASE}/exports/children?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''))}`,

  users: () => get('/users'),
  // Units and users at run time (org.manage): members left out keep their value.
  createUser: (user) => request('POST', '/users', { body: user }),
  updateUser: (id, change) => request('PATCH', `/users/${enc(id)}`, { body: change }),
  createUnit: (unit) => request('POST', '/units', { body: unit }),
  updateUnit: (id, change) => request('PATCH', `/units/${enc(id)}`, { body: change }),
  invite: (user) => request('POST', `/users/${enc(user)}/invitation`, { body: {} }),
  sessions: () => get('/sessions'),
  endSession: (id) => request('DELETE', `/sessions/${enc(id)}`),
  tokens: () => get('/tokens'),
  issueToken: (user, ttl, label) => request('POST', '/tokens', { body: { user, ttl, label } }),
  revokeToken: (id) => request('DELETE', `/tokens/${enc(id)}`),
}

// Every page of a paged list (`next` cursors), up to `max` items.
export async function allPages(fetchPage, key, max = 1000) {
  const items = []
  let after
  for (;;) {
    const page = await fetchPage(after)
    items.push(...(page[key] || []))
    if (!page.next || items.length >= max) return items
    after = page.next
  }
}
