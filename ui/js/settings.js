// Reference data the desk needs: departments and categories (trees) and users.
import { api } from './api.js';
import * as dispatchRules from './dispatch_rules.js';
import * as i18n from './i18n.js';
import { el, options, normalDate } from './format.js';
import { $, shared, showError, markField, loadReference, categoryName, treeOptions, notice, feedback } from './state.js';

let calendars = [];

function tree(ul, items, name, extra = () => '') {
  const build = (parent) => items.filter((x) => (x.parent_id ?? null) === parent).map((x) => {
    const kids = build(x.id);
    return el('li', { 'data-testid': 'tree-item', 'data-code': x.code },
      el('span', { text: `${name(x)} ` }), el('code', { text: x.code }), el('span', { class: 'muted', text: extra(x) }),
      kids.length ? el('ul', {}, ...kids) : null);
  });
  ul.replaceChildren(...build(null));
}

export function render() {
  const { departments, categories } = shared.ref;
  tree($('#dept-tree'), departments, (d) => d.name);
  tree($('#cat-tree'), categories, categoryName, (c) => ` ${i18n.t('settings.default_days', { n: c.default_days })}`);
  const none = i18n.t('settings.no_parent');
  options($('#dept-form').elements.parent_id, treeOptions(departments), { blank: none });
  options($('#cat-form').elements.parent_id, treeOptions(categories, categoryName), { blank: none });
}

function saved() {
  notice(i18n.t('common.saved'));
}

/** Loads and shows the data-driven settings: preferences, rules, calendars, SLA. */
export async function load() {
  dispatchRules.render();
  const errorEl = $('[data-testid="settings-error"]');
  try {
    const [prefs, settings, policies] = await Promise.all([api.notificationPrefs(), api.getSettings(), api.slaPolicies()]);
    calendars = await api.calendars();
    const kinds = $('#prefs-kinds');
    kinds.replaceChildren(el('legend', { text: i18n.t('prefs.kinds') }), ...shared.vocab.alarm_kinds.map((k) => el('label', { class: 'check' },
      el('span', { text: i18n.t(`prefs.kind.${k}`) }),
      // Pages wait for an acknowledgement: never muted (the backend ignores it too).
      el('input', { type: 'checkbox', name: `kind-${k}`, 'data-testid': `prefs-kind-${k}`, checked: !prefs.muted.includes(k), disabled: k.startsWith('page') }))));
    const pf = $('#prefs-form').elements;
    pf.quiet_from.value = prefs.quiet_from ? prefs.quiet_from.slice(0, 5) : '';
    pf.quiet_to.value = prefs.quiet_to ? prefs.quiet_to.slice(0, 5) : '';
    const rf = $('#rules-form').elements;
    rf.reminder_thresholds.value = settings.reminder_thresholds;
    rf.repeat_hours.value = settings.repeat_hours;
    renderTemplates();
    const cf = $('#centre-form').elements;
    cf.centre_name.value = settings.centre_name;
    cf.slip_phone.value = settings.slip_phone;
    cf.evaluation_counted.value = settings.evaluation_counted;
    cf.appeal_working_days.value = settings.appeal_working_days;
    options($('#cal-select'), calendars.map((c) => [c.name, c.name]));
    renderCalendar();
    const catName = (id) => { const c = shared.ref.categories.find((x) => x.id === id); return c ? categoryName(c) : i18n.t('sla.any'); };
    $('#sla-rows').replaceChildren(...policies.map((p) => el('tr', { 'data-testid': 'sla-row' },
      el('td', { text: i18n.t(`stage.${p.stage}`) }),
      el('td', { text: p.category_id ? catName(p.category_id) : i18n.t('sla.any') }),
      el('td', { text: p.severity ? i18n.t(`severity.${p.severity}`) : i18n.t('sla.any') }),
      el('td', { text: i18n.t(`unit.${p.span.unit}`, { n: p.span.amount }) }),
      el('td', { text: p.calendar }))));
    const sf = $('#sla-form').elements;
    options(sf.stage, shared.vocab.stages.map((x) => [x, i18n.t(`stage.${x}`)]));
    options(sf.category_id, treeOptions(shared.ref.categories, categoryName), { blank: i18n.t('sla.any') });
    options(sf.severity, shared.vocab.severities.map((x) => [x, i18n.t(`severity.${x}`)]), { blank: i18n.t('sla.any') });
    options(sf.unit, shared.vocab.span_units.map((x) => [x, i18n.t(`unitname.${x}`)]));
    options(sf.calendar, calendars.map((c) => [c.name, c.name]));
    showError(errorEl, null);
  } catch (e) {
    showError(errorEl, e);
  }
}

function renderCalendar() {
  const c = calendars.find((x) => x.name === $('#cal-select').value) ?? calendars[0];
  if (!c) return;
  $('#cal-years').textContent = c.always ? i18n.t('calendar.always') : i18n.t('calendar.years', { years: c.years.join(', ') });
  $('#cal-days').replaceChildren(...c.days.map(([d, k]) => el('li', { 'data-testid': 'cal-day', 'data-date': d, 'data-kind': k, text: `${d} ${i18n.t(`calendar.${k}`)}` })));
}

async function submit(form, call) {
  try {
    await call(form.elements);
    form.reset();
    feedback(form, null);
    markField(form, null);
    await loadReference();
    render();
    document.dispatchEvent(new CustomEvent('reference-changed'));
  } catch (e) {
    feedback(form, e);
    markField(form, e);
  }
}

const num = (v) => (v ? Number(v) : null);

/** Runs a settings change; on success reloads the settings and says so. */
async function guarded(origin, change) {
  try {
    await change();
    await load();
    saved();
    feedback(origin, null);
  } catch (err) {
    feedback(origin, err);
    if (origin?.elements) markField(origin, err);
  }
}

/** 常用语 in settings: each with its field and category, removable; a form to add one. */
function renderTemplates() {
  const catName = (id) => { const c = shared.ref.categories.find((x) => x.id === id); return c ? categoryName(c) : i18n.t('sla.any'); };
  $('#template-list').replaceChildren(...shared.templates.map((t) => {
    const del = el('button', { type: 'button', class: 'danger', 'data-testid': 'template-delete', text: i18n.t('templates.delete') });
    del.addEventListener('click', () => guarded(del.closest('.scroll'), async () => { await api.deleteReplyTemplate(t.id); await loadReference(); }));
    return el('li', { 'data-testid': 'template-item', 'data-id': String(t.id) },
      el('strong', { text: `${i18n.t(`templates.field.${t.field}`)} · ${t.category_id ? catName(t.category_id) : i18n.t('sla.any')}` }), ' ',
      el('span', { text: t.text }), ' ', del);
  }));
  const f = $('#template-form').elements;
  options(f.field, shared.vocab.template_fields.map((x) => [x, i18n.t(`templates.field.${x}`)]));
  options(f.category_id, treeOptions(shared.ref.categories, categoryName), { blank: i18n.t('sla.any') });
}

export function init() {
  $('#template-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target.elements;
    await guarded(e.target, async () => {
      await api.createReplyTemplate(f.field.value, num(f.category_id.value), f.text.value);
      await loadReference();
      f.text.value = '';
    });
  });
  $('#dept-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit(e.target, (f) => api.createDepartment(f.code.value, f.name.value, num(f.parent_id.value)));
  });
  $('#cat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit(e.target, (f) => api.createCategory(f.code.value, f.name.value, num(f.parent_id.value), Number(f.default_days.value || 0)));
  });
  $('#prefs-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target.elements;
    const prefs = {
      muted: shared.vocab.alarm_kinds.filter((k) => !f.namedItem(`kind-${k}`).checked),
      quiet_from: f.quiet_from.value ? `${f.quiet_from.value}:00` : null,
      quiet_to: f.quiet_to.value ? `${f.quiet_to.value}:00` : null,
    };
    await guarded(e.target, () => api.setNotificationPrefs(prefs));
  });
  $('#rules-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target.elements;
    await guarded(e.target, async () => {
      await api.setSetting('reminder_thresholds', f.reminder_thresholds.value);
      await api.setSetting('repeat_hours', f.repeat_hours.value);
    });
  });
  $('#centre-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target.elements;
    await guarded(e.target, async () => {
      await api.setSetting('centre_name', f.centre_name.value);
      await api.setSetting('slip_phone', f.slip_phone.value);
      await api.setSetting('evaluation_counted', f.evaluation_counted.value);
      await api.setSetting('appeal_working_days', f.appeal_working_days.value);
    });
  });
  for (const f of document.querySelectorAll('#view-settings form')) feedback(f, undefined);
  // Sections: the long page, one click from each part.
  for (const b of document.querySelectorAll('#settings-nav [data-goto]')) {
    b.addEventListener('click', () => {
      const target = $(`#${b.dataset.goto}`);
      target?.scrollIntoView({ block: 'start' });
      target?.querySelector('input, select, button')?.focus({ preventScroll: true });
    });
  }
  $('#cal-select').addEventListener('change', renderCalendar);
  $('#cal-day-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target.elements;
    if (!f.date.value) { feedback(e.target, { code: 'required', details: { field: 'date' } }); return; }
    await guarded(e.target, () => api.setCalendarDay($('#cal-select').value, normalDate(f.date.value) ?? f.date.value, f.kind.value === 'clear' ? null : f.kind.value, f.note.value));
  });
  $('#cal-ics').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const text = await file.text();
    await guarded(e.target, async () => {
      const r = await api.importIcs($('#cal-select').value, text);
      $('#cal-import-result').textContent = i18n.t('calendar.imported', { added: r.added, changed: r.changed, unchanged: r.unchanged, skipped: r.skipped.length });
    });
    e.target.value = '';
  });
  $('#sla-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target.elements;
    const span = { unit: f.unit.value, amount: Number(f.amount.value || 0) };
    await guarded(e.target, () => api.setSlaPolicy(f.stage.value, num(f.category_id.value), f.severity.value || null, span, f.calendar.value));
  });
}
