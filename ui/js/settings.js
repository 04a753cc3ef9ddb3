// Reference data the desk needs: departments and categories (trees) and users.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options } from './format.js';
import { $, shared, showError, markField, loadReference, categoryName, treeOptions } from './state.js';

const ROLES = ['agent', 'handler', 'supervisor', 'manager', 'admin'];

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
  const { departments, categories, users } = shared.ref;
  tree($('#dept-tree'), departments, (d) => d.name);
  tree($('#cat-tree'), categories, categoryName, (c) => ` ${i18n.t('settings.default_days', { n: c.default_days })}`);
  const deptName = (id) => departments.find((d) => d.id === id)?.name ?? '—';
  $('#user-list').replaceChildren(...users.map((u) => el('li', { 'data-testid': 'user-item' },
    el('strong', { text: u.name }), ' ', el('span', { class: 'muted', text: `${i18n.t(`role.${u.role}`)} · ${deptName(u.department_id)}` }))));
  const none = i18n.t('settings.no_parent');
  options($('#dept-form').elements.parent_id, treeOptions(departments), { blank: none });
  options($('#cat-form').elements.parent_id, treeOptions(categories, categoryName), { blank: none });
  options($('#user-form').elements.department_id, treeOptions(departments));
  options($('#user-form').elements.role, ROLES.map((r) => [r, i18n.t(`role.${r}`)]));
}

async function submit(form, call) {
  const errorEl = $('[data-testid="settings-error"]');
  try {
    await call(form.elements);
    form.reset();
    showError(errorEl, null);
    markField(form, null);
    await loadReference();
    render();
    document.dispatchEvent(new CustomEvent('reference-changed'));
  } catch (e) {
    showError(errorEl, e);
    markField(form, e);
  }
}

const num = (v) => (v ? Number(v) : null);

export function init() {
  $('#dept-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit(e.target, (f) => api.createDepartment(f.code.value, f.name.value, num(f.parent_id.value)));
  });
  $('#cat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit(e.target, (f) => api.createCategory(f.code.value, f.name.value, num(f.parent_id.value), Number(f.default_days.value || 0)));
  });
  $('#user-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit(e.target, (f) => api.createUser(f.name.value, Number(f.department_id.value), f.role.value));
  });
}
