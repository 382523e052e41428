// A teacher on a phone accepts an invitation, signs in and files a report; a
// police officer of the township takes it, accepts it, sends the feedback and
// records the response; the teacher then sees the progress and the feedback
// and nothing else of the file; a second report is transferred to a police
// station picked by name; a township case worker opens the child's file;
// an officer of another township cannot open the case by its URL.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, launchBrowser, newPage, screen, signIn, choose, pick, PHONE } from './harness.mjs'

const PASSWORD = 'Shouhu-test-2026'
const TEACHER = 'u0021' // 梁磊, 班主任, 城关镇中心小学
const OFFICER = 'u0008' // 吴超, 城关镇派出所
const CASE_WORKER = 'u0011' // 孙秀英, 城关镇儿童督导员
const OTHER_OFFICER = 'u0034' // 董华, 青石镇派出所
const NOTE = '父亲在外务工，已电话联系，周末返回'
const FEEDBACK = '已受案，民警已上门核实，孩子由祖母临时照看'

describe('report from a phone to the police and back', () => {
  let daemon, browser, admin, teacher, officer, caseId

  before(async () => {
    daemon = new Daemon()
    await daemon.start()
    admin = daemon.token('u0007')
    for (const u of [OFFICER, CASE_WORKER, OTHER_OFFICER]) await daemon.setPassword(admin, u, PASSWORD)
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await daemon?.stop()
  })

  it('the teacher sets a password with the invitation and signs in on a phone', async () => {
    const inv = await daemon.api(admin, 'POST', `/api/v1/users/${TEACHER}/invitation`, {})
    assert.equal(inv.status, 201)
    teacher = await newPage(browser, PHONE)
    await teacher.goto(`${daemon.url}/invite?code=${encodeURIComponent(inv.body.code)}`)
    await teacher.getByLabel('邀请码').waitFor()
    assert.equal(await teacher.getByLabel('邀请码').inputValue(), inv.body.code)
    await teacher.getByLabel('新密码（至少10位）').fill(PASSWORD)
    await teacher.getByLabel('再次输入新密码').fill(PASSWORD)
    await screen(teacher, '01-invitation-phone')
    await teacher.getByRole('button', { name: '设置密码' }).click()
    await teacher.getByText('密码已设置').waitFor()
    // The link from the school's work group names the report form; it asks
    // for sign-in first and comes back to the form.
    await teacher.goto(`${daemon.url}/report?workflow=mandatory_report`)
    await teacher.getByLabel('用户编号或手机号').fill(TEACHER)
    await teacher.getByLabel('密码', { exact: true }).fill(PASSWORD)
    await screen(teacher, '02-sign-in-phone')
    await teacher.getByRole('button', { name: '登录' }).click()
    await teacher.getByRole('heading', { name: '我要报告' }).waitFor()
    await teacher.getByLabel('儿童姓名').waitFor()
  })

  it('the teacher files a report from the form built from the workflow', async () => {
    await teacher.getByLabel('儿童姓名').fill('王小明')
    await choose(teacher, '报告情形', '脱离监护单独居住')
    await choose(teacher, '报告主体', '自愿报告')
    await choose(teacher, '报告人类别', '学校')
    // The workflow's guard refuses a voluntary report from a school: the
    // API's reason is shown and nothing typed is lost.
    await teacher.getByRole('button', { name: '提交报告' }).click()
    await teacher.getByRole('alert').getByText(/条件不满足/).waitFor()
    assert.equal(await teacher.getByLabel('儿童姓名').inputValue(), '王小明')
    await choose(teacher, '报告主体', '强制报告责任主体')
    // A photo from the phone's camera (drawn in the page, a real JPEG) goes
    // up in chunks before the report is sent.
    const photo = await teacher.evaluate(() => {
      const c = document.createElement('canvas')
      c.width = 640
      c.height = 480
      const g = c.getContext('2d')
      g.fillStyle = '#c0392b'
      g.fillRect(0, 0, 640, 480)
      g.fillStyle = '#fff'
      g.font = '64px sans-serif'
      g.fillText('现场照片', 180, 260)
      return c.toDataURL('image/jpeg', 0.9).split(',')[1]
    })
    await teacher.locator('input[capture]').setInputFiles({
      name: 'IMG_0001.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from(photo, 'base64'),
    })
    await teacher.getByText('已上传').waitFor()
    assert.equal(await teacher.locator('.evidence-uploads img').count(), 1)
    // The discovery time defaults to now, in the organisation's time zone.
    assert.match(await teacher.getByLabel('发现时间').inputValue(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    await screen(teacher, '03-report-form-phone')
    await teacher.getByRole('button', { name: '提交报告' }).click()
    await teacher.getByText('已提交').waitFor()
    const next = await teacher.locator('.next-step').innerText()
    assert.match(next, /民警将在2小时内处理/)
    caseId = /报告编号：(\S+)/.exec(await teacher.getByText(/报告编号：/).innerText())[1]
    await screen(teacher, '04-report-sent-phone')
  })

  it('the police officer takes the case, accepts it, sends the feedback and records the response', async () => {
    officer = await newPage(browser)
    await signIn(officer, daemon.url, OFFICER, PASSWORD)
    await officer.getByRole('heading', { name: '待办案件' }).waitFor()
    const row = officer.getByRole('row', { name: /王小明/ })
    await row.waitFor()
    await row.getByText(/剩余1小时5\d分/).waitFor()
    await row.getByText('已报告').waitFor()
    await screen(officer, '05-queue')

    await officer.getByRole('link', { name: '王小明' }).click()
    await officer.getByRole('heading', { name: '王小明' }).waitFor()
    // The reporter, for the police: name, unit and phone.
    await officer.getByText('梁磊 · 城关镇中心小学 · 13800000021', { exact: true }).waitFor()
    // The teacher's photo, as a thumbnail the browser loaded from the case.
    const thumb = officer.locator('.evidence-list img').first()
    await thumb.waitFor()
    await officer.waitForFunction((img) => img.complete && img.naturalWidth === 640, await thumb.elementHandle())
    await officer.getByRole('link', { name: 'IMG_0001.jpg' }).first().waitFor()
    await screen(officer, '06-case')

    await officer.getByRole('button', { name: '由我负责' }).click()
    await officer.getByText('已指派给 吴超').waitFor()

    await officer.getByRole('button', { name: '受案/立案' }).click()
    const dialog = officer.getByRole('dialog', { name: '受案/立案' })
    await dialog.waitFor()
    await screen(officer, '07-event-form')
    // A required field left empty is named next to it, before anything is sent.
    await dialog.getByRole('button', { name: '确认受案/立案' }).click()
    await dialog.getByText('请填写受案类型').waitFor()
    await choose(officer, '受案类型', '行政案件')
    await dialog.getByLabel('出生日期').fill('2016-05-01')
    await dialog.getByRole('button', { name: '确认受案/立案' }).click()
    await officer.getByText('已办理：受案/立案').waitFor()
    await officer.locator('.case-tags').getByText('公安受理').waitFor()

    await officer.getByRole('button', { name: '反馈报告单位' }).click()
    const fb = officer.getByRole('dialog', { name: '反馈报告单位' })
    await fb.getByLabel('反馈内容').fill(FEEDBACK)
    await fb.getByRole('button', { name: '确认反馈报告单位' }).click()
    await officer.getByText('已办理：反馈报告单位').waitFor()

    await officer.getByRole('button', { name: '出警处置' }).click()
    await officer.getByRole('dialog', { name: '出警处置' }).getByRole('button', { name: '确认出警处置' }).click()
    await officer.locator('.case-tags').getByText('应急处置：脱离监护单独居住').waitFor()

    await officer.getByLabel('新备注').fill(NOTE)
    await officer.getByRole('button', { name: '添加备注' }).click()
    await officer.getByText('备注已添加').waitFor()
    await officer.getByText(NOTE).waitFor()
    await screen(officer, '08-case-after-response')

    // At 200 % zoom a 1280 px window is 640 CSS pixels wide: the page reflows
    // into one column without sideways scrolling.
    await officer.setViewportSize({ width: 640, height: 430 })
    await officer.getByRole('heading', { name: '办理记录' }).waitFor()
    const [scroll, width] = await officer.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])
    assert.ok(scroll <= width, `no sideways scrolling at 200 % zoom (${scroll} > ${width})`)
    await screen(officer, '08b-case-at-200-percent')
    await officer.setViewportSize({ width: 1280, height: 860 })
  })

  it('the teacher sees the progress and the feedback, and nothing else of the file', async () => {
    await teacher.getByRole('navigation').getByRole('link', { name: '我的报告' }).click()
    await teacher.getByRole('heading', { name: '我的报告' }).waitFor()
    const card = teacher.getByRole('article')
    // What they filed, by its labels.
    await card.getByRole('heading', { name: '我提交的内容' }).waitFor()
    const filed = card.locator('.submission')
    await filed.getByText('王小明', { exact: true }).waitFor()
    await filed.getByText('脱离监护单独居住', { exact: true }).waitFor()
    await card.getByText('反馈报告单位', { exact: true }).waitFor()
    await card.getByText('出警处置').waitFor()
    // The feedback text the police sent reaches the reporter (the law owes it).
    await card.getByText(FEEDBACK).waitFor()
    const text = await teacher.locator('main').innerText()
    for (const secret of [NOTE, '吴超', '2016-05-01', '2016/05/01', '行政案件']) {
      assert.ok(!text.includes(secret), `the reporter must not see "${secret}"`)
    }
    await screen(teacher, '09-my-reports-phone')
  })

  it('a transfer goes to a competent unit, picked from the organisation by name', async () => {
    const filed = await daemon.api(daemon.token(TEACHER), 'POST', '/api/v1/cases', {
      workflow: 'mandatory_report',
      data: {
        child_name: '赵小移',
        category: 'accidental_injury',
        reporter_kind: 'mandated',
        reporter_category: 'school',
        discovered_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    })
    assert.equal(filed.status, 201, JSON.stringify(filed.body))
    await officer.goto(`${daemon.url}/cases/${filed.body.case_id}`)
    await officer.getByRole('heading', { name: '赵小移' }).waitFor()
    await officer.getByRole('button', { name: '移送', exact: true }).click()
    const dialog = officer.getByRole('dialog', { name: '移送' })
    await dialog.waitFor()
    // Only police units are offered: no school.
    await officer.getByLabel('移送单位（有管辖权的公安机关）', { exact: true }).click()
    await officer.getByRole('option', { name: '东风派出所', exact: true }).waitFor()
    assert.equal(await officer.getByRole('option', { name: '城关镇中心小学' }).count(), 0)
    await pick(officer, officer.getByLabel('移送单位（有管辖权的公安机关）', { exact: true }), '东风派出所', '东风派出所')
    // The list closes with a fade; the check is of the dialog, not the fade.
    await officer.getByRole('option', { name: '东风派出所', exact: true }).waitFor({ state: 'hidden' })
    await screen(officer, '08c-transfer-to-a-competent-unit')
    await dialog.getByRole('button', { name: '确认移送' }).click()
    await officer.getByText('已办理：移送').waitFor()
    await officer.locator('.case-tags').getByText('已移送').waitFor()
    await officer.getByText('东风派出所').first().waitFor()
  })

  it("the township case worker opens the child's file", async () => {
    const worker = await newPage(browser)
    await signIn(worker, daemon.url, CASE_WORKER, PASSWORD)
    await worker.goto(`${daemon.url}/cases/${caseId}`)
    await worker.getByRole('link', { name: '查看一人一档' }).click()
    await worker.getByRole('heading', { name: /一人一档/ }).waitFor()
    await worker.getByText('2016/05/01').first().waitFor()
    await worker.getByText('第1版').first().waitFor()
    await worker.getByRole('heading', { name: '一人一档：王小明 · 2016/05/01' }).waitFor()
    await screen(worker, '10-child-file')
    // As of a day before the report, the file did not exist yet.
    await worker.getByLabel('查看某日的档案').fill('2020-01-01')
    await worker.getByLabel('查看某日的档案').press('Enter')
    await worker.getByText('2020-01-01 时档案尚未建立').waitFor()
    await worker.context().close()
  })

  it('an officer of another township cannot open the case by its URL', async () => {
    const other = await newPage(browser)
    await signIn(other, daemon.url, OTHER_OFFICER, PASSWORD)
    await other.goto(`${daemon.url}/cases/${caseId}`)
    await other.getByText('无权查看此案件，或案件不存在').waitFor()
    assert.equal(await other.getByText('王小明').count(), 0)
    await screen(other, '11-case-of-another-township')
    await other.context().close()
  })
})
