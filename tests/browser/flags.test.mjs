// Flags as tags (issue 19): a report accepted and left without its replies
// (a copy of the workflow whose 3-day feedback is due in 2 s and whose
// 3-month reply in 3 s) shows 3日反馈逾期 in yellow and 3个月答复逾期 in red
// — in the case list, on the case page and in the supervision list — to the
// county procuratorate, which watches every report of the county.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, workflowsWith, launchBrowser, newPage, screen, signIn } from './harness.mjs'

const PASSWORD = 'Shouhu-test-2026'
const PROCURATOR = 'u0293' // 县人民检察院
const TEACHER = 'u0021'
const OFFICER = 'u0008'

function quickReplies(w) {
  w.service_levels.find((l) => l.id === 'feedback').within = 'PT2S'
  w.service_levels.find((l) => l.id === 'result_reply').within = 'PT3S'
}

// The flags' colours as the definition declares them.
const FLAGS = [
  { id: 'feedback_late', label: '3日反馈逾期', type: 'warning' },
  { id: 'result_reply_late', label: '3个月答复逾期', type: 'danger' },
]

describe('flags', () => {
  let daemon, browser, page, caseId

  before(async () => {
    daemon = new Daemon({ workflows: [workflowsWith(quickReplies)] })
    await daemon.start()
    await daemon.setPassword(daemon.token('u0007'), PROCURATOR, PASSWORD)
    const opened = await daemon.api(daemon.token(TEACHER), 'POST', '/api/v1/cases', {
      workflow: 'mandatory_report',
      data: {
        child_name: '秦小月', category: 'guardian_neglect', reporter_kind: 'mandated',
        reporter_category: 'school', discovered_at: new Date().toISOString(),
      },
    })
    assert.equal(opened.status, 201, JSON.stringify(opened.body))
    caseId = opened.body.case_id
    const accepted = await daemon.api(daemon.token(OFFICER), 'POST', `/api/v1/cases/${caseId}/events`, {
      event: 'accept', data: { intake_kind: 'administrative', accepted_at: new Date().toISOString() },
    })
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body))
    // Wait, on the daemon's timer firings, for both deadlines to pass.
    const procurator = daemon.token(PROCURATOR)
    const c = await daemon.waitForFirings(async () => {
      const r = await daemon.api(procurator, 'GET', `/api/v1/cases/${caseId}`)
      return r.body.flags.length === 2 && r.body
    })
    assert.deepEqual(c.flags, FLAGS.map((f) => f.id))
    assert.equal(c.view, 'full')
    browser = await launchBrowser()
    page = await newPage(browser)
    await signIn(page, daemon.url, PROCURATOR, PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await daemon?.stop()
  })

  // The tag of each flag, in its declared colour (Element Plus tag type).
  async function expectTags(scope) {
    for (const f of FLAGS) {
      const tag = scope.locator(`[data-flag="${f.id}"]`)
      await tag.waitFor()
      assert.equal((await tag.textContent()).trim(), f.label)
      assert.match(await tag.getAttribute('class'), new RegExp(`el-tag--${f.type}`))
    }
  }

  it('shows the late replies as tags in the case list', async () => {
    await page.goto(`${daemon.url}/queue`)
    await page.getByRole('heading', { name: '待办案件' }).waitFor()
    const row = page.getByRole('row', { name: /秦小月/ })
    await row.waitFor()
    await expectTags(row)
    await screen(page, '30-flags-queue')
  })

  it('shows them on the case page', async () => {
    await page.getByRole('link', { name: '秦小月' }).click()
    await page.getByRole('heading', { name: /秦小月/ }).waitFor()
    await expectTags(page.locator('.case-tags'))
    // The procuratorate records a supervision opinion; it has no other step.
    await page.getByRole('button', { name: '提出检察监督意见' }).waitFor()
    assert.equal(await page.getByRole('button', { name: '反馈报告单位' }).count(), 0)
    await screen(page, '31-flags-case')
  })

  it('shows them in the supervision list of overdue cases', async () => {
    await page.goto(`${daemon.url}/supervise`)
    const row = page.getByRole('row', { name: /秦小月/ })
    await row.waitFor()
    await expectTags(row)
    await screen(page, '32-flags-supervise')
  })

  it('counts them per township in the charts', async () => {
    await page.getByRole('tab', { name: '统计图表' }).click()
    await page.getByRole('img', { name: /3日反馈逾期 1；3个月答复逾期 1/ }).waitFor()
    await screen(page, '33-flags-charts')
  })
})
