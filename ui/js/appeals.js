// The departments' monthly assessment, adjusted: a department sees the entries counted
// against it in a closed month and appeals one (申诉) with its evidence within the window;
// managers uphold or reject appeals, supervisors approve or refuse tickets proposed as
// unreasonable (不合理件). The backend decides who may do what; the screen only offers.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, time, today } from './format.js';
import { $, showError, notice } from './state.js';
import { can } from './session.js';
import * as notices from './notices.js';

let hooks = null;
let month = null;

/** The month before the centre's today, as `2026-11`. */
function previousMonth() {
  const [y, m] = today().split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function init(h) {
  hooks = h;
  $('#open-appeals').addEventListener('click', () => open());
}

export async function open() {
  month ??= previousMonth();
  hooks.show('appeals');
  await render();
}

function decision(testid, [yes, no], run, done) {
  const note = el('input', { name: 'note', 'data-testid': `${testid}-note`, 'aria-label': i18n.t('appeals.note'), placeholder: i18n.t('appeals.note') });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const button = (ok) => {
    const b = el('button', { type: 'button', 'data-testid': `${testid}-${ok ? 'yes' : 'no'}`, text: i18n.t(ok ? yes : no) });
    b.addEventListener('click', async () => {
      try {
        await run(ok, note.value.trim() || null);
        notice(i18n.t(done));
        await render();
      } catch (e) {
        showError(error, e);
      }
    });
    return b;
  };
  return el('div', { class: 'form-actions' }, note, button(true), button(false), error);
}

function ticketLink(id, number) {
  const b = el('button', { type: 'button', class: 'link', 'data-testid': 'appeals-ticket', text: number });
  b.addEventListener('click', () => hooks.openTicket(id));
  return b;
}

/** One entry counted against the department, with its appeal or the form to file one. */
function entryRow(kpi, t, appealed, windowOpen) {
  const cell = el('td', {});
  if (appealed) {
    cell.append(el('span', { class: `badge appeal-${appealed.state}`, 'data-testid': 'entry-appeal-state', text: i18n.t(`appeals.state.${appealed.state}`) }));
  } else if (windowOpen && can('file_appeal')) {
    const form = el('form', { class: 'inline-form', 'data-testid': 'appeal-form', novalidate: true },
      el('textarea', { name: 'evidence', rows: 2, required: true, 'data-testid': 'appeal-evidence', 'aria-label': i18n.t('appeals.evidence'), placeholder: i18n.t('appeals.evidence') }),
      el('button', { type: 'submit', 'data-testid': 'appeal-file', text: i18n.t('appeals.file') }),
      el('p', { class: 'error', role: 'alert', hidden: true }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.fileAppeal(t.id, month, kpi, form.elements.evidence.value);
        notice(i18n.t('appeals.filed', { number: t.number }));
        await render();
      } catch (err) {
        showError(form.querySelector('.error'), err);
      }
    });
    cell.append(form);
  }
  return el('tr', { 'data-testid': 'entry-row', 'data-kpi': kpi, 'data-number': t.number },
    el('td', {}, ticketLink(t.id, t.number)),
    el('td', { text: time(t.received_at) }),
    el('td', { text: t.summary }),
    cell);
}

function table(heads, rows, testid) {
  return el('table', { class: 'tickets', 'data-testid': testid },
    el('thead', {}, el('tr', {}, ...heads.map((k) => el('th', { scope: 'col', text: k ? i18n.t(k) : '' })))),
    el('tbody', {}, ...rows));
}

async function render() {
  const view = $('#view-appeals');
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'appeals-error', hidden: true });
  const pick = el('form', { class: 'filters', 'data-testid': 'appeals-filter', novalidate: true },
    el('label', {}, el('span', { text: i18n.t('appeals.month') }),
      el('input', { name: 'month', value: month, inputmode: 'numeric', 'data-testid': 'appeals-month', placeholder: i18n.t('appeals.month_format') })),
    el('button', { type: 'submit', 'data-testid': 'appeals-show', text: i18n.t('appeals.show') }));
  pick.addEventListener('submit', async (e) => {
    e.preventDefault();
    month = pick.elements.month.value.trim();
    await render();
  });
  const parts = [el('h2', { text: i18n.t('appeals.title') }), pick, error];
  try {
    const [win, appeals, exclusions] = await Promise.all([api.appealWindow(month), api.appeals(month), api.exclusions()]);
    parts.push(el('p', { 'data-testid': 'appeal-window', 'data-open': String(win.open),
      text: i18n.t(win.open ? 'appeals.window_open' : 'appeals.window_closed', { month: win.month, last_day: win.last_day }) }));
    if (can('file_appeal')) {
      const entries = await api.departmentEntries(month);
      const of = (t, kpi) => appeals.find((a) => a.ticket_id === t.id && a.kpi === kpi);
      const groups = entries.filter((g) => g.tickets.length).map((g) => el('section', { 'data-testid': 'entries', 'data-kpi': g.kpi },
        el('h4', { text: `${i18n.t(`kpi.${g.kpi}.name`)} (${g.tickets.length})` }),
        table(['table.number', 'table.received', 'table.summary', 'appeals.appeal'], g.tickets.map((t) => entryRow(g.kpi, t, of(t, g.kpi), win.open)), 'entries-table')));
      parts.push(el('section', { class: 'card' }, el('h3', { text: i18n.t('appeals.entries') }),
        groups.length ? el('div', {}, ...groups) : el('p', { class: 'empty', text: i18n.t('appeals.no_entries') })));
    }
    parts.push(el('section', { class: 'card' }, el('h3', { text: i18n.t('appeals.list') }),
      appeals.length ? table(['table.number', 'table.department', 'appeals.kpi', 'appeals.evidence', 'appeals.state_label', ''], appeals.map((a) => el('tr', { 'data-testid': 'appeal-row', 'data-state': a.state, 'data-number': a.number },
        el('td', {}, ticketLink(a.ticket_id, a.number)),
        el('td', { text: a.department }),
        el('td', { text: i18n.t(`kpi.${a.kpi}.name`) }),
        el('td', { class: 'pre', text: `${a.evidence}\n— ${a.filed_by} ${time(a.filed_at)}` }),
        el('td', {}, el('span', { class: `badge appeal-${a.state}`, text: i18n.t(`appeals.state.${a.state}`) }), a.note ? el('p', { class: 'muted', text: `${a.decided_by ?? ''}: ${a.note}` }) : null),
        el('td', {}, a.state === 'filed' && can('decide_appeal') ? decision('appeal-decide', ['appeals.uphold', 'appeals.reject'], (yes, note) => api.decideAppeal(a.id, yes, note), 'appeals.decided') : null))), 'appeals-table')
        : el('p', { class: 'empty', text: i18n.t('appeals.none') })));
    parts.push(el('section', { class: 'card' }, el('h3', { text: i18n.t('exclusion.list') }),
      exclusions.length ? table(['table.number', 'table.department', 'exclusion.reason', 'appeals.evidence', 'appeals.state_label', ''], exclusions.map((x) => el('tr', { 'data-testid': 'exclusion-row', 'data-state': x.state, 'data-number': x.number },
        el('td', {}, ticketLink(x.ticket_id, x.number)),
        el('td', { text: x.department }),
        el('td', { text: i18n.t(`exclusion.reason.${x.reason}`) }),
        el('td', { class: 'pre', text: `${x.evidence}\n— ${x.proposed_by} ${time(x.proposed_at)}` }),
        el('td', {}, el('span', { class: `badge exclusion-${x.state}`, text: i18n.t(`exclusion.state.${x.state}`) }), x.note ? el('p', { class: 'muted', text: `${x.decided_by ?? ''}: ${x.note}` }) : null),
        el('td', {}, x.state === 'proposed' && can('decide_exclusion') ? decision('exclusion-decide', ['exclusion.approve', 'exclusion.refuse'], (yes, note) => api.decideExclusion(x.id, yes, note), 'exclusion.decided') : null))), 'exclusions-table')
        : el('p', { class: 'empty', text: i18n.t('exclusion.none') })));
    parts.push(await notices.section(month, render, hooks.openTicket));
  } catch (e) {
    showError(error, e);
  }
  view.replaceChildren(...parts);
}
