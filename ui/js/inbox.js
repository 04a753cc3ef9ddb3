// The notification centre: every deadline notification of the acting user, kept here
// whether or not the desktop showed it; the bell counts the unread ones.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, time } from './format.js';
import { $ } from './state.js';

let openTicket = () => {};
let openIncident = () => {};
let openTraining = () => {};

export function init({ open, incident, training }) {
  openTicket = open;
  openIncident = incident;
  openTraining = training;
}

function setCount(n) {
  const c = $('#bell-count');
  c.textContent = String(n);
  c.classList.toggle('unread', n > 0);
}

export async function refreshCount() {
  try {
    setCount((await api.notifications()).unread);
  } catch {
    setCount(0);
  }
}

/** Shows the list and marks everything read (it has been seen). */
export async function open() {
  const box = await api.notifications();
  $('#inbox').replaceChildren(...box.items.map((n) => {
    const b = el('button', { type: 'button', class: 'link mono', text: n.number });
    // A page opens its incident (to acknowledge it there); the rest their ticket.
    b.addEventListener('click', () => (n.session_id ? openTraining() : n.incident_id ? openIncident(n.incident_id) : openTicket(n.ticket_id)));
    // Incidents and workflow steps have their own wording; deadlines a reminder or a breach.
    const caller = n.caller_name || i18n.t('notify.caller_unnamed');
    const own = `notify.body.${n.kind}`;
    // Every wording takes what it names: a page its incident's title and level, a
    // follow-up its title and deadline, a finding the ticket's number.
    const params = { caller, deadline: time(n.deadline), number: n.number, title: n.session_id ? n.number : n.caller_name, level: n.incident_id ? i18n.t(`incident.level.${n.threshold}`) : '' };
    const body = n.incident_id || i18n.has(own)
      ? i18n.t(own, params)
      : n.threshold >= 100
      ? i18n.t('notify.body.breach', { caller, deadline: time(n.deadline) })
      : i18n.t('notify.body.reminder', { caller, deadline: time(n.deadline), percent: n.threshold });
    return el('li', { 'data-testid': 'notification-item', 'data-number': n.number, class: n.read ? '' : 'unread' },
      el('strong', { text: i18n.t(`notify.title.${n.kind}`, { number: '' }) }), ' ', b, el('br'),
      el('span', { text: body }), ' ', el('small', { class: 'muted', text: time(n.created_at) }));
  }));
  $('[data-testid="inbox-empty"]').hidden = box.items.length > 0;
  if (box.unread > 0) await api.markNotificationsRead();
  setCount(0);
}
