// The duty roster's week grid for roster managers: days down, shifts across, who holds
// which post in each cell. Edits stay a draft until saved; the backend refuses a week
// that leaves any minute without a duty leader and names the gap, so nothing half-made
// is ever saved. A cell without a primary leader is marked while editing.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, today, normalDate } from './format.js';
import { $, shared, showError, notice } from './state.js';
import * as session from './session.js';

const DAYS = 7;
const POSTS = ['leader', 'agent', 'technical'];

let from = '';
let shifts = [];
let draft = [];
let dirty = false;
let discarding = false;

const err = () => $('#roster-error');
const shiftName = (s) => (i18n.has(`duty.shift.${s.code}`) ? i18n.t(`duty.shift.${s.code}`) : s.name);
const userName = (id) => shared.ref.users.find((u) => u.id === id)?.name ?? String(id);
const people = () => shared.ref.users.filter((u) => u.active);

/** `day` plus `n` days, as `YYYY-MM-DD` (calendar arithmetic, no time zone involved). */
export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The draft changed: mark it unsaved and draw it again. */
function changed() {
  dirty = true;
  discarding = false;
  render();
}

/** A roster's rows as the draft keeps them (moved `by` days). */
const entries = (list, by = 0) => list.map(({ day, shift_id, post, user_id, backup }) => ({ day: addDays(day, by), shift_id, post, user_id, backup }));

const days = () => Array.from({ length: DAYS }, (_, i) => addDays(from, i));

export function init() {
  const week = $('#roster-week');
  week.addEventListener('submit', (e) => { e.preventDefault(); load(week.elements.from.value); });
  week.elements.from.addEventListener('change', () => load(week.elements.from.value));
  $('#roster-prev').addEventListener('click', () => load(addDays(from, -DAYS)));
  $('#roster-next').addEventListener('click', () => load(addDays(from, DAYS)));
  $('#roster-copy').addEventListener('click', copyPrevious);
  $('#roster-save').addEventListener('click', save);
  $('#roster-add').addEventListener('submit', add);
  $('#roster-editor').addEventListener('toggle', () => {
    if ($('#roster-editor').open && !from) load(today());
  });
}

/** Reads the week from `day` into the draft. */
async function load(day) {
  const start = normalDate(day);
  if (!start) {
    showError(err(), { code: 'invalid_value', details: { field: 'day', value: day } });
    return;
  }
  // Unsaved edits are given up only by asking a second time.
  if (dirty && !discarding) {
    discarding = true;
    $('#roster-week').elements.from.value = from;
    $('#roster-state').textContent = i18n.t('roster.discard');
    return;
  }
  discarding = false;
  try {
    const r = await api.roster(start, addDays(start, DAYS - 1));
    from = start;
    shifts = r.shifts;
    draft = entries(r.assignments);
    dirty = false;
    showError(err(), null);
    render();
  } catch (e) {
    showError(err(), e);
  }
}

/** The week before, moved a week on, as the draft of this one. */
async function copyPrevious() {
  try {
    const r = await api.roster(addDays(from, -DAYS), addDays(from, -1));
    draft = entries(r.assignments, DAYS);
    showError(err(), null);
    changed();
  } catch (e) {
    showError(err(), e);
  }
}

/** The week shown read again (after an import saved days of it). */
export async function reload() {
  if (from && !dirty) await load(from);
}

async function save() {
  try {
    const r = await api.saveRoster(from, addDays(from, DAYS - 1), draft);
    draft = entries(r.assignments);
    dirty = false;
    showError(err(), null);
    notice(i18n.t('roster.saved', { n: draft.length }));
    render();
  } catch (e) {
    showError(err(), e);
  }
}

function add(e) {
  e.preventDefault();
  const f = e.currentTarget.elements;
  const entry = { day: f.day.value, shift_id: Number(f.shift.value), post: f.post.value, user_id: Number(f.user.value), backup: f.backup.checked };
  if (!entry.user_id) {
    showError(err(), { code: 'required', details: { field: 'person' } });
    return;
  }
  const same = (a) => a.day === entry.day && a.shift_id === entry.shift_id && a.post === entry.post && a.user_id === entry.user_id;
  draft = [...draft.filter((a) => !same(a)), entry];
  showError(err(), null);
  changed();
}

/** The primary leader of a cell chosen from its own list (blank: nobody). */
function leaderSelect(day, shift) {
  const s = el('select', { 'data-testid': 'roster-leader', 'data-day': day, 'data-shift': shift.code, 'aria-label': `${day} ${shiftName(shift)} ${i18n.t('duty.leader')}` });
  options(s, people().map((u) => [u.id, u.name]), { blank: '—' });
  const held = draft.find((a) => a.day === day && a.shift_id === shift.id && a.post === 'leader' && !a.backup);
  s.value = held ? String(held.user_id) : '';
  s.addEventListener('change', () => {
    draft = draft.filter((a) => !(a.day === day && a.shift_id === shift.id && a.post === 'leader' && !a.backup));
    if (s.value) {
      const id = Number(s.value);
      draft = draft.filter((a) => !(a.day === day && a.shift_id === shift.id && a.post === 'leader' && a.user_id === id));
      draft.push({ day, shift_id: shift.id, post: 'leader', user_id: id, backup: false });
    }
    changed();
  });
  return s;
}

function cell(day, shift) {
  const here = draft.filter((a) => a.day === day && a.shift_id === shift.id);
  const others = here.filter((a) => a.post !== 'leader' || a.backup);
  const gap = !here.some((a) => a.post === 'leader' && !a.backup);
  const chips = others.map((a) => {
    const x = el('button', { type: 'button', class: 'link', 'data-testid': 'roster-remove', 'aria-label': i18n.t('roster.remove'), text: '×' });
    x.addEventListener('click', () => {
      draft = draft.filter((b) => b !== a);
      changed();
    });
    const what = `${i18n.t(`duty.${a.post}`)}${a.backup ? ` (${i18n.t('duty.backup')})` : ''} ${userName(a.user_id)}`;
    return el('li', { 'data-testid': 'roster-entry', 'data-post': a.post, 'data-backup': String(a.backup) }, what, ' ', x);
  });
  return el('td', { class: gap ? 'roster-cell gap' : 'roster-cell', 'data-testid': 'roster-cell', 'data-day': day, 'data-shift': shift.code, 'data-gap': String(gap) },
    leaderSelect(day, shift), el('ul', { class: 'plain' }, ...chips));
}

export function render() {
  if (!from || !session.can('manage_roster')) return;
  $('#roster-week').elements.from.value = from;
  $('#roster-head').replaceChildren(el('tr', {}, el('th', { text: i18n.t('roster.day') }), ...shifts.map((s) => el('th', { text: shiftName(s) }))));
  $('#roster-rows').replaceChildren(...days().map((d) => el('tr', {}, el('th', { scope: 'row', text: d }), ...shifts.map((s) => cell(d, s)))));
  const f = $('#roster-add').elements;
  options(f.day, days().map((d) => [d, d]));
  options(f.shift, shifts.map((s) => [s.id, shiftName(s)]));
  options(f.post, POSTS.map((p) => [p, i18n.t(`duty.${p}`)]));
  options(f.user, people().map((u) => [u.id, u.name]));
  $('#roster-state').textContent = dirty ? i18n.t('roster.unsaved') : '';
}
