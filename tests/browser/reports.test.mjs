// A county supervisor opens 统计报表 (issue 15 item 5): the cases of the
// county per township and step as a chart and a table, the police's 3-day
// feedback on time, the monthly counts and 建档率; downloads the .xlsx; and
// draws a spot check (随机抽查) with a seed, twice, getting the same sample.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, launchBrowser, newPage, screen, signIn } from './harness.mjs'

const PASSWORD = 'Shouhu-test-2026'
const SUPERVISOR = 'u0001' // 李磊, 县督查 (reports.read)

describe('reports', () => {
  let daemon, browser, page

  before(async () => {
    daemon = new Daemon()
    await daemon.start()
    await daemon.setPassword(daemon.token('u0007'), SUPERVISOR, PASSWORD)
    const file = async (user, child, category) => {
      const r = await daemon.api(daemon.token(user), 'POST', '/api/v1/cases', {
        workflow: 'mandatory_report',
        data: {
          child_name: child, category, reporter_kind: 'mandated', reporter_category: 'school',
          discovered_at: new Date(Date.now() - 3600e3).toISOString(),
        },
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      return r.body.case_id
    }
    const accepted = await file('u0021', '周小雨', 'living_alone') // 城关镇中心小学
    await file('u0021', '吴小川', 'missing')
    await file('u0049', '郑小林', 'living_alone') // 青石镇中心小学
    const officer = daemon.token('u0008')
    const now = () => new Date().toISOString()
    for (const [event, data] of [
      ['accept', { intake_kind: 'administrative', accepted_at: now() }],
      ['send_feedback', { feedback_sent_at: now(), feedback_summary: '已受理' }],
    ]) {
      const r = await daemon.api(officer, 'POST', `/api/v1/cases/${accepted}/events`, { event, data })
      assert.equal(r.status, 200, JSON.stringify(r.body))
    }
    browser = await launchBrowser()
    page = await newPage(browser)
    await signIn(page, daemon.url, SUPERVISOR, PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await daemon?.stop()
  })

  it('shows the cases per township and step as a chart and a table', async () => {
    await page.getByRole('link', { name: '统计报表' }).click()
    await page.getByRole('heading', { name: '统计报表' }).waitFor()
    await page.getByRole('img', { name: /城关镇 公安受理: 在办 1/ }).waitFor()
    await page.getByRole('img', { name: /城关镇 已报告: 在办 1/ }).waitFor()
    await page.getByRole('img', { name: /青石镇 已报告: 在办 1/ }).waitFor()
    const total = page.getByRole('row', { name: /合计/ })
    await total.getByRole('cell', { name: '3', exact: true }).first().waitFor()
    await screen(page, '40-reports-cases')
  })

  it('shows the 3-day feedback on time and the monthly counts', async () => {
    await page.getByRole('tab', { name: '按时履责' }).click()
    await page.getByRole('img', { name: /城关镇 受案后3日内反馈报告单位 —: 按时 1 逾期 0/ }).waitFor()
    await page.getByRole('cell', { name: '100.0%' }).first().waitFor()
    await page.getByRole('tab', { name: '月度统计' }).click()
    await page.getByRole('img', { name: /脱离监护单独居住: 数量 2/ }).waitFor()
    await page.getByRole('img', { name: /失踪: 数量 1/ }).waitFor()
    await screen(page, '41-reports-monthly')
    await page.getByRole('tab', { name: '建档率' }).click()
    await page.getByRole('columnheader', { name: '建档率' }).waitFor()
    await screen(page, '42-reports-registration')
  })

  it('downloads the report as .xlsx', async () => {
    await page.getByRole('tab', { name: '按时履责' }).click()
    await page.getByRole('cell', { name: '100.0%' }).first().waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '导出 Excel（.xlsx）' }).click(),
    ])
    assert.match(download.suggestedFilename(), /^report-measures-\d{4}-01-\d{4}-\d{2}\.xlsx$/)
    const bytes = await (await download.createReadStream()).toArray()
    assert.equal(Buffer.concat(bytes).subarray(0, 2).toString(), 'PK') // a zip: an .xlsx
  })

  it('draws a spot check from a seed, the same sample twice', async () => {
    await page.getByLabel('随机种子').fill('20261205')
    await page.getByRole('button', { name: '抽取' }).click()
    const result = page.getByRole('status').filter({ hasText: '种子 20261205' })
    await result.getByText('从 3 份中抽取 3 份（种子 20261205）：').waitFor()
    const first = await result.getByRole('listitem').allTextContents()
    assert.equal(first.length, 3)
    await page.getByRole('button', { name: '抽取' }).click()
    await result.getByText('从 3 份中抽取 3 份（种子 20261205）：').waitFor()
    assert.deepEqual(await result.getByRole('listitem').allTextContents(), first)
    await screen(page, '43-reports-spot-check')
  })
})
