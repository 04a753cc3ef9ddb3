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

export async function call(cmd, args = {}) {
  try {
    return await ipc.invoke(cmd, args);
  } catch (e) {
    throw new ApiError(e && typeof e === 'object' && e.code ? e : { code: 'internal', message: String(e) });
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
  createUser: (name, departmentId, role) => call('create_user', { name, departmentId, role }),
};

/** Calls `cb(payload)` whenever the backend emits `event` (Tauri's event plugin). */
export function listen(event, cb) {
  const handler = ipc.transformCallback((e) => cb(e.payload));
  return call('plugin:event|listen', { event, target: { kind: 'Any' }, handler });
}
