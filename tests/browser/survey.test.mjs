// 摸底排查 (the annual survey, issue 15 item 4): a community's child director
// starts the term's survey from 我要报告, records a round of visits and
// registers a left-behind child on the case page; the survey counts them and
// the child's care plan opens, on the child's file.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, launchBrowser, newPage, screen, signIn, choose } from './harness.mjs'

const PASSWORD = 'Shouhu-test-2026'
const DIRECTOR = 'u0013' // child director of chengguan-c01

describe('the annual survey', () => {
  let daemon, browser, page, surveyId

  before(async () => {
    daemon = new Daemon()
    await daemon.start()
    await daemon.setPassword(daemon.token('u0007'), DIRECTOR, PASSWORD)
    browser = await launchBrowser()
    page = await newPage(browser)
    await signIn(page, daemon.url, DIRECTOR, PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await daemon?.stop()
  })

  it('starts the survey from the form built from the workflow', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '我要报告' }).click()
    await page.getByRole('radio', { name: '摸底排查' }).check({ force: true })
    await page.getByLabel('排查学期').fill('2026年秋季学期')
    await page.getByLabel('应排查户数').fill('40')
    await screen(page, '50-survey-start')
    await page.getByRole('button', { name: '开始摸底排查' }).click()
    await page.getByText('已提交', { exact: true }).waitFor()
    const list = await daemon.api(daemon.token(DIRECTOR), 'GET', '/api/v1/cases?unit=chengguan-c01')
    const survey = list.body.cases.find((c) => c.workflow === 'annual_survey')
    assert.ok(survey, JSON.stringify(list.body))
    surveyId = survey.id
  })

  it('counts a round of visits and registers a child, who gets a care plan', async () => {
    const visits = await daemon.api(daemon.token(DIRECTOR), 'POST', `/api/v1/cases/${surveyId}/events`, {
      event: 'record_households',
      data: { surveyed_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), households_visited: 25, children_counted: 9 },
    })
    assert.equal(visits.status, 200, JSON.stringify(visits.body))
    await page.goto(`${daemon.url}/cases/${surveyId}`)
    await page.getByRole('button', { name: '登记儿童并建立结对帮扶' }).click()
    const dialog = page.getByRole('dialog', { name: '登记儿童并建立结对帮扶' })
    await dialog.waitFor()
    await dialog.getByLabel('儿童姓名').fill('刘小雨')
    await dialog.getByLabel('出生日期').fill('2016-06-18')
    await dialog.getByLabel('出生日期').press('Enter')
    await dialog.locator('label.el-checkbox', { hasText: '留守儿童' }).click()
    await choose(page, '结对方式', '一对一')
    await dialog.getByLabel('帮扶人').fill('u0022')
    await screen(page, '51-survey-register-child')
    await dialog.getByRole('button', { name: '确认登记儿童并建立结对帮扶' }).click()
    await page.getByText('已办理：登记儿童并建立结对帮扶').waitFor()
    const got = await daemon.api(daemon.token(DIRECTOR), 'GET', `/api/v1/cases/${surveyId}`)
    assert.equal(got.body.data.households_surveyed, 25)
    assert.equal(got.body.data.children_found, 9)
    assert.equal(got.body.data.children_registered, 1)
    assert.equal(got.body.data.child_name, undefined)
    const plan = await daemon.api(daemon.token(DIRECTOR), 'GET', `/api/v1/cases/${got.body.data.care_plan_id}`)
    assert.equal(plan.status, 200, JSON.stringify(plan.body))
    assert.equal(plan.body.workflow, 'care_plan')
    assert.equal(plan.body.data.child_name, '刘小雨')
    await page.reload()
    await page.getByText('已建档儿童数').first().waitFor()
    await screen(page, '52-survey-counted')
  })
})
