// The first administrator, invited from the command line, sets a password
// and signs in by phone number; invites a teacher (the code is shown once);
// ends the teacher's session, which sends the teacher back to sign-in; adds a
// new teacher through the page (a bad phone number shown under its field),
// who is invited and signs in at once, then is deactivated and sent back to
// sign-in; adds a unit; issues and revokes a token; switches to English; signs
// out. Wrong passwords and a write without the CSRF token are refused.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, launchBrowser, newPage, screen, signIn, pick, PHONE } from './harness.mjs'

const PASSWORD = 'Shouhu-admin-2026'
const ADMIN = 'u0007' // 赵洋, 系统管理员, phone 13800000007
const TEACHER = 'u0021' // 梁磊

describe('administration and sessions', () => {
  let daemon, browser, admin, teacher, teacherCode

  before(async () => {
    daemon = new Daemon()
    // The first administrator's invitation, offline on the data directory.
    daemon.adminCode = daemon.cli(['user', 'invite', '--data-dir', daemon.dataDir, '--user', ADMIN, '--quiet']).trim()
    await daemon.start()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await daemon?.stop()
  })

  it('the first administrator sets a password and signs in by phone number', async () => {
    admin = await newPage(browser)
    await admin.goto(`${daemon.url}/invite`)
    await admin.getByLabel('邀请码').fill(daemon.adminCode)
    await admin.getByLabel('新密码（至少10位）').fill(PASSWORD)
    await admin.getByLabel('再次输入新密码').fill(PASSWORD)
    await admin.getByRole('button', { name: '设置密码' }).click()
    await admin.getByText('密码已设置').waitFor()
    await signIn(admin, daemon.url, '13800000007', PASSWORD)
    await admin.getByRole('heading', { name: '系统管理' }).waitFor()
    await admin.getByRole('cell', { name: TEACHER, exact: true }).waitFor()
    await screen(admin, '16-admin-users')
  })

  it('a wrong password is refused with one message', async () => {
    const page = await newPage(browser, PHONE)
    await page.goto(`${daemon.url}/signin`)
    await page.getByLabel('用户编号或手机号').fill(TEACHER)
    await page.getByLabel('密码', { exact: true }).fill('not-the-password')
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByRole('alert').getByText('用户名或密码错误').waitFor()
    await screen(page, '17-sign-in-refused-phone')
    await page.context().close()
  })

  it('invites a teacher: the code is shown once and sets the password', async () => {
    // The county has several 梁磊: the search and the button name the id.
    await admin.getByLabel('查找用户').fill(TEACHER)
    await admin.getByRole('button', { name: `邀请 梁磊（${TEACHER}）` }).click()
    const dialog = admin.getByRole('dialog', { name: '邀请 梁磊' })
    const code = dialog.locator('.secret').first()
    await code.waitFor()
    teacherCode = await code.innerText()
    await screen(admin, '18-admin-invitation')
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()

    teacher = await newPage(browser, PHONE)
    await teacher.goto(`${daemon.url}/invite?code=${encodeURIComponent(teacherCode)}`)
    await teacher.getByLabel('新密码（至少10位）').fill('Teacher-pass-1')
    await teacher.getByLabel('再次输入新密码').fill('Teacher-pass-1')
    await teacher.getByRole('button', { name: '设置密码' }).click()
    await teacher.getByText('密码已设置').waitFor()
    // The code works once.
    await teacher.goto(`${daemon.url}/invite?code=${encodeURIComponent(teacherCode)}`)
    await teacher.getByLabel('新密码（至少10位）').fill('Teacher-pass-2')
    await teacher.getByLabel('再次输入新密码').fill('Teacher-pass-2')
    await teacher.getByRole('button', { name: '设置密码' }).click()
    await teacher.getByText('邀请码无效或已使用').waitFor()
    await signIn(teacher, daemon.url, TEACHER, 'Teacher-pass-1')
  })

  it('a write without the CSRF token is refused', async () => {
    const status = await teacher.evaluate(async () => {
      const r = await fetch('/api/v1/cases', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'csrf-probe' },
        body: JSON.stringify({ workflow: 'mandatory_report', data: {} }),
      })
      return [r.status, (await r.json()).error.code]
    })
    assert.deepEqual(status, [403, 'csrf'])
  })

  it("ends the teacher's session; the teacher is sent to sign in again", async () => {
    await admin.getByRole('tab', { name: '登录会话' }).click()
    await admin.reload()
    await admin.getByRole('tab', { name: '登录会话' }).click()
    const row = admin.getByRole('row', { name: /梁磊/ })
    await row.waitFor()
    await screen(admin, '19-admin-sessions')
    await row.getByRole('button', { name: '强制退出' }).click()
    await row.waitFor({ state: 'detached' })
    await teacher.getByRole('navigation').getByRole('link', { name: '我的报告' }).click()
    await teacher.getByText('登录已过期，请重新登录').waitFor()
  })

  it('adds a user who signs in at once; deactivated, they are signed out at once', async () => {
    await admin.getByRole('tab', { name: '用户' }).click()
    await admin.getByRole('button', { name: '新增用户' }).click()
    const dialog = admin.getByRole('dialog', { name: '新增用户' })
    await dialog.getByLabel('编号').fill('u0300')
    await dialog.getByLabel('姓名').fill('周新')
    await pick(admin, dialog.getByLabel('所属单位', { exact: true }), /· chengguan-primary$/, 'chengguan-primary')
    // A multiple select's placeholder lies over its input: typed, it filters.
    await dialog.getByLabel('角色', { exact: true }).focus()
    await admin.keyboard.type('reporter')
    await admin.getByRole('option', { name: /· reporter$/ }).click()
    await dialog.getByLabel('姓名').click() // closes the role list
    await dialog.getByLabel('手机号').fill('12345')
    await dialog.getByRole('button', { name: '保存' }).click()
    await dialog.getByText(/手机号须为 11 位中国大陆手机号/).waitFor()
    await screen(admin, '22-admin-add-user-refused')
    await dialog.getByLabel('手机号').fill('139 1234 5678')
    await dialog.getByRole('button', { name: '保存' }).click()
    await admin.getByText('已新增 周新').waitFor()
    await admin.getByLabel('查找用户').fill('u0300')
    await admin.getByRole('button', { name: '邀请 周新（u0300）' }).click()
    const invitation = admin.getByRole('dialog', { name: '邀请 周新' })
    const code = invitation.locator('.secret').first()
    await code.waitFor()
    const newCode = await code.innerText()
    await invitation.getByRole('button', { name: '关闭', exact: true }).click()

    const newcomer = await newPage(browser, PHONE)
    await newcomer.goto(`${daemon.url}/invite?code=${encodeURIComponent(newCode)}`)
    await newcomer.getByLabel('新密码（至少10位）').fill('Newcomer-pass-1')
    await newcomer.getByLabel('再次输入新密码').fill('Newcomer-pass-1')
    await newcomer.getByRole('button', { name: '设置密码' }).click()
    await newcomer.getByText('密码已设置').waitFor()
    await signIn(newcomer, daemon.url, '13912345678', 'Newcomer-pass-1')
    await newcomer.getByRole('navigation').getByRole('link', { name: '我要报告' }).waitFor()
    await screen(newcomer, '23-new-user-signed-in-phone')

    await admin.getByRole('button', { name: '停用 周新（u0300）' }).click()
    await admin.getByText('已停用 周新').waitFor()
    await admin.getByRole('row', { name: /u0300/ }).getByText('已停用').waitFor()
    await screen(admin, '24-admin-user-deactivated')
    await newcomer.getByRole('navigation').getByRole('link', { name: '我的报告' }).click()
    await newcomer.getByText('登录已过期，请重新登录').waitFor()
    await newcomer.getByLabel('用户编号或手机号').fill('13912345678')
    await newcomer.getByLabel('密码', { exact: true }).fill('Newcomer-pass-1')
    await newcomer.getByRole('button', { name: '登录' }).click()
    await newcomer.getByRole('alert').getByText('用户名或密码错误').waitFor()
    await newcomer.context().close()
    await admin.getByLabel('查找用户').fill('')
  })

  it('adds a unit under a township', async () => {
    await admin.getByRole('tab', { name: '单位' }).click()
    await admin.getByRole('button', { name: '新增单位' }).click()
    const dialog = admin.getByRole('dialog', { name: '新增单位' })
    await dialog.getByLabel('编号').fill('chengguan-v09')
    await dialog.getByLabel('中文名称').fill('新丰村')
    await dialog.getByLabel('英文名称').fill('Xinfeng Village')
    await pick(admin, dialog.getByLabel('类型', { exact: true }), '村', '村')
    await dialog.getByLabel('上级单位', { exact: true }).focus()
    await admin.keyboard.type('城关镇')
    await pick(admin, dialog.getByLabel('上级单位', { exact: true }), /· chengguan$/, 'chengguan')
    await dialog.getByRole('button', { name: '保存' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await admin.getByRole('row', { name: /chengguan-v09/ }).getByText('新丰村').waitFor()
    await screen(admin, '25-admin-units')
  })

  it('issues and revokes a token', async () => {
    await admin.getByRole('tab', { name: '接口令牌' }).click()
    await pick(admin, admin.getByLabel('令牌所属用户'), /吴超 · u0008/, 'u0008')
    await admin.getByLabel('用途').fill('报表脚本')
    await admin.getByRole('button', { name: '签发令牌' }).click()
    await admin.getByText(/^shh_/).waitFor()
    const row = admin.getByRole('row', { name: /报表脚本/ })
    await screen(admin, '20-admin-tokens')
    await row.getByRole('button', { name: '吊销' }).click()
    await row.getByText('已吊销').waitFor()
  })

  it('switches to English and signs out', async () => {
    await admin.getByRole('button', { name: 'English' }).click()
    await admin.getByRole('heading', { name: 'Administration' }).waitFor()
    await screen(admin, '21-admin-english')
    await admin.getByRole('button', { name: '中文' }).click()
    await admin.getByRole('button', { name: '退出登录' }).click()
    await admin.getByText('已安全退出').waitFor()
    await admin.goto(`${daemon.url}/admin`)
    await admin.getByRole('heading', { name: '登录守护' }).waitFor()
  })
})
