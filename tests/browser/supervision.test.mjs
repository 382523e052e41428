// A county supervisor sees a report that nobody accepted in time (a copy of
// the workflow whose acceptance deadline is two seconds) escalated to them,
// under its township; re-drives a notification that could not be delivered
// (every channel points at a closed port, one attempt); sees the charts.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Daemon, BUILD, workflowsWith, launchBrowser, newPage, screen, signIn } from './harness.mjs'

const PASSWORD = 'Shouhu-test-2026'
const SUPERVISOR = 'u0001' // 李磊, 县督查
const TEACHER = 'u0021'

// Acceptance due in 2 s; its escalation reaches the county at once after.
function quickAcceptance(w) {
  const level = w.service_levels.find((l) => l.id === 'immediate')
  level.within = 'PT2S'
  const chain = w.escalations.find((e) => e.id === 'police_acceptance_overdue')
  chain.steps.forEach((s, i) => (s.after = `PT${i}S`))
  assert.equal(chain.steps[2].to.role, 'county_supervisor')
}

const closed = 'http://127.0.0.1:9'
const notifiers = {
  plugin_dir: join(BUILD, 'plugins'),
  retry: { initial: 'PT1S', max: 'PT1S', max_attempts: 1, jitter: 0 },
  channels: {
    sms: { plugin: 'sms', config: { url: `${closed}/sms` } },
    email: { plugin: 'email', config: { url: 'smtp://127.0.0.1:9', starttls: 'none', from: 'shouhu@localhost' } },
    webhook: { plugin: 'webhook', config: { url: `${closed}/hooks/{{recipient}}`, format: 'shouhu' } },
  },
}

describe('supervision', () => {
  let daemon, browser, page, caseId, supervisorToken

  before(async () => {
    const workflows = workflowsWith(quickAcceptance)
    daemon = new Daemon({ workflows: [workflows], notifiers })
    await daemon.start()
    const admin = daemon.token('u0007')
    await daemon.setPassword(admin, SUPERVISOR, PASSWORD)
    supervisorToken = daemon.token(SUPERVISOR)
    const opened = await daemon.api(daemon.token(TEACHER), 'POST', '/api/v1/cases', {
      workflow: 'mandatory_report',
      data: {
        child_name: '李小红', category: 'living_alone', reporter_kind: 'mandated',
        reporter_category: 'school', discovered_at: new Date().toISOString(),
      },
    })
    assert.equal(opened.status, 201, JSON.stringify(opened.body))
    caseId = opened.body.case_id
    // Wait, on the daemon's timer firings, for the county step of the chain.
    await daemon.waitForFirings(async () => {
      const r = await daemon.api(supervisorToken, 'GET', '/api/v1/escalations')
      return r.body.escalations.some((e) => e.case_id === caseId && e.step === 2)
    })
    const dead = await daemon.api(supervisorToken, 'GET', '/api/v1/dead-letters')
    assert.ok(dead.body.dead_letters.length > 0, 'the closed port gives dead letters')
    browser = await launchBrowser()
    page = await newPage(browser)
    await signIn(page, daemon.url, SUPERVISOR, PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await daemon?.stop()
  })

  it('sees the overdue case under its township with the escalation that reached them', async () => {
    await page.getByRole('heading', { name: '逾期督办' }).waitFor()
    await page.getByRole('heading', { name: /城关镇/ }).waitFor()
    const row = page.getByRole('row', { name: /李小红/ })
    await row.getByText('受理超时').first().waitFor()
    await row.getByText(/第3级/).waitFor()
    await row.getByText('已报告').waitFor()
    await screen(page, '12-supervise-overdue')
  })

  it('re-drives a dead letter', async () => {
    await page.getByRole('tab', { name: '投递失败' }).click()
    const redrive = page.getByRole('button', { name: '重新投递' }).first()
    await redrive.waitFor()
    await page.getByText(/共尝试1次/).first().waitFor()
    await screen(page, '13-dead-letters')
    await redrive.click()
    await page.getByText(`已重新投递（案件 ${caseId}）`).waitFor()
  })

  it('sees the charts of open and overdue cases per township and by state', async () => {
    await page.getByRole('tab', { name: '统计图表' }).click()
    const byUnit = page.getByRole('img', { name: /城关镇 在办 1 逾期 1/ })
    await byUnit.waitFor()
    await page.getByRole('img', { name: /已报告 1/ }).waitFor()
    await screen(page, '14-supervise-charts')
  })

  it('opens the overdue case, red and marked overdue', async () => {
    await page.goto(`${daemon.url}/cases/${caseId}`)
    await page.locator('.case-tags').getByText('已逾期').waitFor()
    await page.getByText(/督办：受理超时（第3级）/).waitFor()
    await screen(page, '15-overdue-case')
  })
})
