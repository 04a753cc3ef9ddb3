// One ticket: its fields, its timeline, and a small form for each action the backend
// says the acting user may take now. The backend still decides every action.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, timeLeft, label, inputToIso, isoToInput } from './format.js';
import { $, shared, showError, markField, treeOptions, templatePicker, notice, returnReasonName } from './state.js';
import { can } from './session.js';
import * as kb from './kb.js';
import * as returnReview from './return_review.js';
import * as exclusion from './exclusion.js';
import * as notices from './notices.js';
import { savePdf } from './pdf.js';
import * as presence from './presence.js';
import * as complaint from './complaint.js';
import * as ticketCalls from './ticket_calls.js';

/** The fields of each action's form: [name, kind, required]. */
const FORMS = {
  answer: [['answer', 'textarea', true], ['callback', 'check', true]],
  transfer: [['department_id', 'department', true], ['requirements', 'textarea', true], ['due_at', 'datetime', true], ['accept_due_at', 'datetime', false], ['co_department_ids', 'departments', false], ['co_due_at', 'datetime', false]],
  return: [['reason_code', 'return_reason', false], ['reason', 'textarea', true]],
  accept: [['note', 'text', false]],
  request_extension: [['due_at', 'datetime', true], ['reason', 'textarea', true]],
  approve_extension: [['note', 'text', false]],
  refuse_extension: [['note', 'textarea', true]],
  reply: [['result', 'textarea', true], ['resolved', 'yesno', true]],
  feedback: [['satisfaction', 'satisfaction', true], ['note', 'text', false], ['unsatisfied_outcome', 'outcome', false], ['redispatch_due_at', 'datetime', false], ['no_redispatch_reason', 'text', false]],
  callback: [['method', 'method', true], ['satisfaction', 'satisfaction', true], ['note', 'text', false]],
  reopen: [['reason', 'textarea', true]],
  comment: [['note', 'textarea', true]],
  pause: [['reason', 'textarea', true]],
  resume: [['note', 'text', false]],
  supplement: [['note', 'textarea', true]],
  urge: [['note', 'text', false]],
  co_accept: [['note', 'text', false]],
  co_reply: [['result', 'textarea', true]],
  co_waive: [['department_id', 'owed_part', true], ['reason', 'textarea', true]],
};

/** Which template field fills an action form's text. */
const TEMPLATED = { answer: 'answer', requirements: 'requirements', result: 'result', note: 'note' };

let current = null;

export function currentId() {
  return current?.ticket.id ?? null;
}

export function init() {
  complaint.init();
  $('#print-slip').addEventListener('click', async () => {
    const b = $('#print-slip');
    try {
      renderSlip(await api.transferSlip(current.ticket.id));
      await savePdf(b, (replace) => api.saveSlipPdf(current.ticket.id, replace), $('#slip-result'));
      showError($('[data-testid="action-error"]'), null);
    } catch (err) {
      showError($('[data-testid="action-error"]'), err);
    }
  });
  // A merged call back on its own, exactly as it was.
  $('#split-ticket').addEventListener('click', async () => {
    try {
      const t = await api.splitTicket(current.ticket.id);
      notice(i18n.t('dup.split_done', { number: t.number }));
      await show(t.id);
    } catch (err) {
      showError($('[data-testid="action-error"]'), err);
    }
  });
  // A solved ticket's question and answer as a knowledge draft, opened in the knowledge view.
  $('#make-article').addEventListener('click', async () => {
    try {
      const a = await api.kbFromTicket(current.ticket.id);
      notice(i18n.t('kb.made_article'));
      await kb.open(a.id);
    } catch (err) {
      showError($('[data-testid="action-error"]'), err);
    }
  });
  $('#reveal').addEventListener('click', () => {
    const f = $('#reveal-form');
    f.hidden = !f.hidden;
    if (!f.hidden) f.elements.reason.focus();
  });
  $('#reveal-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      const r = await api.reveal(current.ticket.id, f.elements.reason.value);
      $('#revealed').replaceChildren(
        el('dt', { text: i18n.t('reveal.phone') }),
        el('dd', { class: 'mono', 'data-testid': 'revealed-phone', text: r.phone_ext ? `${r.phone} - ${r.phone_ext}` : r.phone }),
        el('dt', { text: i18n.t('reveal.description') }),
        el('dd', { 'data-testid': 'revealed-description', text: r.description }));
      $('#revealed').hidden = false;
      f.reset();
      f.hidden = true;
      showError($('[data-testid="action-error"]'), null);
    } catch (err) {
      showError($('[data-testid="action-error"]'), err);
      markField(f, err);
    }
  });
}

/** Clear values never outlive the ticket they were revealed for. */
function hideRevealed() {
  $('#revealed').hidden = true;
  $('#revealed').replaceChildren();
  $('#reveal-form').hidden = true;
}

export async function show(id) {
  const view = await api.getTicket(id);
  if (current?.ticket.id !== id) hideRevealed();
  current = view;
  render();
  presence.watch(id);
  return view;
}

/** Called on live updates: re-render unless the user is filling an action form. */
export async function refreshIfChanged() {
  if (!current) return;
  const view = await api.getTicket(current.ticket.id);
  if (view.ticket.version === current.ticket.version) return;
  if (!$('#action-form').hidden || complaint.isEditing()) { $('[data-testid="detail-stale"]').hidden = false; return; }
  current = view;
  render();
}

function field(name, value, cls) {
  return [el('dt', { text: i18n.t(`field.${name}`) }), el('dd', { 'data-testid': `field-${name}`, class: cls, text: value ?? '—' })];
}

function phoneText(t) {
  if (t.phone) return t.phone_ext ? `${t.phone} ${i18n.t('detail.ext', { ext: t.phone_ext })}` : t.phone;
  if (t.phone_withheld) return i18n.t('detail.withheld');
  return t.email || t.address ? null : i18n.t('detail.no_contact');
}

function userName(id) {
  return shared.ref.users.find((u) => u.id === id)?.name ?? '—';
}

function render() {
  const { ticket: t, category, department, handler, created_by: by, events, allowed_actions: allowed } = current;
  $('[data-testid="detail-stale"]').hidden = true;
  $('#detail-number').textContent = t.number;
  const status = $('#detail-status');
  status.textContent = i18n.t(`status.${t.status}`);
  status.className = `badge status-${t.status}`;
  status.dataset.status = t.status;
  const flags = [];
  if (t.severity !== 'general') flags.push(el('span', { class: `badge sev-${t.severity}`, text: i18n.t(`severity.${t.severity}`) }));
  if (t.urgency === 'urgent') flags.push(el('span', { class: 'badge urgent', text: i18n.t('urgency.urgent') }));
  if (t.anonymous) flags.push(el('span', { class: 'badge', 'data-testid': 'flag-anonymous', text: i18n.t('detail.anonymous') }));
  if (t.supervised) flags.push(el('span', { class: 'badge supervised', 'data-testid': 'flag-supervised', text: i18n.t('detail.supervised') }));
  if (t.paused_at) flags.push(el('span', { class: 'badge', 'data-testid': 'flag-paused', text: i18n.t('detail.paused') }));
  if (t.extension === 'pending') flags.push(el('span', { class: 'badge', text: i18n.t('detail.extension_pending') }));
  $('#detail-flags').replaceChildren(...flags);
  $('#print-slip').hidden = !t.department_id;
  $('#make-article').hidden = !can('propose_knowledge') || !(t.answer || t.result);
  $('#split-ticket').hidden = !can('create_tickets') || !t.merged_into;
  const due = t.due_at ? `${time(t.due_at)} ${['transferred', 'in_progress'].includes(t.status) ? `(${timeLeft(t.due_at)})` : ''}` : null;
  $('#detail-fields').replaceChildren(
    ...field('caller_name', t.anonymous ? i18n.t('detail.anonymous') : t.caller_name || null),
    ...field('phone', phoneText(t), 'mono'),
    ...field('email', t.email),
    ...field('address', t.address),
    ...field('category', label('category', category.code, category.name)),
    ...field('channel', i18n.t(`channel.${t.channel}`)),
    ...field('received_at', time(t.received_at)),
    ...field('occurred_at', t.occurred_at ? time(t.occurred_at) : null),
    ...field('created_by', by.name),
    ...field('description', t.description, 'pre'),
    ...field('department', department?.name),
    ...field('handler', handler?.name),
    ...field('requirements', t.requirements, 'pre'),
    ...field('due_at', due),
    ...field('answer', t.answer, 'pre'),
    ...field('result', t.result, 'pre'),
    ...field('satisfaction', t.satisfaction ? i18n.t(`satisfaction.${t.satisfaction}`) : null),
    ...field('callback_due_at', t.callback_due_at ? time(t.callback_due_at) : null),
    ...field('redispatch_count', String(t.redispatch_count)),
    ...(t.urge_count ? field('urge_count', String(t.urge_count)) : []),
  );
  coParts(current.co_parts ?? []);
  returnReview.render(current.ticket, () => show(current.ticket.id));
  exclusion.render(current.ticket, () => show(current.ticket.id));
  notices.issueForm(current.ticket, () => show(current.ticket.id));
  $('#timeline').replaceChildren(...events.map((e) => el('li', { 'data-testid': 'timeline-item', 'data-action': e.action },
    el('div', { class: 'tl-head' },
      el('strong', { text: label('action', e.action) }), ' ',
      el('span', { class: 'muted', text: `${time(e.at)} · ${e.actor_name}` })),
    e.from_status && e.from_status !== e.to_status ? el('div', { class: 'muted', text: `${i18n.t(`status.${e.from_status}`)} → ${i18n.t(`status.${e.to_status}`)}` }) : null,
    eventData(e),
    e.note ? el('p', { class: 'pre', text: e.note }) : null)).reverse());
  const buttons = $('#action-buttons');
  buttons.replaceChildren(...allowed.map((a) => {
    const b = el('button', { type: 'button', 'data-testid': `action-${a}`, text: i18n.t(`action.${a}`) });
    b.addEventListener('click', () => openForm(a));
    return b;
  }));
  if (!allowed.length) buttons.append(el('p', { class: 'muted', text: i18n.t('detail.no_actions') }));
  closeForm();
  // A change of the case (the legal gate) changes what the ticket allows.
  complaint.show(t.id, () => show(t.id), t.number);
  ticketCalls.show(t.id);
}

function eventData(e) {
  const d = e.data || {};
  const bits = [];
  if (d.department_id) bits.push(shared.ref.departments.find((x) => x.id === d.department_id)?.name);
  if (d.due_at) bits.push(i18n.t('detail.due', { time: time(d.due_at) }));
  if (d.satisfaction) bits.push(i18n.t(`satisfaction.${d.satisfaction}`));
  if (d.method) bits.push(i18n.t(`method.${d.method}`));
  if (d.ack) bits.push(i18n.t(`ack.${d.ack}`));
  if (e.action === 'acknowledge' && d.on_time === false) bits.push(i18n.t('complaint.ack_late'));
  if (e.action === 'assess') bits.push(i18n.t(`severity.${d.severity}`), d.risky ? i18n.t('complaint.risky') : null);
  if (d.outcome) bits.push(i18n.t(`legal.${d.outcome}`));
  if (d.redispatched === false) bits.push(i18n.t('detail.not_redispatched', { reason: d.reason }));
  if (e.action === 'redispatch') bits.push(i18n.t('detail.redispatch_count', { n: d.count }));
  if (d.supervised) bits.push(i18n.t('detail.supervised'));
  if (d.handler_id) bits.push(userName(d.handler_id));
  const text = bits.filter(Boolean).join(' · ');
  return text ? el('div', { class: 'tl-data', text }) : null;
}

/** 协办: each co-handling department's part, its deadline and what it replied. */
function coParts(parts) {
  const box = $('#detail-co-parts');
  box.hidden = parts.length === 0;
  box.replaceChildren(el('h3', { text: i18n.t('co.title') }), el('ul', { class: 'plain', 'data-testid': 'co-parts' }, ...parts.map((p) => el('li', { 'data-testid': 'co-part', 'data-department': String(p.department_id), 'data-state': p.state },
    el('strong', { text: p.department_name }), ' ',
    el('span', { class: `badge co-${p.state}`, text: i18n.t(`co.state.${p.state}`) }),
    p.due_at ? ` · ${i18n.t('co.due', { at: time(p.due_at) })}` : '',
    p.reply ? el('p', { class: 'pre', text: p.reply }) : null,
    p.waive_reason ? el('p', { class: 'muted', text: i18n.t('co.waived_because', { reason: p.waive_reason }) }) : null))));
}

function control(name, kind) {
  const id = `af-${name}`;
  let input;
  switch (kind) {
    case 'textarea': input = el('textarea', { id, name, rows: 3 }); break;
    case 'check': input = el('input', { id, name, type: 'checkbox' }); break;
    // No outcome is preselected: a hurried confirm must not count as satisfied or resolved.
    case 'yesno': input = el('select', { id, name }); options(input, [['true', i18n.t('common.yes')], ['false', i18n.t('common.no')]], { blank: i18n.t('common.choose') }); break;
    case 'outcome': input = el('select', { id, name }); options(input, ['redispatch', 'close'].map((o) => [o, i18n.t(`outcome.${o}`)])); break;
    case 'datetime': input = el('input', { id, name, type: 'text', inputmode: 'numeric', autocomplete: 'off', 'data-kind': 'datetime', placeholder: i18n.t('format.datetime') }); break;
    case 'department': input = el('select', { id, name }); options(input, treeOptions(shared.ref.departments.filter((d) => d.active && d.code !== 'hotline'))); break;
    case 'departments': input = el('select', { id, name, multiple: true, size: 4 }, ...shared.ref.departments.filter((d) => d.active && d.code !== 'hotline').map((d) => el('option', { value: String(d.id), text: d.name }))); break;
    case 'owed_part': input = el('select', { id, name }); options(input, (current?.co_parts ?? []).filter((p) => ['open', 'accepted'].includes(p.state)).map((p) => [p.department_id, p.department_name])); break;
    case 'return_reason': input = el('select', { id, name }); options(input, shared.ref.return_reasons.filter((r) => r.active).map((r) => [r.code, returnReasonName(r.code)]), { blank: i18n.t('common.choose') }); break;
    case 'satisfaction': input = el('select', { id, name }); options(input, shared.vocab.satisfactions.map((s) => [s, i18n.t(`satisfaction.${s}`)]), { blank: i18n.t('common.choose') }); break;
    case 'method': input = el('select', { id, name }); options(input, shared.vocab.callback_methods.map((s) => [s, i18n.t(`method.${s}`)])); break;
    default: input = el('input', { id, name, autocomplete: 'off' });
  }
  input.dataset.testid = `input-${name}`;
  const wrap = el('label', { class: kind === 'check' ? 'check' : 'block', for: id }, el('span', { text: i18n.t(`field.${name}`) }), input);
  if (TEMPLATED[name] && (kind === 'textarea' || kind === 'text')) wrap.append(templatePicker(input, TEMPLATED[name], current?.ticket.category_id));
  return wrap;
}

function openForm(action) {
  const form = $('#action-form');
  form.replaceChildren(el('h4', { text: i18n.t(`action.${action}`) }), ...FORMS[action].map(([n, k]) => control(n, k)));
  const dept = current.ticket.department_id;
  if (action !== 'co_waive' && form.elements.department_id && dept) form.elements.department_id.value = String(dept);
  // Re-routing a returned ticket: the catalogue's next department, not the one that returned it.
  if (action === 'transfer' && current.ticket.status === 'returned') {
    const returned = [...current.events].reverse().find((e) => e.action === 'return')?.data?.department_id ?? null;
    const t = current.ticket;
    api.suggestDispatch(current.category.code, t.description, t.address, t.severity, returned).then((s) => {
      if (!s) return;
      form.elements.department_id.value = String(s.lead.id);
      const co = s.co.map((d) => String(d.id));
      for (const o of form.elements.co_department_ids.options) o.selected = co.includes(o.value);
    }).catch(() => {});
  }
  // Suggested deadlines come from the SLA policy on the working calendar, never a guess.
  if (action === 'transfer') {
    api.suggestDeadlines(current.category.code, current.ticket.severity).then((list) => {
      for (const s of list) {
        const input = form.elements.namedItem(s.stage === 'accept' ? 'accept_due_at' : 'due_at');
        if (input) input.value = isoToInput(s.due_at);
      }
    }).catch(() => {});
  }
  const suggestInto = (input) => api.suggestTicketDeadline(current.ticket.id, action)
    .then((s) => { if (s && !input.value) input.value = isoToInput(s.due_at); }).catch(() => {});
  if (action === 'request_extension') suggestInto(form.elements.due_at);
  if (action === 'feedback') {
    const f = form.elements;
    const show = (name, on) => { f[name].closest('label').hidden = !on; };
    const toggle = () => {
      const unhappy = ['unsatisfied', 'very_unsatisfied'].includes(f.satisfaction.value);
      show('unsatisfied_outcome', unhappy);
      show('redispatch_due_at', unhappy && f.unsatisfied_outcome.value === 'redispatch');
      show('no_redispatch_reason', unhappy && f.unsatisfied_outcome.value === 'close');
    };
    f.satisfaction.addEventListener('change', toggle);
    f.unsatisfied_outcome.addEventListener('change', toggle);
    toggle();
    suggestInto(f.redispatch_due_at);
  }
  const submit = el('button', { type: 'submit', class: 'primary', 'data-testid': `submit-${action}`, text: i18n.t('common.confirm') });
  const cancel = el('button', { type: 'button', 'data-testid': 'cancel-action', text: i18n.t('common.cancel') });
  cancel.addEventListener('click', closeForm);
  form.append(el('div', { class: 'form-actions' }, submit, cancel));
  form.onsubmit = (e) => { e.preventDefault(); perform(action); };
  form.dataset.action = action;
  form.hidden = false;
  presence.setEditing(true);
  showError($('[data-testid="action-error"]'), null);
  form.querySelector('input, textarea, select')?.focus();
}

function closeForm() {
  const form = $('#action-form');
  presence.setEditing(false);
  form.hidden = true;
  form.replaceChildren();
  showError($('[data-testid="action-error"]'), null);
}

/** The action as the backend expects it; required fields are always sent (empty ones
 * come back as a translated `required` error), optional ones only when filled. */
function collect(action) {
  const f = $('#action-form').elements;
  const out = { action };
  for (const [name, kind, required] of FORMS[action]) {
    const c = f.namedItem(name);
    let v;
    if (kind === 'outcome') continue;
    if (kind === 'datetime' && inputToIso(c.value) === undefined && !c.closest('label')?.hidden) {
      throw { code: 'invalid_value', details: { field: name, value: c.value } };
    }
    if (kind === 'check') v = c.checked;
    else if (kind === 'yesno') v = c.value === '' ? null : c.value === 'true';
    else if (kind === 'datetime') v = inputToIso(c.value);
    else if (kind === 'department' || kind === 'owed_part') v = c.value ? Number(c.value) : null;
    else if (kind === 'departments') v = [...c.selectedOptions].map((o) => Number(o.value));
    else v = c.value.trim() === '' && !required ? null : c.value;
    if (required || (v !== null && !(c.closest('label')?.hidden))) out[name] = v;
  }
  return out;
}

async function perform(action) {
  const errorEl = $('[data-testid="action-error"]');
  let act;
  try {
    act = collect(action);
  } catch (e) {
    showError(errorEl, e);
    markField($('#action-form'), e);
    return;
  }
  for (const [k, v] of Object.entries(act)) {
    if (v === null && FORMS[action].find(([n, , req]) => n === k && req)) {
      showError(errorEl, { code: 'required', details: { field: k } });
      return;
    }
  }
  try {
    await api.act(current.ticket.id, current.ticket.version, act);
    await show(current.ticket.id);
    document.dispatchEvent(new CustomEvent('ticket-changed'));
  } catch (e) {
    showError(errorEl, e);
    markField($('#action-form'), e);
    if (e.code === 'conflict') offerReload(action);
  }
}

/** After a conflicting change: one click reloads the ticket and reopens the form with
 * what the user typed, to check against the new state and send again. */
function offerReload(action) {
  const form = $('#action-form');
  const typed = Object.fromEntries([...form.elements].filter((c) => c.name).map((c) => [c.name, c.value]));
  const button = el('button', { type: 'button', class: 'primary', 'data-testid': 'conflict-reload', text: i18n.t('detail.reload_keep') });
  button.addEventListener('click', async () => {
    await show(current.ticket.id);
    if (!current.allowed_actions.includes(action)) {
      showError($('[data-testid="action-error"]'), { code: 'invalid_transition', details: { action, status: current.ticket.status } });
      return;
    }
    openForm(action);
    for (const [name, value] of Object.entries(typed)) {
      const c = $('#action-form').elements.namedItem(name);
      if (c) { c.value = value; c.dispatchEvent(new Event('change')); }
    }
  });
  $('[data-testid="action-error"]').append(' ', button);
}

/** The transfer slip (转办单) for printing on A4, as the backend composed it: anonymity
 * and the centre's contact setting already applied. */
function renderSlip(slip) {
  const row = (k, v) => [el('dt', { text: i18n.t(k) }), el('dd', { 'data-testid': `slip-${k.split('.')[1]}`, text: v || '—' })];
  const phone = slip.phone || (slip.phone_withheld ? i18n.t('detail.withheld') : null);
  $('#slip-centre').textContent = slip.centre_name;
  $('#slip-fields').replaceChildren(
    ...row('table.number', slip.number),
    ...row('field.received_at', time(slip.received_at)),
    ...row('field.channel', i18n.t(`channel.${slip.channel}`)),
    ...row('field.caller_name', slip.anonymous ? i18n.t('detail.anonymous') : slip.caller_name),
    ...(slip.anonymous ? [] : [...row('field.phone', phone), ...row('field.email', slip.email), ...row('field.address', slip.address)]),
    ...row('field.category', label('category', slip.category_code, slip.category_name)),
    ...row('table.severity', `${i18n.t(`severity.${slip.severity}`)} / ${i18n.t(`urgency.${slip.urgency}`)}`),
    ...row('field.description', slip.description),
    ...row('field.department', slip.department_name),
    ...row('field.requirements', slip.requirements),
    ...row('slip.accept_due_at', slip.accept_due_at ? time(slip.accept_due_at) : null),
    ...row('field.due_at', slip.due_at ? time(slip.due_at) : null),
    ...row('field.transferred_at', slip.transferred_at ? time(slip.transferred_at) : null),
    ...row('field.created_by', slip.created_by),
  );
  const note = slip.anonymous ? 'slip.anonymous' : slip.contact === 'masked' ? 'slip.masked_note' : null;
  $('#slip-note').textContent = note ? i18n.t(note) : '';
}
