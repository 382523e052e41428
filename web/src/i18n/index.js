// vue-i18n: zh-CN first, English switchable; the choice is remembered.
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.js'
import en from './en.js'

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('shouhu.lang') : null

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function setLanguage(lang) {
  i18n.global.locale.value = lang
  localStorage.setItem('shouhu.lang', lang)
  document.documentElement.lang = lang
}
document.documentElement.lang = i18n.global.locale.value
