// The fields of the child's file (一人一档) as the workflows declare them:
// each field's definition (the newest workflow that has it wins), the
// identity fields and every file field in order. The app knows no workflow:
// this is read from the definitions the API serves.
import { api } from './api.js'
import { definition } from './session.js'

let loaded = null

async function load() {
  const { workflows } = await api.workflows()
  const newest = {}
  for (const w of workflows) if (!newest[w.id] || newest[w.id].version < w.version) newest[w.id] = w
  const defs = (await Promise.all(Object.values(newest).map((w) => definition(w.id, w.version).catch(() => null)))).filter(Boolean)
  const byId = {}
  for (const d of defs) for (const f of d.fields || []) if (!byId[f.id]) byId[f.id] = f
  const withChild = defs.filter((d) => d.child)
  const identity = withChild.length ? withChild[0].child.identity : []
  const order = []
  for (const d of withChild) for (const id of d.child.fields) if (!order.includes(id)) order.push(id)
  // A definition FieldForm can draw: the file's fields, identity first.
  const form = { id: 'child_file', version: 1, fields: order.map((id) => byId[id]).filter(Boolean) }
  return { byId, identity, order, form, optional: order.filter((id) => !identity.includes(id)) }
}

export function childFields() {
  if (!loaded) loaded = load().catch((e) => ((loaded = null), Promise.reject(e)))
  return loaded
}
