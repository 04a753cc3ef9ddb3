// The one door to the backend: every call goes through `call`, every failure becomes an
// ApiError carrying the backend's stable code, so screens translate by code.

const ipc = window.__TAURI_INTERNALS__;

export class ApiError extends Error {
  constructor({ code, message, details }) {
    super(message);
    this.code = code || 'internal';
    this.details = details || {};
  }
}

const lost = [];
const SESSION_CODES = ['session_locked', 'unauthenticated'];

/** Called when a command is refused because the desk locked or nobody is signed in. */
export function onSessionLost(cb) {
  lost.push(cb);
}

export async function call(cmd, args = {}) {
  try {
    return await ipc.invoke(cmd, args);
  } catch (e) {
    const err = new ApiError(e && typeof e === 'object' && e.code ? e : { code: 'internal', message: String(e) });
    if (SESSION_CODES.includes(err.code)) for (const cb of lost) cb(err);
    throw err;
  }
}

export const api = {
  appInfo: () => call('app_info'),
  reference: () => call('reference'),
  queueCounts: () => call('queue_counts'),
  listTickets: (query) => call('list_tickets', { query }),
  getTicket: (id) => call('get_ticket', { id }),
  intake: (ticket, then = null) => call('intake', { ticket, then }),
  act: (id, version, action) => call('act', { id, version, action }),
  customerHistory: (phone) => call('customer_history', { phone }),
  suggestDeadlines: (category, severity) => call('suggest_deadlines', { category, severity }),
  seedDemo: () => call('seed_demo'),
  notifications: () => call('notifications'),
  getSettings: () => call('get_settings'),
  notificationPrefs: () => call('notification_prefs'),
  setNotificationPrefs: (prefs) => call('set_notification_prefs', { prefs }),
  slaPolicies: () => call('sla_policies'),
  setSlaPolicy: (stage, categoryId, severity, span, calendar) => call('set_sla_policy', { stage, categoryId, severity, span, calendar }),
  calendars: () => call('calendars'),
  setCalendarDay: (calendar, date, kind, note) => call('set_calendar_day', { calendar, date, kind, note }),
  importIcs: (calendar, text) => call('import_ics', { calendar, text }),
  markNotificationsRead: () => call('mark_notifications_read'),
  setSetting: (key, value) => call('set_setting', { key, value }),
  createDepartment: (code, name, parentId) => call('create_department', { code, name, parentId }),
  createCategory: (code, name, parentId, defaultDays) => call('create_category', { code, name, parentId, defaultDays }),
  reveal: (id, reason) => call('reveal', { id, reason }),
  changePassword: (old, next) => call('change_password', { old, new: next }),
  accounts: () => call('accounts'),
  createAccount: (account) => call('create_account', { account }),
  setPassword: (userId, login, password) => call('set_password', { userId, login, password }),
  setUserActive: (userId, active) => call('set_user_active', { userId, active }),
  setUserRole: (userId, role, departmentId) => call('set_user_role', { userId, role, departmentId }),
  auditEntries: (query) => call('audit_entries', { query }),
  verifyAudit: () => call('verify_audit'),
  backupStatus: () => call('backup_status'),
  backups: () => call('backups'),
  setBackupPassphrase: (passphrase) => call('set_backup_passphrase', { passphrase }),
  backupNow: () => call('backup_now'),
  verifyBackup: (name) => call('verify_backup', { name, passphrase: null }),
  restoreBackup: (name) => call('restore_backup', { name, passphrase: null }),
  retentionPlan: () => call('retention_plan'),
  anonymise: () => call('anonymise'),
};

/** Calls `cb(payload)` whenever the backend emits `event` (Tauri's event plugin). */
export function listen(event, cb) {
  const handler = ipc.transformCallback((e) => cb(e.payload));
  return call('plugin:event|listen', { event, target: { kind: 'Any' }, handler });
}
