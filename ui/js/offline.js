// Calls logged while the centre server could not be reached: waiting on this desk, sent
// when it is back (each once, then with its ticket number), or refused with the reason.
import { api, listen } from './api.js';
import * as i18n from './i18n.js';
import { el, time } from './format.js';
import { $ } from './state.js';

let entries = [];

export function render() {
  const box = $('#offline-outbox');
  box.hidden = entries.length === 0;
  const list = $('#offline-list');
  list.replaceChildren(...entries.map((e) => {
    const state = e.state === 'sent'
      ? i18n.t('offline.sent', { number: e.number })
      : e.state === 'refused' ? i18n.t('offline.refused', { reason: i18n.errorText(e.error) }) : i18n.t('offline.waiting');
    return el('li', { 'data-testid': 'offline-item', 'data-state': e.state, 'data-number': e.number ?? '' },
      el('span', { class: 'when', text: time(e.taken_at) }),
      el('span', { text: ` ${e.caller_name || i18n.t('detail.anonymous')} ${e.phone} · ` }),
      el('strong', { text: state }));
  }));
}

export async function refresh() {
  try {
    entries = await api.offlineOutbox();
  } catch {
    entries = [];
  }
  render();
}

export async function init() {
  await refresh();
  listen('offline-outbox-changed', refresh).catch(() => {});
}
