// The emergency plans: one per incident kind × level, read by everyone, edited by the
// managers — who is paged, the minutes a page waits for its acknowledgement, the checklist
// with its time limits, the report upward. Saving makes a new version; incidents under way
// keep theirs.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el } from './format.js';
import { $, shared, showError, notice } from './state.js';
import * as session from './session.js';

let plans = [];

const stepName = (s) => s.title || (i18n.has(`incident.step.${s.key}`) ? i18n.t(`incident.step.${s.key}`) : s.key);

export async function refresh() {
  try {
    plans = await api.plans();
  } catch {
    plans = [];
  }
  $('#plan-rows').replaceChildren(...plans.map((p) => {
    const open = el('button', { type: 'button', class: 'link', 'data-testid': 'plan-open', text: session.can('manage_plans') ? i18n.t('plan.edit') : i18n.t('plan.view') });
    open.addEventListener('click', () => edit(p));
    return el('tr', { 'data-testid': 'plan-row', 'data-kind': p.kind, 'data-level': String(p.level), 'data-version': String(p.version) },
      el('td', { text: i18n.t(`incident.kind.${p.kind}`) }),
      el('td', { text: i18n.t(`incident.level.${p.level}`) }),
      el('td', { text: i18n.t('incident.version', { version: p.version }) }),
      el('td', { text: i18n.t('plan.summary', { steps: p.steps.length, minutes: p.ackMinutes }) }),
      el('td', {}, open));
  }));
}

function stepRow(s = { key: '', title: '', minutes: 30 }) {
  const row = el('li', { 'data-testid': 'plan-step' },
    el('input', { name: 'key', value: s.key, 'aria-label': i18n.t('plan.step_key'), size: 14, 'data-testid': 'plan-step-key' }),
    el('input', { name: 'title', value: s.title, placeholder: stepName(s), 'aria-label': i18n.t('field.title'), 'data-testid': 'plan-step-title' }),
    el('input', { name: 'minutes', type: 'number', min: 1, value: String(s.minutes), 'aria-label': i18n.t('field.minutes'), 'data-testid': 'plan-step-minutes' }));
  const remove = el('button', { type: 'button', class: 'link', text: i18n.t('plan.remove_step') });
  remove.addEventListener('click', () => row.remove());
  row.append(remove);
  return row;
}

function checks(name, values, chosen, label) {
  return el('fieldset', {}, el('legend', { text: i18n.t(`plan.${name}`) }), ...values.map((v) => el('label', { class: 'check' },
    el('span', { text: label(v) }), el('input', { type: 'checkbox', name, value: String(v), checked: chosen.includes(v) }))));
}

function edit(p) {
  const form = $('#plan-form');
  const can = session.can('manage_plans');
  const steps = el('ol', { id: 'plan-steps' }, ...p.steps.map(stepRow));
  const add = el('button', { type: 'button', 'data-testid': 'plan-add-step', text: i18n.t('plan.add_step') });
  add.addEventListener('click', () => steps.append(stepRow()));
  const cancel = el('button', { type: 'button', text: i18n.t('common.cancel') });
  cancel.addEventListener('click', () => { form.hidden = true; });
  form.replaceChildren(
    el('h4', { 'data-testid': 'plan-heading', text: `${i18n.t(`incident.kind.${p.kind}`)} · ${i18n.t(`incident.level.${p.level}`)} · ${i18n.t('incident.version', { version: p.version })}` }),
    checks('roles', shared.vocab.roles, p.notify.roles, (r) => i18n.t(`role.${r}`)),
    checks('on_duty', shared.vocab.duty_roles, p.notify.onDuty, (r) => i18n.t(`duty.${r}`)),
    el('label', {}, el('span', { text: i18n.t('field.ack_minutes') }), el('input', { name: 'ack', type: 'number', min: 0, max: 1440, value: String(p.ackMinutes), 'data-testid': 'plan-ack' })),
    el('label', { class: 'check' }, el('span', { text: i18n.t('plan.report_upward') }), el('input', { type: 'checkbox', name: 'upward', checked: p.reportUpward })),
    el('label', { class: 'check' }, el('span', { text: i18n.t('plan.callback') }), el('input', { type: 'checkbox', name: 'callback', checked: p.callback })),
    el('h5', { text: i18n.t('field.steps') }), steps, el('p', {}, can ? add : null),
    el('label', { class: 'block' }, el('span', { text: i18n.t('field.report_template') }), el('textarea', { name: 'template', rows: 3, text: p.reportTemplate, placeholder: i18n.t('plan.template_default') })),
    el('p', { class: 'error', role: 'alert', 'data-testid': 'plan-error', hidden: true }),
    el('div', { class: 'form-actions' }, can ? el('button', { type: 'submit', class: 'primary', 'data-testid': 'plan-save', text: i18n.t('plan.save') }) : null, cancel));
  for (const c of form.querySelectorAll('input, textarea')) c.disabled = !can;
  form.onsubmit = async (e) => {
    e.preventDefault();
    const picked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((c) => c.value);
    const body = {
      notify: { roles: picked('roles'), users: p.notify.users, onDuty: picked('on_duty') },
      ackMinutes: Number(form.elements.ack.value),
      steps: [...steps.children].map((li) => ({ key: li.querySelector('[name="key"]').value, title: li.querySelector('[name="title"]').value, minutes: Number(li.querySelector('[name="minutes"]').value) })),
      reportUpward: form.elements.upward.checked,
      reportTemplate: form.elements.template.value,
      callback: form.elements.callback.checked,
    };
    try {
      const saved = await api.savePlan(p.kind, p.level, body);
      form.hidden = true;
      notice(i18n.t('plan.saved', { version: saved.version }));
      await refresh();
    } catch (ex) {
      showError(form.querySelector('[data-testid="plan-error"]'), ex);
    }
  };
  form.hidden = false;
  form.scrollIntoView({ block: 'nearest' });
}
