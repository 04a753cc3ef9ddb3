// What the screens share: who acts, the reference data, and how to show messages.
import { api } from './api.js';
import * as i18n from './i18n.js';

export const shared = { info: null, vocab: null, ref: { departments: [], categories: [], users: [], return_reasons: [] }, templates: [] };

export const $ = (sel, root = document) => root.querySelector(sel);

/** The closed sets of values the backend knows (roles, severities, stages …): no screen retypes them. */
export async function loadVocabulary() {
  shared.vocab = await api.vocabulary();
  return shared.vocab;
}

/** A short confirmation in the desk's status line, gone after a few seconds. */
export function notice(text) {
  const n = $('[data-testid="notice"]');
  n.textContent = text;
  n.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { n.hidden = true; }, 6000);
}

export async function loadReference() {
  shared.ref = await api.reference();
  shared.templates = await api.replyTemplates().catch(() => []);
  return shared.ref;
}

/** The category and its parents, nearest first. */
function lineage(categoryId) {
  const out = [];
  let c = shared.ref.categories.find((x) => x.id === categoryId);
  while (c && !out.includes(c.id)) {
    out.push(c.id);
    c = shared.ref.categories.find((x) => x.id === c.parent_id);
  }
  return out;
}

/** 常用语 under `textarea`: a choice of the templates for its field and the category
 * (its own, its parents', or any), inserted where the cursor is. */
export function templatePicker(textarea, field, categoryId) {
  const mine = lineage(categoryId);
  const list = (shared.templates ?? []).filter((t) => t.field === field && (t.category_id === null || mine.includes(t.category_id)));
  const select = document.createElement('select');
  select.dataset.testid = `template-${textarea.name}`;
  select.className = 'template-picker';
  select.setAttribute('aria-label', i18n.t('templates.insert'));
  select.append(new Option(i18n.t('templates.insert'), ''));
  for (const t of list) select.append(new Option(t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text, String(t.id)));
  select.disabled = list.length === 0;
  select.addEventListener('change', () => {
    const t = list.find((x) => String(x.id) === select.value);
    select.value = '';
    if (!t) return;
    const at = textarea.selectionStart ?? textarea.value.length;
    textarea.value = textarea.value.slice(0, at) + t.text + textarea.value.slice(textarea.selectionEnd ?? at);
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    textarea.focus();
  });
  return select;
}

export function me() {
  return shared.info?.user;
}

/** Shows a backend error (translated by code) in `el`, or hides it when `err` is null. */
export function showError(el, err) {
  if (!err) { el.hidden = true; el.textContent = ''; delete el.dataset.code; return; }
  el.textContent = i18n.errorText(err);
  el.dataset.code = err.code;
  el.hidden = false;
}

/** The outcome of a settings change, shown beside the form (or card) it came from:
 * the translated error, or "saved". A second change replaces the first's outcome. */
export function feedback(origin, err) {
  const anchor = origin?.closest?.('form, .inline-form, p, .scroll') ?? origin?.closest?.('section.card');
  if (!anchor) return;
  let p = anchor.nextElementSibling;
  if (!p?.classList.contains('feedback')) {
    p = document.createElement('p');
    p.dataset.testid = 'form-feedback';
    anchor.after(p);
  }
  // Reserved (empty) before any outcome, so that an outcome never shifts the page under
  // the pointer.
  if (err === undefined) { p.className = 'feedback'; return; }
  p.className = `feedback ${err ? 'error' : 'saved'}`;
  p.setAttribute('role', err ? 'alert' : 'status');
  p.textContent = err ? i18n.errorText(err) : i18n.t('common.saved');
  if (err) p.dataset.code = err.code; else delete p.dataset.code;
  p.hidden = false;
}

/** Marks the form control the error is about, so the agent sees where. */
export function markField(form, err) {
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const field = err?.details?.field || (err?.code === 'phone_invalid' ? 'phone' : null);
  const control = field && form.elements.namedItem(field);
  if (control && control.setAttribute) {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  }
}

/** A return reason by its code: a built-in one in the reader's language, the centre's own by
 * the name it was given. */
export function returnReasonName(code) {
  const r = shared.ref.return_reasons?.find((x) => x.code === code);
  return r?.name || i18n.t(`return.reason.${code}`);
}

export function categoryName(c) {
  const key = `category.${c.code}`;
  return i18n.has(key) ? i18n.t(key) : c.name;
}

/** Tree order with indentation: [[key, label], …] for selects. */
export function treeOptions(items, name = (x) => x.name, key = (x) => x.id) {
  const out = [];
  const walk = (parent, depth) => {
    for (const x of items.filter((i) => (i.parent_id ?? null) === parent)) {
      out.push([key(x), `${'\u3000'.repeat(depth)}${name(x)}`]);
      walk(x.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
