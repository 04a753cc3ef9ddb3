// Queues with live counts, filters, sort, search and pages.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, label, options, time, businessLeft, overdueText, dateToIso } from './format.js';
import { $, shared, showError, categoryName, treeOptions } from './state.js';

const PAGE = 50;
const state = { queue: 'all', offset: 0, counts: {}, filters: {} };
let generation = 0;
let onOpen = () => {};

export function init({ open }) {
  onOpen = open;
  const form = $('#filters');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // A new search shows the best matches first, unless an order was chosen.
    const f = form.elements;
    if (f.search.value.trim() && f.search.value.trim() !== state.filters.search && f.sort.value === 'received_desc') f.sort.value = 'relevance';
    if (!f.search.value.trim() && f.sort.value === 'relevance') f.sort.value = 'received_desc';
    for (const c of [f.from, f.to]) {
      if (dateToIso(c.value) === undefined) { c.setAttribute('aria-invalid', 'true'); c.focus(); return; }
      c.removeAttribute('aria-invalid');
    }
    readFilters();
    state.offset = 0;
    refresh();
  });
  form.addEventListener('reset', () => setTimeout(() => { readFilters(); state.offset = 0; refresh(); }));
  form.addEventListener('change', (e) => { if (e.target.tagName === 'SELECT' || e.target.dataset.kind === 'date') form.requestSubmit(); });
  $('#prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); refresh(); });
  $('#next').addEventListener('click', () => { state.offset += PAGE; refresh(); });
}

export function fillFilters() {
  const f = $('#filters').elements;
  const any = i18n.t('filter.any');
  options(f.category_id, treeOptions(shared.ref.categories, categoryName), { blank: any });
  options(f.severity, shared.vocab.severities.map((s) => [s, i18n.t(`severity.${s}`)]), { blank: any });
  options(f.channel, shared.vocab.channels.map((s) => [s, i18n.t(`channel.${s}`)]), { blank: any });
  options(f.department_id, treeOptions(shared.ref.departments), { blank: any });
  options(f.handler_id, shared.ref.users.filter((u) => u.role === 'handler').map((u) => [u.id, u.name]), { blank: any });
}

function readFilters() {
  const f = $('#filters').elements;
  const num = (v) => (v ? Number(v) : null);
  state.filters = {
    search: f.search.value.trim() || null,
    category_id: num(f.category_id.value),
    severity: f.severity.value || null,
    channel: f.channel.value || null,
    department_id: num(f.department_id.value),
    handler_id: num(f.handler_id.value),
    received_from: dateToIso(f.from.value),
    received_to: dateToIso(f.to.value, 1),
    sort: f.sort.value,
  };
}

/** The filters in force, as chips that say what narrows the list and clear it in one
 * click; the queue counts beside them say they ignore these. */
function renderChips() {
  const f = $('#filters').elements;
  const chips = [];
  const chip = (name, labelKey, text) => {
    const b = el('button', { type: 'button', class: 'chip', 'data-testid': 'filter-chip', 'data-filter': name, 'aria-label': i18n.t('filter.clear_one', { what: i18n.t(labelKey) }) },
      `${i18n.t(labelKey)}: ${text} `, el('span', { 'aria-hidden': 'true', text: '×' }));
    b.addEventListener('click', () => {
      f[name].value = '';
      if (name === 'search' && f.sort.value === 'relevance') f.sort.value = 'received_desc';
      $('#filters').requestSubmit();
    });
    chips.push(b);
  };
  const picked = (name) => f[name].selectedOptions?.[0]?.textContent.trim();
  if (state.filters.search) chip('search', 'search.label', `“${state.filters.search}”`);
  for (const [name, key] of [['category_id', 'table.category'], ['severity', 'table.severity'], ['channel', 'field.channel'], ['department_id', 'table.department'], ['handler_id', 'field.handler']]) {
    if (f[name].value) chip(name, key, picked(name));
  }
  if (state.filters.received_from) chip('from', 'filter.from', f.from.value);
  if (state.filters.received_to) chip('to', 'filter.to', f.to.value);
  $('#filter-chips').replaceChildren(...chips);
  $('#counts-note').hidden = chips.length === 0;
}

/** Counts past the store's cap (it answers cap + 1) read "10000+". */
const countText = (n) => {
  const cap = shared.info?.count_cap;
  return cap && n > cap ? i18n.t('count.more', { n: cap }) : String(n);
};

function renderQueues() {
  const ul = $('#queue-list');
  ul.replaceChildren();
  for (const q of shared.vocab?.queues ?? []) {
    const b = el('button', { type: 'button', 'data-testid': `queue-${q}`, class: `${q === state.queue ? 'active' : ''} q-${q}`, 'aria-pressed': String(q === state.queue) },
      el('span', { text: i18n.t(`queue.${q}`) }),
      el('span', { class: 'count', 'data-testid': `count-${q}`, text: countText(state.counts[q] ?? 0) }));
    b.addEventListener('click', () => { state.queue = q; state.offset = 0; refresh(); document.dispatchEvent(new CustomEvent('show-queue')); });
    ul.append(el('li', {}, b));
  }
}

/** The summary, or where a search matched with the matches marked (built as nodes). */
function summary(r) {
  const td = el('td', { class: 'summary', 'data-testid': 'summary-cell' });
  if (!r.snippet) { td.textContent = r.summary; return td; }
  const chars = [...r.snippet.text];
  let at = 0;
  for (const [a, b] of r.snippet.marks) {
    td.append(chars.slice(at, a).join(''), el('mark', { 'data-testid': 'search-mark', text: chars.slice(a, b).join('') }));
    at = b;
  }
  td.append(chars.slice(at).join(''));
  return td;
}

function renderRows(page) {
  const tbody = $('#ticket-rows');
  // A live refresh must not take the keyboard away: the row in focus keeps it.
  const focused = document.activeElement?.closest?.('#ticket-rows [data-testid="ticket-row"]')?.dataset.number;
  tbody.replaceChildren();
  const now = Date.now();
  for (const r of page.rows) {
    const open = el('button', { type: 'button', class: 'link mono', 'data-testid': 'open-ticket', text: r.number });
    open.addEventListener('click', () => onOpen(r.id));
    const due = r.due_at && ['transferred', 'in_progress'].includes(r.status)
      ? el('td', { class: Date.parse(r.due_at) < now ? 'overdue' : '', 'data-testid': 'due-cell' }, time(r.due_at, { short: true }), el('br'), el('small', { text: r.overdue_minutes != null ? overdueText(r.overdue_minutes) : businessLeft(r.due_left_minutes) }))
      : el('td', { text: r.due_at ? time(r.due_at, { short: true }) : '—' });
    const tr = el('tr', { 'data-testid': 'ticket-row', 'data-number': r.number, 'data-id': String(r.id), class: r.urgency === 'urgent' || r.severity !== 'general' ? 'urgent' : '' },
      el('td', {}, open),
      el('td', { class: `status status-${r.status}`, text: i18n.t(`status.${r.status}`) }),
      el('td', { text: time(r.received_at, { short: true }) }),
      el('td', { text: r.caller_name }),
      el('td', { class: 'mono', text: r.phone }),
      el('td', { class: 'wrap', text: label('category', r.category_code, r.category_name) }),
      el('td', { class: `sev sev-${r.severity}`, text: i18n.t(`severity.${r.severity}`) }),
      el('td', { class: 'wrap', text: r.department_name ?? '—' }),
      due,
      summary(r));
    tr.addEventListener('dblclick', () => onOpen(r.id));
    tbody.append(tr);
  }
  if (focused) tbody.querySelector(`[data-testid="ticket-row"][data-number="${focused}"] [data-testid="open-ticket"]`)?.focus();
  $('[data-testid="empty"]').hidden = page.rows.length > 0;
  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = page.offset + page.rows.length;
  $('#range').textContent = i18n.t(page.capped ? 'pager.range_more' : 'pager.range', { from, to, total: page.total });
  $('#prev').disabled = page.offset === 0;
  $('#next').disabled = to >= page.total;
}

/** Reloads counts (always) and the list; a reply to a superseded request is dropped. */
export async function refresh({ listToo = true } = {}) {
  const mine = ++generation;
  try {
    const query = { ...state.filters, queue: state.queue, offset: state.offset, limit: PAGE };
    for (const k of Object.keys(query)) if (query[k] === null) delete query[k];
    const [counts, page] = await Promise.all([api.queueCounts(), listToo ? api.listTickets(query) : null]);
    if (mine !== generation) return;
    state.counts = counts;
    renderQueues();
    renderChips();
    if (page) renderRows(page);
    $('[data-testid="demo-offer"]').hidden = (counts.all ?? 0) > 0;
    showError($('[data-testid="error"]'), null);
  } catch (e) {
    if (mine === generation) showError($('[data-testid="error"]'), e);
  }
}
