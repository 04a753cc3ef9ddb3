// A complaint ticket's case beside its lifecycle: the remedy sought, the acknowledgement
// and its deadline, the urgency × impact assessment with what the matrix suggested, and
// the legal gate with its opinions. The backend decides everything; the forms only ask.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time } from './format.js';
import { $, shared, showError, markField } from './state.js';
import { can } from './session.js';
import { sections } from './complaint_follow.js';
import { prepareDeclare } from './incidents.js';

let ticketId = null;
let ticketNumber = '';

/** Whether the user has typed into one of the panel's forms since it was drawn: a live
 * update then waits (the ticket says it changed) rather than wipe what was typed. */
export function isEditing() {
  return $('#complaint-panel').dataset.dirty === '1';
}

export function init() {
  $('#complaint-panel').addEventListener('input', (e) => {
    if (e.target.closest('form')) e.currentTarget.dataset.dirty = '1';
  });
}

/** Shows the case of ticket `id`, or hides the panel when it is not a complaint. */
export async function show(id, onChange, number = '') {
  ticketId = id;
  ticketNumber = number;
  const panel = $('#complaint-panel');
  let k;
  try {
    k = await api.complaint(id);
  } catch (e) {
    panel.hidden = true;
    return;
  }
  if (ticketId !== id) return;
  if (!k) {
    panel.hidden = true;
    panel.replaceChildren();
    return;
  }
  render(panel, k, onChange);
  delete panel.dataset.dirty;
  panel.hidden = false;
  try {
    const more = await sections(id, () => (onChange ? onChange() : show(id, undefined, number)));
    if (ticketId === id) panel.append(...more);
  } catch (e) {
    showError(panel.querySelector('[data-testid="complaint-error"]'), e);
  }
}

function row(name, value, testid) {
  return [el('dt', { text: i18n.t(`complaint.${name}`) }), el('dd', { 'data-testid': testid ?? `complaint-${name}`, text: value ?? '—' })];
}

function ackText(k) {
  if (k.acknowledged_at) {
    const how = k.ack_method ? i18n.t(`ack.${k.ack_method}`) : '';
    return i18n.t('complaint.acked', { time: time(k.acknowledged_at), by: k.acknowledged_by ?? '—', how });
  }
  const late = Date.parse(k.ack_due_at) < Date.now();
  return i18n.t(late ? 'complaint.ack_overdue' : 'complaint.ack_due', { time: time(k.ack_due_at) });
}

function assessmentText(k) {
  if (!k.assessed_at) return null;
  return i18n.t('complaint.assessed', {
    urgency: i18n.t(`grade.${k.urgency}`),
    impact: i18n.t(`grade.${k.impact}`),
    suggested: i18n.t(`severity.${k.suggested}`),
    by: k.assessed_by ?? '—',
  });
}

function render(panel, k, onChange) {
  const flags = [];
  if (k.risky) flags.push(el('span', { class: 'badge sev-major', 'data-testid': 'complaint-risky', text: i18n.t('complaint.risky') }));
  if (k.emergency) flags.push(el('span', { class: 'badge sev-extraordinary', 'data-testid': 'complaint-emergency', text: i18n.t('complaint.emergency') }));
  const held = k.relay_held ? el('p', { class: 'error', role: 'status', 'data-testid': 'complaint-held', text: i18n.t('complaint.held') }) : null;
  const opinions = k.opinions.length
    ? el('ol', { class: 'timeline', 'data-testid': 'complaint-opinions' }, ...k.opinions.map((o) => el('li', { 'data-testid': 'complaint-opinion', 'data-outcome': o.outcome },
      el('strong', { text: i18n.t(`legal.${o.outcome}`) }), ' ',
      el('span', { class: 'muted', text: `${time(o.at)} · ${o.by_name}` }),
      el('p', { class: 'pre', text: o.opinion }))))
    : null;
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'complaint-error', hidden: true });
  const forms = [];
  const submit = (form, call) => form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await call(form.elements);
      showError(error, null);
      // The whole ticket again: a case's change can change what the ticket allows.
      await (onChange ? onChange() : show(k.ticket_id, undefined, ticketNumber));
    } catch (e) {
      showError(error, e);
      markField(form, e);
    }
  });
  if (can('handle_complaints')) {
    const f = el('form', { class: 'inline-form', 'data-testid': 'complaint-remedy-form', novalidate: true },
      el('label', { class: 'grow' }, el('span', { text: i18n.t('complaint.remedy') }), el('input', { name: 'remedy', value: k.remedy, 'data-testid': 'complaint-remedy-input', autocomplete: 'off' })),
      el('button', { type: 'submit', 'data-testid': 'complaint-remedy-submit', text: i18n.t('common.save') }));
    submit(f, (e) => api.setRemedy(k.ticket_id, e.remedy.value));
    forms.push(f);
    if (!k.acknowledged_at) {
      const method = el('select', { name: 'method', 'data-testid': 'complaint-ack-method' });
      options(method, shared.vocab.ack_methods.filter((m) => m !== 'at_intake').map((m) => [m, i18n.t(`ack.${m}`)]));
      const a = el('form', { class: 'inline-form', 'data-testid': 'complaint-ack-form', novalidate: true },
        el('label', {}, el('span', { text: i18n.t('complaint.ack_method') }), method),
        el('button', { type: 'submit', 'data-testid': 'complaint-ack-submit', text: i18n.t('complaint.acknowledge') }));
      submit(a, (e) => api.acknowledgeComplaint(k.ticket_id, e.method.value));
      forms.push(a);
    }
  }
  if (can('assess_complaints')) forms.push(assessForm(k, submit));
  if (k.incident_level && can('report_incidents')) {
    // The matrix suggests the major-complaint plan: the declaration, filled in, one click away.
    const level = k.incident_level;
    const b = el('button', { type: 'button', 'data-testid': 'complaint-declare', text: i18n.t('complaint.declare') });
    b.addEventListener('click', () => prepareDeclare({ title: i18n.t('complaint.incident_title', { number: ticketNumber }), kind: 'mass_complaint', level }));
    forms.push(b);
  }
  if (can('legal_review') && k.risky) {
    const outcome = el('select', { name: 'outcome', 'data-testid': 'legal-outcome' });
    options(outcome, shared.vocab.legal_outcomes.map((o) => [o, i18n.t(`legal.${o}`)]));
    const f = el('form', { 'data-testid': 'legal-form', novalidate: true },
      el('label', {}, el('span', { text: i18n.t('complaint.outcome') }), outcome),
      el('label', { class: 'block' }, el('span', { text: i18n.t('complaint.opinion') }), el('textarea', { name: 'opinion', rows: 3, 'data-testid': 'legal-opinion' })),
      el('button', { type: 'submit', class: 'primary', 'data-testid': 'legal-submit', text: i18n.t('complaint.give_opinion') }));
    submit(f, (e) => api.legalOpinion(k.ticket_id, { outcome: e.outcome.value, opinion: e.opinion.value }));
    forms.push(f);
  }
  panel.replaceChildren(
    el('h3', { text: i18n.t('complaint.title') }, ' ', ...flags),
    held,
    el('dl', { class: 'fields' },
      ...row('remedy', k.remedy || null),
      ...row('ack', ackText(k)),
      ...row('assessment', assessmentText(k))),
    opinions,
    ...forms,
    error);
}

function assessForm(k, submit) {
  const grade = (name) => {
    const s = el('select', { name, 'data-testid': `complaint-${name}` });
    options(s, [1, 2, 3].map((g) => [String(g), i18n.t(`grade.${g}`)]), { blank: i18n.t('common.choose') });
    if (k[name]) s.value = String(k[name]);
    return el('label', {}, el('span', { text: i18n.t(`complaint.${name}`) }), s);
  };
  const severity = el('select', { name: 'severity', 'data-testid': 'complaint-severity' });
  options(severity, shared.vocab.severities.map((s) => [s, i18n.t(`severity.${s}`)]), { blank: i18n.t('complaint.as_suggested') });
  const risky = el('select', { name: 'risky', 'data-testid': 'complaint-risky-choice' });
  options(risky, [['true', i18n.t('common.yes')], ['false', i18n.t('common.no')]], { blank: i18n.t('complaint.as_suggested') });
  const f = el('form', { class: 'inline-form', 'data-testid': 'complaint-assess-form', novalidate: true },
    grade('urgency'), grade('impact'),
    el('label', {}, el('span', { text: i18n.t('complaint.severity') }), severity),
    el('label', {}, el('span', { text: i18n.t('complaint.legal_review') }), risky),
    el('label', { class: 'grow' }, el('span', { text: i18n.t('field.note') }), el('input', { name: 'note', autocomplete: 'off', 'data-testid': 'complaint-note' })),
    el('button', { type: 'submit', 'data-testid': 'complaint-assess-submit', text: i18n.t('complaint.assess') }));
  submit(f, (e) => {
    if (!e.urgency.value || !e.impact.value) throw { code: 'required', details: { field: e.urgency.value ? 'impact' : 'urgency' } };
    return api.assessComplaint(k.ticket_id, {
      urgency: Number(e.urgency.value),
      impact: Number(e.impact.value),
      severity: e.severity.value || null,
      risky: e.risky.value === '' ? null : e.risky.value === 'true',
      note: e.note.value.trim() || null,
    });
  });
  return f;
}
