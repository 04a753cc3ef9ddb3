// The desk window: queues with live counts and the ticket list.
import { api } from './api.js';
import * as i18n from './i18n.js';

const QUEUES = ['all', 'received', 'transferred', 'returned', 'in_progress', 'replied', 'awaiting_callback', 'closed', 'archived'];
const PAGE = 50;
const state = { queue: 'all', search: '', offset: 0, info: null, counts: {} };
const $ = (sel) => document.querySelector(sel);

/** Short form for tables (the year only when it is not this year). */
function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const opts = { timeZone: state.info?.timezone || 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return new Intl.DateTimeFormat(i18n.lang(), opts).format(d);
}

function showError(err) {
  const el = $('[data-testid="error"]');
  if (!err) { el.hidden = true; el.textContent = ''; return; }
  el.textContent = i18n.errorText(err);
  el.dataset.code = err.code;
  el.hidden = false;
}

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function categoryLabel(row) {
  const key = `category.${row.category_code}`;
  return i18n.has(key) ? i18n.t(key) : row.category_name;
}

function renderQueues() {
  const ul = $('#queue-list');
  ul.replaceChildren();
  const total = Object.values(state.counts).reduce((a, b) => a + b, 0);
  for (const q of QUEUES) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.testid = `queue-${q}`;
    b.className = q === state.queue ? 'active' : '';
    b.setAttribute('aria-pressed', String(q === state.queue));
    const label = document.createElement('span');
    label.textContent = i18n.t(q === 'all' ? 'queue.all' : `status.${q}`);
    const count = document.createElement('span');
    count.className = 'count';
    count.dataset.testid = `count-${q}`;
    count.textContent = String(q === 'all' ? total : state.counts[q] ?? 0);
    b.append(label, count);
    b.addEventListener('click', () => { state.queue = q; state.offset = 0; refresh(); });
    li.append(b);
    ul.append(li);
  }
}

function renderRows(page) {
  const tbody = $('#ticket-rows');
  tbody.replaceChildren();
  for (const r of page.rows) {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'ticket-row';
    tr.dataset.number = r.number;
    if (r.urgency === 'urgent' || r.severity !== 'general') tr.classList.add('urgent');
    tr.append(
      cell(r.number, 'mono'),
      cell(i18n.t(`status.${r.status}`), `status status-${r.status}`),
      cell(fmtTime(r.received_at)),
      cell(r.caller_name),
      cell(r.phone, 'mono'),
      cell(categoryLabel(r), 'wrap'),
      cell(i18n.t(`severity.${r.severity}`), `sev sev-${r.severity}`),
      cell(r.department_name ?? '—', 'wrap'),
      cell(fmtTime(r.due_at)),
      cell(r.summary, 'summary'),
    );
    tbody.append(tr);
  }
  $('[data-testid="empty"]').hidden = page.rows.length > 0;
  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = page.offset + page.rows.length;
  $('#range').textContent = i18n.t('pager.range', { from, to, total: page.total });
  $('#prev').disabled = page.offset === 0;
  $('#next').disabled = to >= page.total;
}

let generation = 0;

/** Reloads counts and rows; a reply to an older request (a quicker click since) is dropped. */
async function refresh() {
  const mine = ++generation;
  try {
    const query = { offset: state.offset, limit: PAGE };
    if (state.queue !== 'all') query.statuses = [state.queue];
    if (state.search) query.search = state.search;
    const [counts, page] = await Promise.all([api.statusCounts(), api.listTickets(query)]);
    if (mine !== generation) return;
    state.counts = counts;
    renderQueues();
    renderRows(page);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    $('[data-testid="demo-offer"]').hidden = total > 0;
    showError(null);
  } catch (e) {
    if (mine === generation) showError(e);
  }
}

async function setLang(lang) {
  await i18n.load(lang);
  localStorage.setItem('lang', lang);
  $('#lang-select').value = lang;
  i18n.apply();
  await refresh();
}

async function start() {
  const lang = i18n.detect(localStorage.getItem('lang'), navigator.languages || [navigator.language]);
  await i18n.load(lang);
  $('#lang-select').value = lang;
  i18n.apply();
  $('#lang-select').addEventListener('change', (e) => setLang(e.target.value));
  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.search = $('#search').value.trim();
    state.offset = 0;
    refresh();
  });
  $('#prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); refresh(); });
  $('#next').addEventListener('click', () => { state.offset += PAGE; refresh(); });
  $('[data-testid="load-demo"]').addEventListener('click', async (e) => {
    const b = e.currentTarget;
    b.disabled = true;
    b.textContent = i18n.t('empty.loading');
    try {
      await api.seedDemo();
    } catch (err) {
      showError(err);
    }
    b.disabled = false;
    b.textContent = i18n.t('empty.load');
    refresh();
  });
  try {
    state.info = await api.appInfo();
    $('[data-testid="acting-user"]').textContent = state.info.user.name;
    $('#db-path').textContent = state.info.db_path;
  } catch (e) {
    showError(e);
    return;
  }
  await refresh();
  document.body.dataset.ready = 'true';
}

start();
