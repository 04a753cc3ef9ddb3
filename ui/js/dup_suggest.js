// Repeated requests at intake (重复件): as the caller's number, address and words are typed,
// the open tickets this call may repeat appear — the same caller's, similar ones at the
// same address or of the same category; one click logs the call merged into that ticket.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el } from './format.js';
import { $ } from './state.js';

let form = null;
let timer = null;
let seq = 0;

export function init(f, merge) {
  form = f;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => find(merge), 300);
  };
  for (const n of ['phone', 'address', 'description']) f.elements[n].addEventListener('input', later);
  f.elements.category.addEventListener('change', later);
}

export function clear() {
  clearTimeout(timer);
  seq++;
  $('#dup-list').replaceChildren();
  $('#dup-candidates').hidden = true;
}

async function find(merge) {
  const f = form.elements;
  const mine = ++seq;
  if (!f.category.value || (!f.description.value.trim() && !f.phone.value.trim())) { clear(); return; }
  let rows = [];
  try {
    rows = await api.duplicateCandidates(f.phone.value || null, f.address.value || null, f.description.value, f.category.value, null);
  } catch {
    rows = [];
  }
  if (mine !== seq) return;
  $('#dup-candidates').hidden = rows.length === 0;
  $('#dup-list').replaceChildren(...rows.map((c) => {
    const b = el('button', { type: 'button', 'data-testid': 'dup-merge', 'data-id': String(c.id), text: i18n.t('dup.merge', { number: c.number }) });
    b.addEventListener('click', () => merge(c));
    return el('li', { 'data-testid': 'dup-candidate', 'data-id': String(c.id), 'data-reason': c.reason },
      el('span', { class: 'mono', text: c.number }), ' ', el('span', { class: `status status-${c.status}`, text: i18n.t(`status.${c.status}`) }), ' ',
      el('small', { class: 'muted', text: i18n.t(`dup.reason.${c.reason}`, { pct: Math.round(c.similarity * 100) }) }), ' ', b,
      el('p', { class: 'muted clamp', text: c.summary }));
  }));
}
