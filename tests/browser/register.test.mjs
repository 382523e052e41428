// 一人一档: a village child director registers a child, is warned when the
// same child is registered again, finds files by pinyin initials with the
// server paging the list, and changes a file in a form; a township case
// worker merges the duplicate in.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, launchBrowser, newPage, screen, signIn } from './harness.mjs'

const PASSWORD = 'Shouhu-test-2026'
const DIRECTOR = 'u0015' // child director of chengguan-v02
const CASE_WORKER = 'u0011' // township case worker of chengguan

describe('the children register', () => {
  let daemon, browser, page, token, duplicate

  before(async () => {
    daemon = new Daemon()
    await daemon.start()
    const admin = daemon.token('u0007')
    await daemon.setPassword(admin, DIRECTOR, PASSWORD)
    await daemon.setPassword(admin, CASE_WORKER, PASSWORD)
    token = daemon.token(DIRECTOR)
    // 25 files so that the list has two pages.
    for (let i = 0; i < 25; i++) {
      const r = await daemon.api(token, 'POST', '/api/v1/children', {
        fields: { child_name: `王${String(i).padStart(2, '0')}`, child_birth_date: `2015-01-${String(i + 1).padStart(2, '0')}` },
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
    }
    browser = await launchBrowser()
    page = await newPage(browser)
    await signIn(page, daemon.url, DIRECTOR, PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await daemon?.stop()
  })

  it('lists the files of the jurisdiction a page at a time', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '一人一档' }).click()
    await page.getByRole('heading', { name: '一人一档' }).waitFor()
    await page.getByText('共 25 条').waitFor()
    const shown = () => page.getByRole('link', { name: /^王\d\d$/ }).count()
    await page.getByRole('link', { name: /^王\d\d$/ }).first().waitFor()
    assert.equal(await shown(), 20)
    await screen(page, '34-register-list')
    await page.getByRole('button', { name: /下一页|next/i }).click()
    await page.waitForFunction(() => document.querySelectorAll('a[href^="/children/"]').length === 5)
    assert.equal(await shown(), 5)
  })

  it('registers a child, then is warned of the same child registered again', async () => {
    await page.getByRole('button', { name: '新建档案' }).click()
    const dialog = page.getByRole('dialog', { name: '新建档案' })
    await dialog.getByLabel('儿童姓名').fill('张小明')
    await dialog.getByLabel('出生日期').fill('2015-04-01')
    await dialog.getByLabel('出生日期').press('Enter')
    await dialog.getByLabel('监护人姓名').fill('张大山')
    await dialog.getByRole('button', { name: '保存' }).click()
    await page.getByRole('heading', { name: /一人一档：张小明/ }).waitFor()
    const first = page.url().split('/').pop()

    await page.getByRole('navigation').getByRole('link', { name: '一人一档' }).click()
    await page.getByRole('button', { name: '新建档案' }).click()
    await dialog.getByLabel('儿童姓名').fill('张小明')
    await dialog.getByLabel('出生日期').fill('2015-04-11')
    await dialog.getByLabel('出生日期').press('Enter')
    await dialog.getByLabel('监护人姓名').fill('张大山')
    await dialog.getByRole('button', { name: '保存' }).click()
    await dialog.getByRole('alert').getByText('可能已有此儿童的档案').waitFor()
    await dialog.getByRole('link', { name: /张小明 · 2015\/04\/01/ }).waitFor()
    await screen(page, '35-register-likely-duplicate')
    await dialog.getByRole('button', { name: '确认不是同一儿童，仍然新建' }).click()
    await page.getByRole('heading', { name: /一人一档：张小明 · 2015\/04\/11/ }).waitFor()
    duplicate = page.url().split('/').pop()
    assert.notEqual(duplicate, first)
    page.first = first
  })

  it('finds files by pinyin initials and changes one in a form', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '一人一档' }).click()
    await page.getByLabel('姓名', { exact: true }).fill('zxm')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByText('共 2 条').waitFor()
    await page.getByRole('link', { name: '张小明' }).first().click()
    await page.getByRole('button', { name: '修改档案' }).click()
    const dialog = page.getByRole('dialog', { name: '修改档案' })
    await dialog.getByLabel('就读学校').fill('城关小学')
    await dialog.getByRole('button', { name: '保存' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByText('第2版', { exact: false }).first().waitFor()
    await page.getByRole('definition').getByText('城关小学').first().waitFor()
    await screen(page, '36-child-file-changed')
  })

  it('the township case worker merges the duplicate into the first file', async () => {
    const worker = await newPage(browser)
    await signIn(worker, daemon.url, CASE_WORKER, PASSWORD)
    await worker.goto(`${daemon.url}/children/${page.first}`)
    await worker.getByRole('button', { name: '合并档案' }).click()
    const dialog = worker.getByRole('dialog', { name: '合并档案' })
    await dialog.getByLabel('要并入的档案编号').fill(duplicate)
    await dialog.getByRole('button', { name: '合并', exact: true }).click()
    await dialog.waitFor({ state: 'hidden' })
    await worker.goto(`${daemon.url}/children/${duplicate}`)
    await worker.getByText('此档案已并入').waitFor()
    await screen(worker, '37-child-file-merged')
    await worker.context().close()
  })
})
