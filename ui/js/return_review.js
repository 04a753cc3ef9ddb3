// Return review (退单审核) on the ticket: a department's return request with its reason;
// the dispatcher approves (the ticket comes back to be re-routed) or refuses it (the
// department keeps it, its clock running); the department may escalate a refusal once, and
// another supervisor decides finally. The backend decides who may do what.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, time } from './format.js';
import { $, shared, showError, notice, me, returnReasonName } from './state.js';
import { can } from './session.js';

export async function render(ticket, reload) {
  const box = $('#detail-return');
  let r = null;
  try {
    r = await api.returnRequest(ticket.id);
  } catch {
    r = null;
  }
  box.hidden = !r;
  if (!r) { box.replaceChildren(); return; }
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'return-error', hidden: true });
  const note = el('input', { name: 'note', 'data-testid': 'return-note', 'aria-label': i18n.t('return.note'), placeholder: i18n.t('return.note') });
  const button = (key, run) => {
    const b = el('button', { type: 'button', 'data-testid': `return-${key}`, text: i18n.t(`return.do.${key}`) });
    b.addEventListener('click', async () => {
      try {
        await run();
        notice(i18n.t(`return.done.${key}`, { number: ticket.number }));
        await reload();
      } catch (e) {
        showError(error, e);
      }
    });
    return b;
  };
  const open = ['pending', 'escalated'].includes(r.state);
  const actions = [];
  if (open && can('manage_dispatch')) {
    actions.push(button('approve', () => api.decideReturn(ticket.id, true, note.value || null)), button('refuse', () => api.decideReturn(ticket.id, false, note.value || null)));
  }
  const mine = me()?.role === 'handler' && me()?.department_id === r.department_id;
  if (r.state === 'refused' && mine) actions.push(button('escalate', () => api.escalateReturn(ticket.id, note.value)));
  const deptName = shared.ref.departments.find((d) => d.id === r.department_id)?.name ?? r.department;
  box.replaceChildren(
    el('h3', { text: i18n.t('return.title') }),
    el('p', { 'data-testid': 'return-state', 'data-state': r.state },
      el('span', { class: `badge return-${r.state}`, text: i18n.t(`return.state.${r.state}`) }),
      ` ${deptName} · ${returnReasonName(r.reason_code)} · ${r.requested_by} ${time(r.requested_at)}`),
    el('p', { class: 'pre', text: r.reason }),
    r.note ? el('p', { class: 'muted', text: i18n.t('return.decided', { by: r.decided_by ?? '', note: r.note }) }) : null,
    r.final_note ? el('p', { class: 'muted', text: i18n.t('return.final', { note: r.final_note }) }) : null,
    actions.length ? el('p', { class: 'form-actions' }, note, ...actions) : null,
    error);
}
