// A new call: keyboard first, the caller's history beside the form while the number is
// typed, and two endings: answer now and close, or transfer with a slip.
import { api } from './api.js';
import * as incidents from './incidents.js';
import * as kbSuggest from './kb_suggest.js';
import * as dispatch from './dispatch_suggest.js';
import * as dups from './dup_suggest.js';
import * as i18n from './i18n.js';
import { el, options, time, isoToInput, inputToIso, label } from './format.js';
import { $, shared, showError, markField, categoryName, treeOptions, notice, templatePicker } from './state.js';

let historyTimer = null;
let historySeq = 0;
let dueTouched = false;
let onSaved = () => {};
let onOpen = () => {};
/** The caller's open ticket with the actions a repeat call may take on it. */
let openTicketView = null;

/** The fields a draft keeps: everything the agent types or picks. */
const DRAFT_FIELDS = ['phone', 'caller_name', 'withheld', 'anonymous', 'category', 'occurred_at', 'description', 'channel', 'severity', 'urgency', 'email', 'address', 'answer', 'callback', 'department_id', 'requirements', 'due_at', 'incident', 'article'];
/** Typing in any of these makes the form a call worth keeping. */
const TYPED = ['phone', 'caller_name', 'description', 'email', 'address', 'answer', 'requirements'];
let draftTimer = null;
/** The draft save in flight, awaited before the call is logged (it must not outlive it). */
let saving = Promise.resolve();

function formDraft() {
  const f = $('#intake-form').elements;
  return Object.fromEntries(DRAFT_FIELDS.map((n) => [n, f[n].type === 'checkbox' ? f[n].checked : f[n].value]));
}

/** Whether the form holds a call being typed (not just defaults). */
export function hasDraft() {
  const f = $('#intake-form').elements;
  return TYPED.some((n) => f[n].value.trim() !== '');
}

function markDraft() {
  $('#draft-badge').hidden = !hasDraft();
}

/** Saves the call being typed now (also when leaving the view): nothing typed is lost. */
export async function flush() {
  clearTimeout(draftTimer);
  draftTimer = null;
  markDraft();
  try {
    if (hasDraft()) {
      saving = api.saveIntakeDraft(formDraft());
      await saving;
    }
  } catch (e) {
    showError($('[data-testid="intake-error"]'), e);
  }
}

/** Puts a kept draft back into the form (after a restart of the desk). */
export async function restore() {
  let draft = null;
  try {
    draft = await api.intakeDraft();
  } catch {
    return;
  }
  if (!draft) return;
  const f = $('#intake-form').elements;
  for (const n of DRAFT_FIELDS) {
    if (!(n in draft) || !f[n]) continue;
    if (f[n].type === 'checkbox') f[n].checked = Boolean(draft[n]);
    else f[n].value = draft[n] ?? '';
  }
  phoneRule();
  kbSuggest.restore();
  markDraft();
  $('#draft-restored').textContent = i18n.t('intake.draft_restored');
  $('#draft-restored').hidden = !hasDraft();
}

function clearForm() {
  const form = $('#intake-form');
  form.reset();
  dueTouched = false;
  fill();
  phoneRule();
  prefillDue();
  showError($('[data-testid="intake-error"]'), null);
  markField(form, null);
  $('#history-list').replaceChildren();
  $('[data-testid="intake-history-hint"]').hidden = false;
  $('#open-offer').hidden = true;
  $('#discard-confirm').hidden = true;
  $('#draft-restored').hidden = true;
  openTicketView = null;
  kbSuggest.clear();
  dispatch.clear();
  dups.clear();
  markDraft();
}

/** Drops the draft after the user confirmed it (or after the call was logged). */
async function discard() {
  clearTimeout(draftTimer);
  await saving.catch(() => {});
  await api.discardIntakeDraft().catch(() => {});
  clearForm();
}

export function init({ saved, open: openTicket }) {
  onSaved = saved;
  onOpen = openTicket;
  const f = $('#intake-form');
  f.addEventListener('input', () => {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(flush, 400);
  });
  f.addEventListener('change', () => {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(flush, 400);
  });
  $('#intake-discard').addEventListener('click', () => {
    if (!hasDraft()) { clearForm(); return; }
    $('#discard-confirm').hidden = false;
    $('#discard-no').focus();
  });
  $('#discard-yes').addEventListener('click', async () => { await discard(); f.elements.phone.focus(); });
  $('#discard-no').addEventListener('click', () => { $('#discard-confirm').hidden = true; f.elements.description.focus(); });
  f.elements.phone.addEventListener('input', () => {
    clearTimeout(historyTimer);
    historyTimer = setTimeout(loadHistory, 200);
  });
  f.elements.category.addEventListener('change', prefillDue);
  f.elements.category.addEventListener('change', pickers);
  f.elements.withheld.addEventListener('change', phoneRule);
  f.elements.channel.addEventListener('change', phoneRule);
  f.elements.due_at.addEventListener('input', () => { dueTouched = true; });
  $('#intake-answer-submit').addEventListener('click', () => submit('answer'));
  $('#intake-transfer-submit').addEventListener('click', () => submit('transfer'));
  $('#intake-save').addEventListener('click', () => submit(null));
  $('#offer-supplement').addEventListener('click', () => addToOpen('supplement'));
  $('#offer-urge').addEventListener('click', () => addToOpen('urge'));
  f.addEventListener('submit', (e) => e.preventDefault());
  kbSuggest.init(f);
  // A repeat of an open ticket: log the call and merge it into that one (并单).
  dups.init(f, async (master) => {
    const errorEl = $('[data-testid="intake-error"]');
    clearTimeout(draftTimer);
    await saving.catch(() => {});
    try {
      const t = await api.intake(ticketFromForm(), null);
      await api.mergeTicket(t.id, master.id);
      clearForm();
      notice(i18n.t('dup.merged', { number: t.number, master: master.number }));
      await onOpen(master.id);
    } catch (e) {
      showError(errorEl, e);
      markField($('#intake-form'), e);
    }
  });
  // The catalogue's deadline replaces the policies' one until the agent types their own.
  dispatch.init(f, (s) => {
    if (s.due_at && !dueTouched) f.elements.due_at.value = isoToInput(s.due_at);
    if (s.accept_due_at) f.elements.accept_due_at.value = s.accept_due_at;
  });
}

/** A phone call needs its number unless it was withheld (then there are no digits to
 * type); letters, e-mails and walk-ins may come without one. The backend decides too. */
function phoneRule() {
  const f = $('#intake-form').elements;
  f.phone.disabled = f.withheld.checked;
  if (f.withheld.checked) f.phone.value = '';
  f.phone.required = f.channel.value === 'phone' && !f.withheld.checked;
}

/** 常用语 for the answer and the transfer's requirements, for the chosen category. */
function pickers() {
  const f = $('#intake-form').elements;
  const category = shared.ref.categories.find((c) => c.code === f.category.value);
  for (const name of ['answer', 'requirements']) {
    const area = f[name];
    if (area.nextElementSibling?.classList.contains('template-picker')) area.nextElementSibling.remove();
    area.after(templatePicker(area, name, category?.id ?? null));
  }
}

export function fill() {
  const f = $('#intake-form').elements;
  options(f.category, treeOptions(shared.ref.categories.filter((c) => c.active), categoryName, (c) => c.code));
  options(f.channel, shared.vocab.channels.map((s) => [s, i18n.t(`channel.${s}`)]));
  options(f.severity, shared.vocab.severities.map((s) => [s, i18n.t(`severity.${s}`)]));
  options(f.urgency, shared.vocab.urgencies.map((s) => [s, i18n.t(`urgency.${s}`)]));
  const hotline = shared.ref.departments.find((d) => d.code === 'hotline');
  options(f.department_id, treeOptions(shared.ref.departments.filter((d) => d.active && d.id !== hotline?.id)), { blank: i18n.t('intake.choose_department') });
  options(f.co_department_ids, shared.ref.departments.filter((d) => d.active && d.id !== hotline?.id).map((d) => [d.id, d.name]));
  pickers();
}

/** Opens the intake: the call being typed if there is one (a second "new call" asks
 * before discarding it), else a blank form with the phone field focused. */
export function open({ again = false } = {}) {
  const form = $('#intake-form');
  if (!hasDraft()) clearForm();
  else if (again) {
    $('#discard-confirm').hidden = false;
    $('#discard-no').focus();
    return;
  }
  (form.elements.phone.disabled ? form.elements.caller_name : form.elements.phone).focus();
}

/** Deadlines from the SLA policies for the chosen category and severity. */
async function prefillDue() {
  const f = $('#intake-form').elements;
  if (!f.category.value) return;
  let suggested = [];
  try {
    suggested = await api.suggestDeadlines(f.category.value, f.severity.value || 'general');
  } catch {
    suggested = [];
  }
  const handle = suggested.find((s) => s.stage === 'handle');
  const accept = suggested.find((s) => s.stage === 'accept');
  if (handle && !dueTouched) f.due_at.value = isoToInput(handle.due_at);
  f.accept_due_at.value = accept ? accept.due_at : '';
  $('#intake-sla').textContent = handle && accept
    ? i18n.t('sla.suggested', { accept: time(accept.due_at), handle: time(handle.due_at) })
    : '';
  $('[data-testid="intake-calendar-incomplete"]').hidden = !suggested.some((s) => s.calendar_incomplete);
}

async function loadHistory() {
  const phone = $('#intake-form').elements.phone.value.trim();
  const seq = ++historySeq;
  const list = $('#history-list');
  if (phone.length < 7) { list.replaceChildren(); $('[data-testid="intake-history-hint"]').hidden = false; return; }
  let rows = [];
  try {
    rows = await api.customerHistory(phone);
  } catch {
    rows = []; // not a complete number yet
  }
  if (seq !== historySeq) return;
  $('[data-testid="intake-history-hint"]').hidden = rows.length > 0;
  list.replaceChildren(...rows.slice(0, 20).map((r) => el('li', { 'data-testid': 'history-item', 'data-number': r.number },
    historyLink(r), ' ',
    el('span', { class: `status status-${r.status}`, text: i18n.t(`status.${r.status}`) }), el('br'),
    el('small', { text: `${time(r.received_at, { short: true })} · ${label('category', r.category_code, r.category_name)}` }), el('br'),
    el('span', { class: 'muted', text: r.summary }))));
  if (rows.length) {
    const name = $('#intake-form').elements.caller_name;
    if (!name.value) name.placeholder = rows[0].caller_name;
  }
  await offerOpen(rows.find((r) => !shared.vocab.final_statuses.includes(r.status)), seq);
}

/** A repeat call about an open ticket: offer to add to it (补充) or urge the department
 * (催办) instead of logging a duplicate; a new ticket stays possible. */
async function offerOpen(row, seq) {
  openTicketView = null;
  $('#open-offer').hidden = true;
  if (!row) return;
  let view;
  try {
    view = await api.getTicket(row.id);
  } catch {
    return;
  }
  if (seq !== historySeq) return;
  openTicketView = view;
  $('#open-offer-text').textContent = i18n.t('intake.offer', { number: row.number, status: i18n.t(`status.${row.status}`) });
  $('#offer-supplement').hidden = !view.allowed_actions.includes('supplement');
  $('#offer-urge').hidden = !view.allowed_actions.includes('urge');
  $('#open-offer').hidden = $('#offer-supplement').hidden && $('#offer-urge').hidden;
}

/** Adds the call to the open ticket: what the caller said becomes the note. */
async function addToOpen(action) {
  const f = $('#intake-form').elements;
  const errorEl = $('[data-testid="intake-error"]');
  const t = openTicketView.ticket;
  const note = f.description.value.trim();
  const act = action === 'supplement' ? { action, note } : { action, note: note || null };
  try {
    await api.act(t.id, t.version, act);
    showError(errorEl, null);
    notice(i18n.t(`intake.added_${action}`, { number: t.number }));
    await discard();
    await onOpen(t.id);
  } catch (e) {
    showError(errorEl, e);
    markField($('#intake-form'), e.details?.field === 'note' ? { ...e, details: { field: 'description' } } : e);
  }
}

/** A history entry opens its ticket; the call being typed stays as a draft. */
function historyLink(r) {
  const b = el('button', { type: 'button', class: 'link mono', 'data-testid': 'history-open', text: r.number });
  b.addEventListener('click', () => onOpen(r.id));
  return b;
}

function ticketFromForm() {
  const f = $('#intake-form').elements;
  return {
    caller_name: f.caller_name.value || f.caller_name.placeholder || '',
    phone: f.phone.value,
    anonymous: f.anonymous.checked,
    withheld: f.withheld.checked,
    description: f.description.value,
    category: f.category.value,
    occurred_at: inputToIso(f.occurred_at.value) ?? null,
    channel: f.channel.value,
    severity: f.severity.value,
    urgency: f.urgency.value,
    email: f.email.value || null,
    address: f.address.value || null,
  };
}

async function submit(ending) {
  const form = $('#intake-form');
  const f = form.elements;
  const errorEl = $('[data-testid="intake-error"]');
  let then = null;
  if (ending === 'answer') then = { action: 'answer', answer: f.answer.value, callback: f.callback.checked, article: kbSuggest.chosen() };
  if (ending === 'transfer') {
    if (!f.department_id.value) {
      showError(errorEl, { code: 'required', details: { field: 'department' } });
      f.department_id.focus();
      return;
    }
    then = {
      action: 'transfer',
      department_id: Number(f.department_id.value),
      requirements: f.requirements.value,
      due_at: inputToIso(f.due_at.value),
      accept_due_at: f.accept_due_at.value || null,
      co_department_ids: [...f.co_department_ids.selectedOptions].map((o) => Number(o.value)),
    };
    if (!then.due_at) {
      showError(errorEl, { code: 'required', details: { field: 'due_at' } });
      f.due_at.focus();
      return;
    }
  }
  for (const name of ['occurred_at', ...(ending === 'transfer' ? ['due_at'] : [])]) {
    if (inputToIso(f[name].value) === undefined) {
      showError(errorEl, { code: 'invalid_value', details: { field: name, value: f[name].value } });
      markField(form, { details: { field: name } });
      return;
    }
  }
  clearTimeout(draftTimer);
  await saving.catch(() => {});
  try {
    const t = await api.intake(ticketFromForm(), then);
    const incident = incidents.chosen();
    // The backend removed the draft with the same transaction.
    clearTimeout(draftTimer);
    clearForm();
    // The call counts for the incident the agent attached it to (not one kept offline).
    if (incident && !t.offline) await api.linkIncident(incident, t.id).catch((e) => showError($('[data-testid="error"]'), e));
    onSaved(t);
  } catch (e) {
    showError(errorEl, e);
    markField(form, e);
  }
}
