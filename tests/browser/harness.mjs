// Browser tests' harness: a real shouhud from the build tree on port 0 with a
// temporary data directory, the sample county, the bundled (or patched)
// workflows and the built web app; Debian's chromium driven by
// playwright-core; axe-core for accessibility; screenshots to the test output
// folder. No sleeps: waits are on the daemon's log lines and on the page.
import { spawn, execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, cpSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import assert from 'node:assert/strict'

export const SOURCE = resolve(process.env.SHOUHU_SOURCE_DIR || new URL('../..', import.meta.url).pathname)
export const BUILD = resolve(process.env.SHOUHU_BINARY_DIR || join(SOURCE, 'build'))
export const SHOTS = process.env.SHOUHU_SCREENSHOTS || join(BUILD, 'tests', 'browser-screenshots')

// playwright-core and axe-core are the web app's dev dependencies.
const webRequire = createRequire(join(SOURCE, 'web', 'package.json'))
const { chromium } = webRequire('playwright-core')
const axeSource = readFileSync(webRequire.resolve('axe-core/axe.min.js'), 'utf8')

// The bundled mandatory report with `edit(definition)` applied, in a folder
// of its own beside the calendars.
export function workflowsWith(edit) {
  const dir = mkdtempSync(join(tmpdir(), 'shouhu-wf-'))
  const w = JSON.parse(readFileSync(join(SOURCE, 'workflows', 'mandatory_report.json'), 'utf8'))
  edit(w)
  writeFileSync(join(dir, 'mandatory_report.json'), JSON.stringify(w, null, 1))
  cpSync(join(SOURCE, 'workflows', 'calendars'), join(dir, 'calendars'), { recursive: true })
  return dir
}

export class Daemon {
  // `workflows`: folders of definitions (default: the bundled ones);
  // `notifiers`: the config's notifiers section, if any.
  constructor({ workflows, notifiers } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'shouhu-browser-'))
    this.dataDir = join(this.dir, 'data')
    mkdirSync(this.dataDir)
    const config = {
      data_dir: 'data',
      workflows: workflows || [join(SOURCE, 'workflows')],
      organisation: join(SOURCE, 'deploy', 'county', 'organisation.json'),
      listen: '127.0.0.1:0',
      web_root: join(BUILD, 'web'),
      encryption: { key_file: 'shouhud.key' },
    }
    // A data key as `shouhu key init` writes it, for the owner only.
    writeFileSync(join(this.dir, 'shouhud.key'),
      `shouhu-key-v1 ${randomBytes(4).toString('hex')} ${randomBytes(32).toString('hex')}\n`, { mode: 0o600 })
    if (notifiers) config.notifiers = notifiers
    this.config = join(this.dir, 'shouhud.json')
    writeFileSync(this.config, JSON.stringify(config, null, 1))
    this.log = ''
    this.waiters = []
  }

  // Starts shouhud and resolves once it is listening and ready.
  async start() {
    this.proc = spawn(join(BUILD, 'engine', 'shouhud'), ['--config', this.config], { stdio: ['ignore', 'pipe', 'pipe'] })
    const take = (chunk) => {
      this.log += chunk.toString()
      for (const w of [...this.waiters]) w()
    }
    this.proc.stdout.on('data', take)
    this.proc.stderr.on('data', take)
    this.exited = new Promise((res) => this.proc.on('exit', (code) => { this.exitCode = code; for (const w of [...this.waiters]) w(); res(code) }))
    await this.waitForLog(/shouhud: ready/)
    const m = /listening on (\S+)/.exec(this.log)
    assert.ok(m, this.log)
    this.url = `http://${m[1]}`
  }

  // Resolves when the log (from `from` on) matches `re`; rejects if shouhud exits.
  waitForLog(re, from = 0) {
    return new Promise((res, rej) => {
      const check = () => {
        const m = re.exec(this.log.slice(from))
        if (m) {
          this.waiters = this.waiters.filter((w) => w !== check)
          res(m)
        } else if (this.exitCode !== undefined) {
          this.waiters = this.waiters.filter((w) => w !== check)
          rej(new Error(`shouhud exited (${this.exitCode}) before ${re}:\n${this.log}`))
        }
      }
      this.waiters.push(check)
      check()
    })
  }

  // Waits until `check()` resolves truthy, checking again after each batch of
  // timer firings the daemon logs.
  async waitForFirings(check, max = 60) {
    for (let i = 0; i < max; i++) {
      const mark = this.log.length
      const v = await check()
      if (v) return v
      await this.waitForLog(/shouhud: fired/, mark)
    }
    throw new Error('gave up waiting for timer firings')
  }

  cli(args) {
    return execFileSync(join(BUILD, 'engine', 'shouhu'), args, { encoding: 'utf8' })
  }

  // A Bearer token for `user`, issued offline into the data directory.
  token(user) {
    const out = this.cli(['token', 'issue', '--data-dir', this.dataDir, '--user', user, '--label', 'browser-test', '--quiet'])
    return out.trim().split(/\s+/).pop()
  }

  async api(token, method, path, body) {
    const res = await fetch(this.url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `${Date.now()}-${Math.random()}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : null }
  }

  // Gives `user` a password through an invitation (the administrator's API).
  async setPassword(adminToken, user, password) {
    const inv = await this.api(adminToken, 'POST', `/api/v1/users/${user}/invitation`, {})
    assert.equal(inv.status, 201, JSON.stringify(inv.body))
    const res = await fetch(`${this.url}/api/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: inv.body.code, password }),
    })
    assert.equal(res.status, 200, await res.text())
  }

  async stop() {
    if (this.proc && this.exitCode === undefined) {
      this.proc.kill('SIGTERM')
      await this.exited
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.SHOUHU_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Playwright starts chromium with a fresh temporary --user-data-dir.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
}

export const PHONE = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true }
export const DESKTOP = { viewport: { width: 1280, height: 860 } }

// A browser context (its own cookies) whose console errors and CSP
// violations fail the test.
export async function newPage(browser, options = DESKTOP) {
  const context = await browser.newContext({ ...options, locale: 'zh-CN', timezoneId: 'UTC' })
  context.setDefaultTimeout(15000)
  const page = await context.newPage()
  page.problems = []
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) page.problems.push(m.text())
  })
  return page
}

// No serious or critical axe-core violation on the page as it is now.
export async function checkA11y(page, screen) {
  await page.evaluate(axeSource)
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  )
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`),
    [],
    `accessibility violations on ${screen}`,
  )
}

// A full-page screenshot in the test output folder, then the axe check.
export async function screen(page, name) {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  await checkA11y(page, name)
  assert.deepEqual(page.problems, [], `browser errors on ${name}`)
}

export async function signIn(page, base, login, password) {
  await page.goto(`${base}/signin`)
  await page.getByLabel('用户编号或手机号').fill(login)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByRole('button', { name: '退出登录' }).waitFor()
}

// Picks `option` in the Element Plus select labelled `label`.
// Picks `option` in the select `field` (a locator of its input), again until
// `shown` (text or RegExp) shows in the field: a click on the option list
// while Element Plus is still drawing it can be lost, and the list stays open.
export async function pick(page, field, option, shown) {
  const item = field.locator('xpath=ancestor::div[contains(concat(" ", normalize-space(@class), " "), " el-select ")][1]')
    .locator('.el-select__selected-item:not(.is-transparent), .el-tag', { hasText: shown })
  for (let tries = 0; tries < 3 && !(await item.count()); tries++) {
    if (!(await page.getByRole('option', { name: option, exact: typeof option === 'string' }).isVisible())) await field.click()
    await page.getByRole('option', { name: option, exact: typeof option === 'string' }).click()
    await item.first().waitFor({ timeout: 3000 }).catch(() => {})
  }
  await item.first().waitFor()
}

export async function choose(page, label, option) {
  await pick(page, page.getByLabel(label, { exact: true }), option, option)
}
