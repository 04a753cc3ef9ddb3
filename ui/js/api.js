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
  statusCounts: () => call('status_counts'),
  listTickets: (query) => call('list_tickets', { query }),
  getTicket: (id) => call('get_ticket', { id }),
  createTicket: (ticket) => call('create_ticket', { ticket }),
  act: (id, version, action) => call('act', { id, version, action }),
  customerHistory: (phone) => call('customer_history', { phone }),
  seedDemo: () => call('seed_demo'),
  setSetting: (key, value) => call('set_setting', { key, value }),
};
