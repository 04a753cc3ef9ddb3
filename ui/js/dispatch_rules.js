// The dispatch catalogue (派单目录) in the settings: its rules — category, keywords and
// area to the lead department, co-handlers and handling time — added and retired by
// dispatchers, read by everyone who takes calls.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options } from './format.js';
import { $, shared, showError, markField, categoryName, treeOptions, notice, returnReasonName, loadReference } from './state.js';
import { can } from './session.js';

const deptName = (id) => shared.ref.departments.find((d) => d.id === id)?.name ?? `#${id}`;

export async function render() {
  const box = $('#set-dispatch');
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'dispatch-error', hidden: true });
  let rules = [];
  try {
    rules = await api.dispatchRules(false);
  } catch (e) {
    showError(error, e);
  }
  const manage = can('manage_dispatch');
  const table = el('table', { class: 'tickets', 'data-testid': 'dispatch-table' },
    el('thead', {}, el('tr', {}, ...['dispatch.category', 'dispatch.keywords', 'dispatch.area', 'dispatch.lead', 'dispatch.co', 'dispatch.handle', '']
      .map((k) => el('th', { text: k ? i18n.t(k) : '' })))),
    el('tbody', {}, ...rules.map((r) => {
      const retire = manage ? el('button', { type: 'button', class: 'link', 'data-testid': 'dispatch-retire', 'data-id': String(r.id), text: i18n.t('dispatch.retire') }) : null;
      retire?.addEventListener('click', async () => {
        try {
          await api.retireDispatchRule(r.id);
          await render();
        } catch (e) {
          showError(error, e);
        }
      });
      return el('tr', { 'data-testid': 'dispatch-rule', 'data-id': String(r.id) },
        el('td', { text: i18n.has(`category.${r.category}`) ? i18n.t(`category.${r.category}`) : r.category }),
        el('td', { text: r.keywords.join('、') || i18n.t('dispatch.any') }),
        el('td', { text: r.area ?? i18n.t('dispatch.any') }),
        el('td', { text: r.lead_department }),
        el('td', { text: r.co_departments.join('、') || '—' }),
        el('td', { text: r.handle ? i18n.t(`dispatch.span.${r.handle.unit}`, { n: r.handle.amount }) : i18n.t('dispatch.by_policy') }),
        el('td', {}, retire));
    })));
  box.replaceChildren(el('h3', { text: i18n.t('dispatch.title') }), el('p', { class: 'muted', text: i18n.t('dispatch.hint') }), error, table,
    manage ? form(error) : null, reasons(manage, error));
}

/** The centre's return reasons (退单理由): dispatchers add their own and take any off. */
function reasons(manage, error) {
  const save = async (code, name, active) => {
    try {
      await api.saveReturnReason(code, name, active);
      await loadReference();
      await render();
    } catch (e) {
      showError(error, e);
    }
  };
  const rows = shared.ref.return_reasons.map((r) => {
    const toggle = manage && r.code !== 'other'
      ? el('button', { type: 'button', class: 'link', 'data-testid': 'reason-toggle', 'data-code': r.code, text: i18n.t(r.active ? 'reasons.take_off' : 'reasons.put_back') })
      : null;
    toggle?.addEventListener('click', () => save(r.code, r.name, !r.active));
    return el('li', { 'data-testid': 'return-reason', 'data-code': r.code, 'data-active': String(r.active), class: r.active ? '' : 'muted' },
      `${returnReasonName(r.code)} `, toggle);
  });
  const add = el('form', { class: 'inline-form', 'data-testid': 'reason-form', novalidate: true },
    el('label', {}, el('span', { text: i18n.t('reasons.code') }), el('input', { name: 'code', 'data-testid': 'reason-code', autocomplete: 'off', pattern: '[a-z][a-z0-9_]*' })),
    el('label', {}, el('span', { text: i18n.t('reasons.name') }), el('input', { name: 'name', 'data-testid': 'reason-name', autocomplete: 'off' })),
    el('button', { type: 'submit', 'data-testid': 'reason-add', text: i18n.t('reasons.add') }));
  add.addEventListener('submit', (e) => {
    e.preventDefault();
    save(add.elements.code.value.trim(), add.elements.name.value, true);
  });
  return el('section', { 'data-testid': 'return-reasons' }, el('h4', { text: i18n.t('reasons.title') }),
    el('ul', {}, ...rows), manage ? add : null);
}

function form(error) {
  const cats = el('select', { name: 'category', 'data-testid': 'dispatch-category', required: true });
  options(cats, treeOptions(shared.ref.categories.filter((c) => c.active), categoryName, (c) => c.code));
  const active = shared.ref.departments.filter((d) => d.active && d.code !== 'hotline');
  const lead = el('select', { name: 'lead', 'data-testid': 'dispatch-lead', required: true });
  options(lead, treeOptions(active), { blank: i18n.t('intake.choose_department') });
  const co = el('select', { name: 'co', multiple: true, size: 4, 'data-testid': 'dispatch-co' },
    ...active.map((d) => el('option', { value: String(d.id), text: d.name })));
  const label = (key, control) => el('label', {}, el('span', { text: i18n.t(key) }), control);
  const f = el('form', { class: 'inline-form', 'data-testid': 'dispatch-form', novalidate: true },
    label('dispatch.category', cats),
    label('dispatch.keywords_hint', el('input', { name: 'keywords', 'data-testid': 'dispatch-keywords' })),
    label('dispatch.area', el('input', { name: 'area', 'data-testid': 'dispatch-area' })),
    label('dispatch.lead', lead), label('dispatch.co', co),
    label('dispatch.handle_days', el('input', { name: 'days', type: 'number', min: 1, max: 1000, 'data-testid': 'dispatch-days' })),
    el('button', { type: 'submit', 'data-testid': 'dispatch-save', text: i18n.t('dispatch.add') }));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const x = f.elements;
    if (!x.lead.value) {
      showError(error, { code: 'required', details: { field: 'department' } });
      x.lead.focus();
      return;
    }
    const rule = {
      category: x.category.value,
      keywords: x.keywords.value.split(/[,，、;；\s]+/).filter(Boolean),
      area: x.area.value || null,
      lead_department_id: Number(x.lead.value),
      co_department_ids: [...x.co.selectedOptions].map((o) => Number(o.value)),
      handle: x.days.value ? { unit: 'working_days', amount: Number(x.days.value) } : null,
    };
    try {
      const r = await api.addDispatchRule(rule);
      notice(i18n.t('dispatch.added', { lead: deptName(r.lead_department_id) }));
      await render();
    } catch (err) {
      showError(error, err);
      markField(f, err);
    }
  });
  return f;
}
