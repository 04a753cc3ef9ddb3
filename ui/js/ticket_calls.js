// The calls behind a ticket on its screen, each recording playable for those who may
// hear recordings (the backend reads the file and logs the playback).
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, time } from './format.js';
import { $ } from './state.js';
import { can } from './session.js';
import { player } from './qa.js';

export async function show(ticketId) {
  const box = $('#ticket-calls');
  const calls = can('play_recordings') ? await api.ticketCalls(ticketId).catch(() => []) : [];
  if (!calls.length) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  box.replaceChildren(el('h3', { text: i18n.t('calls.title') }), error,
    el('ul', { class: 'plain' }, ...calls.map((c) => el('li', { 'data-testid': 'ticket-call' },
      `${time(c.started_at)} · ${c.agent ?? '—'} · ${i18n.t('qa.seconds', { n: c.seconds })} `,
      ...player(c.id, c.has_recording, error, 'call')))));
  box.hidden = false;
}
