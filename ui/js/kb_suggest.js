// Knowledge while the caller talks: as the description is typed, the best matching
// published articles appear beside the form; Alt+1…5 (or the button) puts an article's
// wording into "answer now", and the ticket records which article and version it was.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el } from './format.js';
import { $ } from './state.js';

let form = null;
let timer = null;
let seq = 0;
let shown = [];

export function init(f) {
  form = f;
  f.elements.description.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  f.addEventListener('keydown', (e) => {
    const n = Number(e.key);
    if (e.altKey && n >= 1 && n <= shown.length) {
      e.preventDefault();
      use(shown[n - 1]);
    }
  });
  $('#intake-article-clear').addEventListener('click', () => choose(null));
}

/** The article the answer was taken from: `{ id, version }`, or null. */
export function chosen() {
  const [id, version] = (form?.elements.article.value || '').split(':').map(Number);
  return id && version ? { id, version } : null;
}

export function clear() {
  clearTimeout(timer);
  seq++;
  shown = [];
  $('#kb-suggest-list').replaceChildren();
  $('#kb-suggestions').hidden = true;
  choose(null);
}

/** After a draft came back: the chosen article's line, and the suggestions again. */
export function restore() {
  const c = chosen();
  if (c) choose({ ...c, title: form.elements.article.dataset.title || `#${c.id}` });
  suggest();
}

function choose(a) {
  form.elements.article.value = a ? `${a.id}:${a.version}` : '';
  form.elements.article.dataset.title = a?.title ?? '';
  $('#intake-article').hidden = !a;
  $('#intake-article-text').textContent = a ? i18n.t('kb.answered_from', { title: a.title, v: a.version }) : '';
}

function use(s) {
  form.elements.answer.value = s.answer;
  choose(s);
  form.elements.answer.dispatchEvent(new Event('input', { bubbles: true }));
  form.elements.answer.focus();
}

async function suggest() {
  const text = form.elements.description.value.trim();
  const mine = ++seq;
  if (!text) { shown = []; $('#kb-suggest-list').replaceChildren(); $('#kb-suggestions').hidden = true; return; }
  let rows = [];
  try {
    rows = await api.kbSuggest(text, 5);
  } catch {
    rows = [];
  }
  if (mine !== seq) return;
  shown = rows;
  $('#kb-suggestions').hidden = rows.length === 0;
  $('#kb-suggest-list').replaceChildren(...rows.map((s, i) => {
    const b = el('button', { type: 'button', 'data-testid': 'kb-use', 'data-id': String(s.id), text: i18n.t('kb.use', { n: i + 1 }) });
    b.addEventListener('click', () => use(s));
    return el('li', { 'data-testid': 'kb-suggestion', 'data-id': String(s.id), 'data-version': String(s.version) },
      el('strong', { text: s.title }), ' ', el('small', { class: 'muted', text: i18n.t(`kb.material.${s.material}`) }), ' ', b,
      el('p', { class: 'muted clamp', text: s.answer }));
  }));
}
