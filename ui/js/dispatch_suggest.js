// The dispatch catalogue at intake: as category, description, address and severity are
// filled in, the lead department (and its co-handlers) the catalogue names is chosen and
// said beside the department field, with its deadline; the agent may choose otherwise
// (the backend records the override when the call is transferred).
import { api } from './api.js';
import * as i18n from './i18n.js';
import { $ } from './state.js';

let form = null;
let timer = null;
let seq = 0;
let touched = false;

export function init(f, setDue) {
  form = f;
  f.elements.department_id.addEventListener('change', () => { touched = true; });
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => suggest(setDue), 250);
  };
  for (const n of ['description', 'address']) f.elements[n].addEventListener('input', later);
  for (const n of ['category', 'severity']) f.elements[n].addEventListener('change', later);
}

export function clear() {
  clearTimeout(timer);
  seq++;
  touched = false;
  const hint = $('#intake-dispatch');
  hint.hidden = true;
  hint.textContent = '';
  delete hint.dataset.lead;
}

async function suggest(setDue) {
  const f = form.elements;
  const mine = ++seq;
  if (!f.category.value) return;
  let s = null;
  try {
    s = await api.suggestDispatch(f.category.value, f.description.value, f.address.value || null, f.severity.value || null);
  } catch {
    s = null;
  }
  if (mine !== seq) return;
  const hint = $('#intake-dispatch');
  hint.hidden = !s;
  if (!s) { delete hint.dataset.lead; hint.textContent = ''; return; }
  hint.dataset.lead = String(s.lead.id);
  hint.textContent = i18n.t(s.co.length ? 'dispatch.suggested_co' : 'dispatch.suggested', { lead: s.lead.name, co: s.co.map((d) => d.name).join('、'), rule: s.rule_id });
  if (!touched && [...f.department_id.options].some((o) => o.value === String(s.lead.id))) {
    f.department_id.value = String(s.lead.id);
    const co = s.co.map((d) => String(d.id));
    for (const o of f.co_department_ids.options) o.selected = co.includes(o.value);
    f.department_id.dispatchEvent(new Event('input', { bubbles: true }));
  }
  setDue(s);
}
