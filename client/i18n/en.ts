import type { zhCN } from './zh-CN.js';

/** The English message catalogue: the same keys as zh-CN.ts. */
export const en: Record<keyof typeof zhCN, string> = {
  'app.name': "Site Twin",
  'lang.switchTitle': "切换到中文",
  'login.failed': "Login failed: {message}",
  'login.wrong': "Wrong username or password.",
  'login.rateLimited': "Too many attempts: wait a minute and try again.",
  'login.network': "The server cannot be reached: check the network and try again.",
  'login.empty': "Enter a username and a password.",
  'login.sub': "Sign in to see the projects of your account.",
  'login.username': "Username",
  'login.password': "Password",
  'login.submit': "Sign in",
  'auth.logout': "Log out",
  'role.admin': "admin",
  'role.authority': "authority",
  'role.enterprise': "enterprise",
  'role.project': "project",
  'role.viewer': "viewer",
  'app.fatal': "Site Twin could not start: {message}",
};
