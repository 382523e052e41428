// Routes, and the menu derived from them: a route names the capability
// (from /api/v1/me "capabilities") it needs; the menu lists the routes the
// user may open, in the order of who uses the app most: a supervisor lands
// on 逾期督办, a police officer on the queue, a teacher on 我要报告. Screens are loaded when first opened (their own chunks).
import { createRouter, createWebHistory } from 'vue-router'
import { session, restoreSession, can } from './session.js'
import { setUnauthenticatedHandler } from './api.js'

export const routes = [
  { path: '/signin', name: 'signin', component: () => import('./views/SignIn.vue'), meta: { public: true, title: 'nav.signin' } },
  { path: '/invite', name: 'invite', component: () => import('./views/AcceptInvitation.vue'), meta: { public: true, title: 'nav.invite' } },
  { path: '/supervise', name: 'supervise', component: () => import('./views/SuperviseView.vue'), meta: { capability: 'supervise', menu: 'nav.supervise' } },
  { path: '/queue', name: 'queue', component: () => import('./views/CaseQueue.vue'), meta: { capability: 'case.read', menu: 'nav.queue' } },
  { path: '/report', name: 'report', component: () => import('./views/NewReport.vue'), meta: { capability: 'report.file', menu: 'nav.report', icon: 'report' } },
  { path: '/my-reports', name: 'my-reports', component: () => import('./views/MyReports.vue'), meta: { capability: 'report.own_progress', menu: 'nav.myReports' } },
  { path: '/cases/:id', name: 'case', component: () => import('./views/CaseView.vue'), meta: { capability: 'case.read', title: 'nav.case' } },
  { path: '/children', name: 'register', component: () => import('./views/ChildRegister.vue'), meta: { capability: 'child.read', menu: 'nav.register' } },
  { path: '/children/:id', name: 'child', component: () => import('./views/ChildFile.vue'), meta: { capability: 'child.read', title: 'nav.child' } },
  { path: '/reports', name: 'reports', component: () => import('./views/ReportsView.vue'), meta: { capability: 'reports.read', menu: 'nav.reports' } },
  { path: '/admin', name: 'admin', component: () => import('./views/AdminView.vue'), meta: { capability: 'users.admin', menu: 'nav.admin' } },
  { path: '/', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'nav.home' } },
  { path: '/:rest(.*)*', name: 'missing', component: () => import('./views/HomeView.vue'), meta: { title: 'nav.home' } },
]

// The menu entries the signed-in user may open, in route order.
export function menuRoutes() {
  return routes.filter((r) => r.meta.menu && can(r.meta.capability))
}

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!(await restoreSession())) return { name: 'signin', query: { next: to.fullPath } }
  if (to.name === 'home' || to.name === 'missing') {
    const first = menuRoutes()[0]
    return first && to.name === 'home' ? { name: first.name } : true
  }
  if (to.meta.capability && !can(to.meta.capability)) return { name: 'home' }
  return true
})

setUnauthenticatedHandler(() => {
  const here = router.currentRoute.value
  if (here.meta.public) return
  session.user = null
  router.push({ name: 'signin', query: { next: here.fullPath, expired: '1' } })
})
