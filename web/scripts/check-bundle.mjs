// Fails the build when the JavaScript a browser must load before the first
// screen (the entry chunk and everything it imports statically) exceeds the
// budget, gzipped. Lazy route chunks (dynamic imports) are not counted.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const BUDGET = 250 * 1024
const out = process.env.SHOUHU_WEB_OUT || 'dist'
const manifest = JSON.parse(readFileSync(join(out, '.vite', 'manifest.json'), 'utf8'))

const entries = Object.keys(manifest).filter((k) => manifest[k].isEntry)
if (entries.length === 0) {
  console.error('check-bundle: no entry chunk in the manifest')
  process.exit(1)
}
const seen = new Set()
const visit = (key) => {
  if (seen.has(key)) return
  seen.add(key)
  for (const dep of manifest[key].imports || []) visit(dep)
}
entries.forEach(visit)

let total = 0
const rows = []
for (const key of seen) {
  const file = manifest[key].file
  if (!file.endsWith('.js')) continue
  const gz = gzipSync(readFileSync(join(out, file)), { level: 9 }).length
  total += gz
  rows.push(`  ${(gz / 1024).toFixed(1).padStart(7)} KB  ${file}`)
}
console.log(`initial JavaScript 首屏脚本 (gzip): ${(total / 1024).toFixed(1)} KB of ${BUDGET / 1024} KB`)
console.log(rows.join('\n'))
if (total > BUDGET) {
  console.error(`check-bundle: initial JavaScript ${(total / 1024).toFixed(1)} KB gzipped exceeds the ${BUDGET / 1024} KB budget`)
  process.exit(1)
}
