// The knowledge base (知识库): the table of articles with its filters and upkeep views,
// one article with its versions, the draft form, the review steps, files, and the sheet
// export and import. The backend decides who may do what; the screen only offers.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, normalDate } from './format.js';
import { $, shared, showError, markField, notice, categoryName, treeOptions } from './state.js';
import { can } from './session.js';
import { filesBox, base64 } from './attachments.js';

let hooks = null;
let query = {};

export function init(h) {
  hooks = h;
  $('#open-kb').addEventListener('click', () => open());
}

export async function open(id = null) {
  hooks.show('kb');
  await render();
  if (id) await openArticle(id);
}

function selectOf(name, values, prefix, testid) {
  const s = el('select', { name, 'data-testid': testid });
  options(s, values.map((v) => [v, i18n.t(`${prefix}.${v}`)]), { blank: i18n.t('kb.any') });
  return s;
}

async function render() {
  const view = $('#view-kb');
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'kb-error', hidden: true });
  const filters = el('form', { class: 'filters', 'data-testid': 'kb-filters', novalidate: true },
    el('label', {}, el('span', { text: i18n.t('kb.search') }), el('input', { name: 'search', type: 'search', 'data-testid': 'kb-search', autocomplete: 'off' })),
    el('label', {}, el('span', { text: i18n.t('kb.state') }), selectOf('state', shared.vocab.kb_states, 'kb.state', 'kb-state')),
    el('label', {}, el('span', { text: i18n.t('kb.material') }), selectOf('material', shared.vocab.kb_materials, 'kb.material', 'kb-material')),
    el('label', {}, el('span', { text: i18n.t('kb.upkeep') }), selectOf('upkeep', shared.vocab.kb_upkeep, 'kb.upkeep', 'kb-upkeep')),
    el('button', { type: 'submit', 'data-testid': 'kb-filter', text: i18n.t('kb.filter') }));
  for (const [k, v] of Object.entries(query)) if (filters.elements[k]) filters.elements[k].value = v ?? '';
  filters.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = filters.elements;
    query = { search: f.search.value || null, state: f.state.value || null, material: f.material.value || null, upkeep: f.upkeep.value || null };
    await render();
  });
  let rows = [];
  try {
    rows = await api.kbArticles(query);
  } catch (e) {
    showError(error, e);
  }
  const table = el('table', { class: 'tickets', 'data-testid': 'kb-table' },
    el('thead', {}, el('tr', {}, ...['kb.title', 'kb.state', 'kb.material', 'kb.department', 'kb.valid_until', 'kb.uses', 'kb.troubles']
      .map((k) => el('th', { text: i18n.t(k) })))),
    el('tbody', {}, ...rows.map((r) => {
      const open_ = el('button', { type: 'button', class: 'link', 'data-testid': 'kb-open', 'data-id': String(r.id), text: r.title });
      open_.addEventListener('click', () => openArticle(r.id));
      return el('tr', { 'data-testid': 'kb-row', 'data-id': String(r.id), 'data-state': r.state },
        el('td', {}, open_),
        el('td', {}, el('span', { class: `status kb-${r.state}`, text: i18n.t(`kb.state.${r.state}`) }),
          r.pending ? el('small', { class: 'muted', text: ` ${i18n.t('kb.pending', { state: i18n.t(`kb.version_state.${r.pending}`) })}` }) : null),
        el('td', { text: i18n.t(`kb.material.${r.material}`) }),
        el('td', { text: r.department_name ?? '—' }),
        el('td', { text: r.valid_until ?? '—' }),
        el('td', { class: 'num', text: String(r.uses) }),
        el('td', { class: 'num', text: String(r.troubles) }));
    })));
  const actions = el('p', { class: 'form-actions' });
  if (can('propose_knowledge')) {
    const add = el('button', { type: 'button', class: 'primary', 'data-testid': 'kb-new', text: i18n.t('kb.new') });
    add.addEventListener('click', () => editor(null, null));
    actions.append(add);
  }
  for (const format of ['xlsx', 'csv']) {
    const b = el('button', { type: 'button', 'data-testid': `kb-export-${format}`, text: i18n.t(`kb.export_${format}`) });
    b.addEventListener('click', async () => {
      try {
        const path = await api.exportKb(format, true);
        notice(i18n.t('kb.exported', { path }));
      } catch (e) {
        showError(error, e);
      }
    });
    actions.append(b);
  }
  if (can('manage_knowledge')) {
    const file = el('input', { type: 'file', accept: '.csv,.xlsx', 'data-testid': 'kb-import', 'aria-label': i18n.t('kb.import') });
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      try {
        const ids = await api.importKb(f.name, await base64(f));
        notice(i18n.t('kb.imported', { n: ids.length }));
        await render();
      } catch (e) {
        showError(error, e);
      }
    });
    actions.append(el('label', { class: 'file' }, el('span', { text: i18n.t('kb.import') }), file));
  }
  view.replaceChildren(el('h2', { text: i18n.t('kb.title_view') }), error, filters, actions,
    rows.length ? table : el('p', { class: 'muted', 'data-testid': 'kb-empty', text: i18n.t('kb.empty') }),
    el('section', { id: 'kb-article', 'data-testid': 'kb-article', class: 'card', hidden: true }));
}

async function openArticle(id) {
  const box = $('#kb-article');
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'kb-article-error', hidden: true });
  let a;
  try {
    a = await api.kbArticle(id);
  } catch (e) {
    showError(error, e);
    box.replaceChildren(error);
    box.hidden = false;
    return;
  }
  const latest = a.versions[0];
  const shown = a.versions.find((v) => v.version === a.published_version) ?? latest;
  const steps = el('p', { class: 'form-actions' });
  const note = el('input', { name: 'note', 'data-testid': 'kb-note', 'aria-label': i18n.t('kb.note'), placeholder: i18n.t('kb.note') });
  const stepButton = (step, perm) => {
    if (!can(perm)) return;
    const b = el('button', { type: 'button', 'data-testid': `kb-${step}`, text: i18n.t(`kb.step.${step}`) });
    b.addEventListener('click', async () => {
      try {
        await api.kbStep(a.id, step, note.value || null);
        notice(i18n.t(`kb.done.${step}`, { title: latest.title }));
        await render();
        await openArticle(a.id);
      } catch (e) {
        showError(error, e);
      }
    });
    steps.append(b);
  };
  if (latest.state === 'draft') stepButton('submit', 'propose_knowledge');
  if (latest.state === 'in_review') { stepButton('approve', 'manage_knowledge'); stepButton('reject', 'manage_knowledge'); }
  if (a.state !== 'retired' && a.published_version) stepButton('retire', 'manage_knowledge');
  if (steps.childElementCount) steps.prepend(note);
  if (can('propose_knowledge') && latest.state !== 'in_review') {
    const edit = el('button', { type: 'button', 'data-testid': 'kb-edit', text: i18n.t('kb.edit') });
    edit.addEventListener('click', () => editor(a.id, latest));
    steps.append(edit);
  }
  box.replaceChildren(
    el('h3', { 'data-testid': 'kb-article-title', text: shown.title }),
    el('p', {}, el('span', { class: `status kb-${a.state}`, 'data-testid': 'kb-article-state', text: i18n.t(`kb.state.${a.state}`) }),
      ` ${i18n.t('kb.version_of', { v: shown.version, latest: a.latest_version })} · ${i18n.t(`kb.material.${shown.material}`)}`,
      shown.department_name ? ` · ${shown.department_name}` : '',
      ` · ${i18n.t('kb.used', { n: a.uses })}`),
    error,
    el('dl', { class: 'facts' },
      el('dt', { text: i18n.t('kb.questions') }), el('dd', { text: shown.questions.join(' / ') || '—' }),
      el('dt', { text: i18n.t('kb.answer') }), el('dd', { class: 'pre', 'data-testid': 'kb-article-answer', text: shown.answer }),
      el('dt', { text: i18n.t('kb.keywords') }), el('dd', { text: shown.keywords.join('、') || '—' }),
      el('dt', { text: i18n.t('kb.source') }), el('dd', { text: shown.source || '—' }),
      el('dt', { text: i18n.t('kb.validity') }), el('dd', { text: `${shown.valid_from ?? '—'} ~ ${shown.valid_until ?? '—'}` }),
      a.from_ticket ? el('dt', { text: i18n.t('kb.from_ticket') }) : null, a.from_ticket ? el('dd', { class: 'mono', text: a.from_ticket }) : null),
    steps,
    el('h4', { text: i18n.t('kb.versions') }),
    el('ol', { class: 'plain', 'data-testid': 'kb-versions' }, ...a.versions.map((v) => el('li', { 'data-testid': 'kb-version', 'data-state': v.state },
      `v${v.version} · ${i18n.t(`kb.version_state.${v.state}`)} · ${v.author} ${time(v.saved_at)}`,
      v.reviewer ? ` · ${i18n.t('kb.reviewed_by', { name: v.reviewer, at: time(v.reviewed_at) })}` : '',
      v.review_note ? ` · ${v.review_note}` : ''))),
    el('h4', { text: i18n.t('kb.files') }),
    filesBox('kb_article', a.id, { editable: can('propose_knowledge') }));
  box.hidden = false;
}

/** The draft form: a new article, or a new draft of `id` from `v`. */
function editor(id, v) {
  const box = $('#kb-article');
  const cats = el('select', { name: 'category', 'data-testid': 'kb-form-category' });
  options(cats, treeOptions(shared.ref.categories.filter((c) => c.active), categoryName, (c) => c.code), { blank: i18n.t('kb.any') });
  const depts = el('select', { name: 'department_id', 'data-testid': 'kb-form-department' });
  options(depts, treeOptions(shared.ref.departments.filter((d) => d.active)), { blank: i18n.t('kb.any') });
  const material = el('select', { name: 'material', 'data-testid': 'kb-form-material' });
  options(material, shared.vocab.kb_materials.map((m) => [m, i18n.t(`kb.material.${m}`)]));
  const field = (key, control) => el('label', {}, el('span', { text: i18n.t(key) }), control);
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'kb-form-error', hidden: true });
  const f = el('form', { class: 'grid', 'data-testid': 'kb-form', novalidate: true },
    field('kb.title', el('input', { name: 'title', 'data-testid': 'kb-form-title', required: true })),
    field('kb.questions_hint', el('textarea', { name: 'questions', rows: 3, 'data-testid': 'kb-form-questions' })),
    field('kb.answer', el('textarea', { name: 'answer', rows: 5, 'data-testid': 'kb-form-answer', required: true })),
    field('kb.category', cats), field('kb.department', depts), field('kb.material', material),
    field('kb.keywords_hint', el('input', { name: 'keywords', 'data-testid': 'kb-form-keywords' })),
    field('kb.source', el('input', { name: 'source', 'data-testid': 'kb-form-source' })),
    field('kb.valid_from', el('input', { name: 'valid_from', 'data-kind': 'date', placeholder: i18n.t('format.date'), 'data-testid': 'kb-form-from' })),
    field('kb.valid_until', el('input', { name: 'valid_until', 'data-kind': 'date', placeholder: i18n.t('format.date'), 'data-testid': 'kb-form-until' })),
    error,
    el('p', { class: 'form-actions' }, el('button', { type: 'submit', class: 'primary', 'data-testid': 'kb-form-save', text: i18n.t('kb.save_draft') })));
  const e = f.elements;
  if (v) {
    e.title.value = v.title;
    e.questions.value = v.questions.join('\n');
    e.answer.value = v.answer;
    e.category.value = v.category ?? '';
    e.department_id.value = v.department_id ?? '';
    e.material.value = v.material;
    e.keywords.value = v.keywords.join('、');
    e.source.value = v.source;
    e.valid_from.value = v.valid_from ?? '';
    e.valid_until.value = v.valid_until ?? '';
  }
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const dates = {};
    for (const n of ['valid_from', 'valid_until']) {
      const d = e[n].value.trim() ? normalDate(e[n].value) : null;
      if (d === undefined) {
        showError(error, { code: 'invalid_value', details: { field: n, value: e[n].value } });
        markField(f, { details: { field: n } });
        return;
      }
      dates[n] = d;
    }
    const article = {
      title: e.title.value,
      questions: e.questions.value.split('\n'),
      answer: e.answer.value,
      category: e.category.value || null,
      department_id: e.department_id.value ? Number(e.department_id.value) : null,
      keywords: e.keywords.value.split(/[,，、;；\n]/),
      source: e.source.value,
      material: e.material.value,
      ...dates,
    };
    try {
      const saved = await api.saveKbArticle(id, article);
      notice(i18n.t('kb.saved', { title: saved.versions[0].title, v: saved.latest_version }));
      await render();
      await openArticle(saved.id);
    } catch (err) {
      showError(error, err);
      markField(f, err);
    }
  });
  box.replaceChildren(el('h3', { text: i18n.t(id ? 'kb.edit' : 'kb.new') }), f);
  box.hidden = false;
  e.title.focus();
}
