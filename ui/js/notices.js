// Supervision notices (催办通知书, 督办单): the department's inbox with acknowledgement, the
// document in its A4 print layout, the month's notice list (通报), and a supervisor issuing
// one from the ticket's page. The backend decides who may do what; the screen only offers.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, time } from './format.js';
import { $, showError, notice, me } from './state.js';
import { can } from './session.js';
import { savePdf } from './pdf.js';

/** 催办〔2026〕3号: the document's number in the current language. */
export function numberOf(n) {
  return i18n.t(`notice.number.${n.kind}`, { year: n.year, seq: n.seq });
}

/** The document as it is printed: the template filled with what was fixed when issued. */
function documentOf(n) {
  const fields = {
    department: n.department,
    number: n.number,
    received: time(n.received_at),
    summary: n.summary,
    deadline: n.deadline ? time(n.deadline) : '—',
    reply_by: time(n.reply_by),
    issued: time(n.issued_at),
  };
  return el('article', { class: 'notice-doc card', 'data-testid': 'notice-doc', 'data-id': String(n.id) },
    el('h1', { text: i18n.t(`notice.title.${n.kind}`) }),
    el('p', { class: 'notice-no', text: numberOf(n) }),
    el('p', { text: i18n.t('notice.to', fields) }),
    el('p', { class: 'pre', text: i18n.t(`notice.body.${n.cause}`, fields) }),
    n.note ? el('p', { class: 'pre', text: n.note }) : null,
    el('p', { text: i18n.t('notice.reply', fields) }),
    el('p', { class: 'signature', text: i18n.t('notice.signature', fields) }),
    n.acknowledged_at ? el('p', { class: 'muted', 'data-testid': 'notice-acknowledged', text: i18n.t('notice.acknowledged', { by: n.acknowledged_by ?? '', at: time(n.acknowledged_at), note: n.ack_note ?? '' }) }) : null);
}

/** The notices section of the assessment view; `reload` renders the view again. */
export async function section(month, reload, openTicket) {
  const [rows, listed] = await Promise.all([api.notices(), can('view_reports') ? api.noticeList(month) : Promise.resolve(null)]);
  const doc = el('div', { 'data-testid': 'notice-view' });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const show = (n) => {
    const print = el('button', { type: 'button', 'data-testid': 'notice-print', text: i18n.t('notice.print') });
    const result = el('p', { class: 'muted', hidden: true });
    print.addEventListener('click', async () => {
      document.body.dataset.print = 'notice';
      try {
        await savePdf(print, (again) => api.saveNoticePdf(n.id, again), result);
      } catch (e) {
        showError(error, e);
      } finally {
        delete document.body.dataset.print;
      }
    });
    doc.replaceChildren(documentOf(n), el('p', { class: 'form-actions' }, print), result);
  };
  const mine = (n) => me()?.role === 'handler' && me()?.department_id === n.department_id;
  const table = el('table', { class: 'tickets', 'data-testid': 'notices-table' },
    el('thead', {}, el('tr', {}, ...['notice.number', 'table.number', 'table.department', 'notice.cause', 'notice.reply_by', 'appeals.state_label', '']
      .map((k) => el('th', { scope: 'col', text: k ? i18n.t(k) : '' })))),
    el('tbody', {}, ...rows.map((n) => {
      const open = el('button', { type: 'button', class: 'link', 'data-testid': 'notice-open', text: numberOf(n) });
      open.addEventListener('click', () => show(n));
      const ticket = el('button', { type: 'button', class: 'link', text: n.number });
      ticket.addEventListener('click', () => openTicket(n.ticket_id));
      const actions = el('td', {});
      if (!n.acknowledged_at && mine(n)) {
        const ack = el('button', { type: 'button', 'data-testid': 'notice-ack', text: i18n.t('notice.ack') });
        ack.addEventListener('click', async () => {
          try {
            await api.acknowledgeNotice(n.id);
            notice(i18n.t('notice.acked', { number: numberOf(n) }));
            await reload();
          } catch (e) {
            showError(error, e);
          }
        });
        actions.append(ack);
      }
      return el('tr', { 'data-testid': 'notice-row', 'data-kind': n.kind, 'data-number': n.number, 'data-state': n.acknowledged_at ? 'acknowledged' : 'open' },
        el('td', {}, open), el('td', {}, ticket), el('td', { text: n.department }),
        el('td', { text: i18n.t(`notice.cause.${n.cause}`) }), el('td', { text: time(n.reply_by) }),
        el('td', { text: i18n.t(n.acknowledged_at ? 'notice.state.acknowledged' : 'notice.state.open') }), actions);
    })));
  const parts = [el('h3', { text: i18n.t('notice.list') }), rows.length ? table : el('p', { class: 'empty', text: i18n.t('notice.none') }), error, doc];
  if (listed) {
    parts.push(el('h4', { text: i18n.t('notice.month_list', { month }) }),
      listed.length ? el('ul', { 'data-testid': 'notice-month-list' }, ...listed.map((l) => el('li', { 'data-testid': 'notice-listed', 'data-department': String(l.department_id) },
        `${l.department}: ${l.tickets.map(([number, n]) => i18n.t('notice.urged_times', { number, n })).join(', ')}`)))
        : el('p', { class: 'empty', text: i18n.t('notice.month_none') }));
  }
  return el('section', { class: 'card', 'data-testid': 'notices' }, ...parts);
}

/** A supervisor issues a document to the ticket's department from its page. */
export function issueForm(ticket, reload) {
  const box = $('#detail-notice');
  box.hidden = !(ticket.department_id && can('issue_notices'));
  if (box.hidden) { box.replaceChildren(); return; }
  const kind = el('select', { name: 'kind', 'data-testid': 'notice-kind' },
    ...['urge', 'supervise'].map((k) => el('option', { value: k, text: i18n.t(`notice.title.${k}`) })));
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'notice-error', hidden: true });
  const form = el('form', { 'data-testid': 'notice-form', novalidate: true },
    el('label', {}, el('span', { text: i18n.t('notice.kind') }), kind),
    el('label', {}, el('span', { text: i18n.t('notice.note') }), el('textarea', { name: 'note', rows: 2, required: true, 'data-testid': 'notice-note' })),
    el('p', { class: 'form-actions' }, el('button', { type: 'submit', 'data-testid': 'notice-issue', text: i18n.t('notice.issue') })),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const n = await api.issueNotice(ticket.id, kind.value, form.elements.note.value);
      notice(i18n.t('notice.issued', { number: numberOf(n) }));
      await reload();
    } catch (err) {
      showError(error, err);
    }
  });
  box.replaceChildren(el('details', {}, el('summary', { text: i18n.t('notice.issue_title') }), form));
}
