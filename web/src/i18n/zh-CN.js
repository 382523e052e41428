// 简体中文（默认）。Every string a person sees is here or in the workflow files.
export default {
  app: { name: '守护', tagline: '未成年人强制报告与关爱保护', otherLanguage: 'English' },
  nav: {
    skip: '跳到主要内容', menu: '主菜单', signin: '登录', invite: '接受邀请', report: '我要报告',
    myReports: '我的报告', queue: '待办案件', case: '案件', supervise: '逾期督办', child: '一人一档',
    admin: '系统管理', home: '首页', signout: '退出登录',
  },
  signin: {
    title: '登录守护', login: '用户编号或手机号', loginHint: '例如 u0021 或 13800000021', password: '密码',
    submit: '登录', wrong: '用户名或密码错误', locked: '尝试次数过多，请稍后再试',
    expired: '登录已过期，请重新登录', signedOut: '已安全退出', firstTime: '第一次使用？',
    useInvitation: '用邀请码设置密码', loginRequired: '请填写用户编号或手机号', passwordRequired: '请填写密码',
  },
  invite: {
    title: '设置密码', lead: '请输入管理员发给您的邀请码，并设置至少10位的密码。', code: '邀请码',
    password: '新密码（至少10位）', confirm: '再次输入新密码', submit: '设置密码', done: '密码已设置',
    doneHint: '您的用户编号是 {user}，现在可以登录了。', toSignIn: '去登录', codeRequired: '请填写邀请码',
    weak: '密码至少10位', mismatch: '两次输入的密码不一致', expired: '邀请码已过期，请联系管理员重新邀请',
    unknown: '邀请码无效或已使用',
  },
  report: {
    title: '我要报告', lead: '发现儿童遭受或疑似遭受侵害、面临危险，请立即报告。报告人信息严格保密。',
    requiredNote: '带 * 的为必填项。', more: '更多信息（选填）', submit: '提交报告', sent: '已提交',
    caseNumber: '报告编号：{id}', confidential: '您的身份只有公安机关和督导部门可见，不会告知儿童家庭。',
    another: '再报告一起', kind: '报告类型', none: '您的账号没有可提交的报告类型',
    nextWithin: '接下来：{who}将在{within}内处理 · {what}', nextBy: '接下来：由{who}处理（{state}）',
  },
  mine: {
    title: '我的报告', empty: '您还没有提交过报告', filed: '提交于 {at}', number: '编号 {id}', progress: '办理进展',
    opened: '已提交报告', submission: '我提交的内容',
  },
  queue: {
    title: '待办案件', scope: '范围', area: '{unit}辖区', mine: '我负责的', empty: '暂无待办案件', case: '儿童 / 案件',
    step: '当前环节', deadlines: '时限', owner: '负责人', unit: '单位', opened: '报告时间',
  },
  case: {
    title: '案件 {id}', number: '编号 {id}', openedAt: '报告于 {at}', overdue: '已逾期', priority: '优先级',
    actions: '办理', noActions: '当前环节没有您可以办理的事项', child: '儿童信息', childFile: '查看一人一档',
    data: '报告内容', reporter: '报告人', history: '办理记录', deadlines: '时限', noTimers: '当前无时限',
    owner: '负责人', unassigned: '未指派', assignTo: '指派给', assign: '指派', take: '由我负责', notes: '备注',
    newNote: '新备注', addNote: '添加备注', note: '备注', noFields: '此操作无需填写内容。', confirm: '确认{event}',
    fired: '已办理：{event}', assigned: '已指派给 {who}', noted: '备注已添加', redacted: '（报告人，已隐去）', joinedReporter: '后续报告人',
    system: '系统', hidden: '（无权查看）', notYours: '无权查看此案件，或案件不存在',
  },
  history: {
    report_joined: '同一儿童的后续报告并入本案', duplicate: '疑似重复报告',
    opened: '提交报告', escalation: '督办：{what}（第{step}级）', delivery: '通知发送（{channel}）', note: '添加备注',
    assigned: '指派负责人', timer: '时限到期', timer_skipped: '时限未执行', linked: '由关联案件发起',
    opened_case: '发起关联案件', child_linked: '关联一人一档',
  },
  supervise: {
    title: '逾期督办', overdue: '逾期案件', escalations: '督办', step: '第{n}级', since: '自 {at}',
    sinceState: '本环节自 {at}', act: '操作', reassign: '查看 / 改派', noOverdue: '辖区内没有逾期案件',
    deadLetters: '投递失败', deadLead: '以下通知多次发送失败。排除原因（如号码、网关）后可重新投递。',
    noDead: '没有投递失败的通知', recipient: '收件人', reason: '失败原因', failedAt: '失败时间',
    attempts: '共尝试{n}次', redrive: '重新投递', redriven: '已重新投递（案件 {case}）', stats: '统计图表',
  },
  stats: { byUnit: '各乡镇在办与逾期案件', byState: '案件所处环节', open: '在办', overdue: '逾期' },
  child: {
    title: '一人一档', asOf: '查看某日的档案', now: '当前', asStood: '{date} 当日的档案', current: '当前档案',
    revision: '第{n}版，更新于 {at}', cases: '相关案件', history: '变更记录', rev: '第{n}版',
    notYours: '无权查看此档案，或档案不存在', notYet: '{date} 时档案尚未建立',
  },
  admin: {
    title: '系统管理', users: '用户', sessions: '登录会话', tokens: '接口令牌', search: '查找用户',
    searchHint: '姓名、编号或单位', name: '姓名', id: '编号', roles: '角色', invite: '邀请',
    inviteWho: '邀请 {name}（{id}）', inviteTitle: '邀请 {name}', inviteOnce: '邀请码只显示这一次，请通过工作群或短信发给本人。',
    code: '邀请码', inviteLink: '设置密码链接', inviteExpires: '有效期至 {at}', noSessions: '没有登录中的会话',
    since: '登录时间', lastSeen: '最近活动', origin: '来源', end: '强制退出', tokenUser: '令牌所属用户',
    tokenLabel: '用途', tokenTtl: '有效期（如 P90D）', issue: '签发令牌', tokenOnce: '令牌只显示这一次，请妥善保存：',
    expires: '到期时间', state: '状态', revoked: '已吊销', valid: '有效', revoke: '吊销',
  },
  home: {
    title: '欢迎使用守护', nothing: '您的账号暂未开通任何功能，请联系系统管理员。', missing: '页面不存在',
    missingHint: '请从下面的菜单进入：',
  },
  form: {
    choose: '请选择', pickTime: '选择日期时间', pickDate: '选择日期', listHint: '多项用逗号分隔',
    required: '请填写{field}', fix: '请按提示修改后再提交',
  },
  common: { yes: '是', no: '否', cancel: '取消', close: '关闭' },
  time: {
    left: '剩余{span}', overdue: '已超时{span}', dh: '{d}天{h}小时', hm: '{h}小时{m}分', m: '{m}分钟', s: '{s}秒',
  },
  duration: {
    years: '{n}年', months: '{n}个月', weeks: '{n}周', days: '{n}天', workingDays: '{n}个工作日', hours: '{n}小时',
    minutes: '{n}分钟', seconds: '{n}秒', now: '立即',
  },
  priority: { normal: '一般', high: '高', urgent: '紧急' },
  channel: { sms: '短信', email: '邮件', webhook: '工作群' },
  role: { administrator: '系统管理员' },
  errors: {
    conflict: '无法办理（状态已变化或条件不满足）', forbidden: '无权进行此操作', not_found: '找不到该记录',
    rate_limited: '操作太频繁，请稍后再试', network: '网络连接失败，请检查网络后重试', unavailable: '系统暂时不可用，请稍后重试',
    overloaded: '系统繁忙，请稍后重试', timeout: '请求超时，请稍后重试', csrf: '页面已过期，请刷新后重试',
  },
}
