// A new call: keyboard first, the caller's history beside the form while the number is
// typed, and two endings: answer now and close, or transfer with a slip.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, isoToInput, inputToIso, label } from './format.js';
import { $, shared, showError, markField, categoryName, treeOptions } from './state.js';

let historyTimer = null;
let historySeq = 0;
let dueTouched = false;
let onSaved = () => {};

export function init({ saved }) {
  onSaved = saved;
  const f = $('#intake-form');
  f.elements.phone.addEventListener('input', () => {
    clearTimeout(historyTimer);
    historyTimer = setTimeout(loadHistory, 200);
  });
  f.elements.category.addEventListener('change', prefillDue);
  f.elements.withheld.addEventListener('change', phoneRule);
  f.elements.channel.addEventListener('change', phoneRule);
  f.elements.due_at.addEventListener('input', () => { dueTouched = true; });
  $('#intake-answer-submit').addEventListener('click', () => submit('answer'));
  $('#intake-transfer-submit').addEventListener('click', () => submit('transfer'));
  $('#intake-save').addEventListener('click', () => submit(null));
  f.addEventListener('submit', (e) => e.preventDefault());
}

/** A phone call needs its number unless it was withheld (then there are no digits to
 * type); letters, e-mails and walk-ins may come without one. The backend decides too. */
function phoneRule() {
  const f = $('#intake-form').elements;
  f.phone.disabled = f.withheld.checked;
  if (f.withheld.checked) f.phone.value = '';
  f.phone.required = f.channel.value === 'phone' && !f.withheld.checked;
}

export function fill() {
  const f = $('#intake-form').elements;
  options(f.category, treeOptions(shared.ref.categories.filter((c) => c.active), categoryName, (c) => c.code));
  options(f.channel, shared.vocab.channels.map((s) => [s, i18n.t(`channel.${s}`)]));
  options(f.severity, shared.vocab.severities.map((s) => [s, i18n.t(`severity.${s}`)]));
  options(f.urgency, shared.vocab.urgencies.map((s) => [s, i18n.t(`urgency.${s}`)]));
  const hotline = shared.ref.departments.find((d) => d.code === 'hotline');
  options(f.department_id, treeOptions(shared.ref.departments.filter((d) => d.active && d.id !== hotline?.id)), { blank: i18n.t('intake.choose_department') });
}

/** Opens a blank intake with the phone field focused. */
export function open() {
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
  form.elements.phone.focus();
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
    el('strong', { class: 'mono', text: r.number }), ' ',
    el('span', { class: `status status-${r.status}`, text: i18n.t(`status.${r.status}`) }), el('br'),
    el('small', { text: `${time(r.received_at, { short: true })} · ${label('category', r.category_code, r.category_name)}` }), el('br'),
    el('span', { class: 'muted', text: r.summary }))));
  if (rows.length) {
    const name = $('#intake-form').elements.caller_name;
    if (!name.value) name.placeholder = rows[0].caller_name;
  }
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
    occurred_at: inputToIso(f.occurred_at.value),
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
  if (ending === 'answer') then = { action: 'answer', answer: f.answer.value };
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
    };
    if (!then.due_at) {
      showError(errorEl, { code: 'required', details: { field: 'due_at' } });
      f.due_at.focus();
      return;
    }
  }
  try {
    const t = await api.intake(ticketFromForm(), then);
    showError(errorEl, null);
    onSaved(t);
  } catch (e) {
    showError(errorEl, e);
    markField(form, e);
  }
}
