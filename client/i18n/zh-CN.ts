/**
 * The zh-CN message catalogue: the UI's first language. Keys are `area.what`; `{name}` marks a parameter that
 * `t(key, params)` fills. en.ts must hold the same keys (its type says so, and tests/client/i18n.test.ts checks it).
 */
export const zhCN = {
  'app.name': "Site Twin",
  'lang.switchTitle': "Switch to English",
  'login.failed': "登录失败：{message}",
  'login.wrong': "用户名或密码错误。",
  'login.rateLimited': "尝试次数过多：请稍等一分钟再试。",
  'login.network': "无法连接服务器：请检查网络后重试。",
  'login.empty': "请输入用户名和密码。",
  'login.sub': "登录后查看您账号下的项目。",
  'login.username': "用户名",
  'login.password': "密码",
  'login.submit': "登录",
  'auth.logout': "退出登录",
  'role.admin': "管理员",
  'role.authority': "监管部门",
  'role.enterprise': "企业",
  'role.project': "项目",
  'role.viewer': "只读",
  'app.fatal': "Site Twin 无法启动：{message}",
};
