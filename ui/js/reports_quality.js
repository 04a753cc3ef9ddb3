// The quality figures of the reporting window. Complaints: a Pareto of root causes (bars,
// and the cumulative share as a line), by category and department, and each rate; spot
// checks: coverage, the mean score, critical failures, disputes upheld — each with its
// formula, numerator and denominator.
import * as i18n from './i18n.js';
import { el } from './format.js';
import { $ } from './state.js';

let pareto = null;
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const hours = (h) => (h === null || h === undefined ? '—' : i18n.t('reports.hours', { n: h.toFixed(1) }));

function kpi(k, testid, prefix = 'complaint_kpi') {
  return el('p', { 'data-testid': testid, 'data-numerator': String(k.numerator), 'data-denominator': String(k.denominator) },
    el('strong', { text: `${i18n.t(`${prefix}.${k.key}.name`)}: ${pct(k.value)} ` }),
    el('small', { class: 'muted', text: `${i18n.t('reports.fraction', { numerator: k.numerator, denominator: k.denominator })} · ${i18n.t(`${prefix}.${k.key}.formula`)}` }));
}

export function qaFigures(f) {
  $('#qa-figures').replaceChildren(
    kpi(f.coverage, 'qa-coverage', 'qa_kpi'),
    kpi(f.average, 'qa-average', 'qa_kpi'),
    el('p', { 'data-testid': 'qa-critical', text: `${i18n.t('reports.qa_critical')}: ${f.critical}` }),
    kpi(f.disputes_upheld, 'qa-disputes', 'qa_kpi'));
}

/** A small table: a header row of keys, then rows of cells. */
function table(testid, heads, rows) {
  return el('table', { class: 'tickets', 'data-testid': testid },
    el('thead', {}, el('tr', {}, ...heads.map((k) => el('th', { scope: 'col', text: i18n.t(k) })))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c, i) => el('td', { class: i ? 'num' : '', text: String(c) }))))));
}

/** Dispatch accuracy and the agents' overrides of the catalogue; returns per department;
 * repeated requests and their share per department and category. */
export function dispatchFigures(f) {
  const category = (c) => (i18n.has(`category.${c}`) ? i18n.t(`category.${c}`) : c);
  const share = (r) => [r.repeats, r.received, pct(r.received ? r.repeats / r.received : null)];
  const heads = ['reports.repeats', 'reports.received', 'reports.share'];
  $('#dispatch-figures').replaceChildren(
    kpi(f.accuracy, 'dispatch-accuracy', 'dispatch_kpi'),
    kpi(f.overrides, 'dispatch-overrides', 'dispatch_kpi'),
    el('h4', { text: i18n.t('reports.returns_by_department') }),
    table('dispatch-returns', ['table.department', 'reports.returns_requested', 'reports.returns_approved', 'reports.returns_refused'],
      f.returns.map((r) => [r.department, r.requested, r.approved, r.refused])),
    kpi(f.repeat_share, 'repeat-share', 'dispatch_kpi'),
    table('repeats-by-department', ['table.department', ...heads], f.repeats_by_department.map((r) => [r.name, ...share(r)])),
    table('repeats-by-category', ['table.category', ...heads], f.repeats_by_category.map((r) => [category(r.name), ...share(r)])));
}

/** Knowledge coverage, and the articles that answered most with how many came back. */
export function knowledgeFigures(f) {
  $('#kb-figures').replaceChildren(
    kpi(f.coverage, 'kb-coverage', 'kb_kpi'),
    el('p', { 'data-testid': 'kb-published', text: i18n.t('kb.report_published', { n: f.published, used: f.used }) }),
    el('table', { class: 'tickets', 'data-testid': 'kb-by-article' },
      el('thead', {}, el('tr', {}, ...['kb.report_article', 'kb.uses', 'kb.report_share', 'kb.troubles'].map((k) => el('th', { text: i18n.t(k) })))),
      el('tbody', {}, ...f.by_article.map((a) => el('tr', { 'data-id': String(a.id) },
        el('td', { text: a.title }), el('td', { class: 'num', text: String(a.uses) }),
        el('td', { class: 'num', text: pct(f.coverage.denominator ? a.uses / f.coverage.denominator : null) }),
        el('td', { class: 'num', text: String(a.troubles) }))))));
}

function bars(rows, name, testid) {
  return el('table', { class: 'tickets', 'data-testid': testid },
    el('tbody', {}, ...rows.map((b) => el('tr', { 'data-key': b.key },
      el('td', { text: name(b.key) }), el('td', { class: 'num', text: String(b.count) }), el('td', { class: 'num muted', text: pct(b.cumulative) })))));
}

export function complaintFigures(f) {
  const category = (c) => (i18n.has(`category.${c}`) ? i18n.t(`category.${c}`) : c);
  $('#complaint-figures').replaceChildren(
    el('p', { 'data-testid': 'complaints-received' }, el('strong', { text: `${i18n.t('reports.complaints_received')}: ${f.received}` }),
      ` · ${i18n.t('reports.complaints_risky', { risky: f.risky, held: f.held })}`),
    el('figure', { class: 'chart-box' }, el('figcaption', { text: i18n.t('reports.complaint_pareto', { unanalysed: f.unanalysed }) }),
      el('canvas', { id: 'chart-complaint-causes', 'data-testid': 'chart-complaint-causes', 'data-causes': f.by_cause.map((b) => b.key).join(',') })),
    bars(f.by_cause, (k) => i18n.t(`cause.category.${k}`), 'complaint-causes'),
    el('div', { class: 'columns' },
      el('section', {}, el('h3', { text: i18n.t('reports.complaint_categories') }), bars(f.by_category, category, 'complaint-categories')),
      el('section', {}, el('h3', { text: i18n.t('reports.complaint_departments') }), bars(f.by_department, (d) => d || i18n.t('reports.hotline_itself'), 'complaint-departments'))),
    kpi(f.repeat, 'complaint-repeat'),
    kpi(f.ack_on_time, 'complaint-ack'),
    el('p', { 'data-testid': 'complaint-times' }, `${i18n.t('reports.ack_hours')}: ${hours(f.ack_hours)} · ${i18n.t('reports.close_hours')}: ${hours(f.close_hours)}`),
    kpi(f.measures_effective, 'complaint-measures'));
  pareto?.destroy();
  pareto = new window.Chart($('#chart-complaint-causes'), {
    data: {
      labels: f.by_cause.map((b) => i18n.t(`cause.category.${b.key}`)),
      datasets: [
        { type: 'bar', label: i18n.t('reports.count'), data: f.by_cause.map((b) => b.count), backgroundColor: '#1f6feb', yAxisID: 'y' },
        { type: 'line', label: i18n.t('reports.cumulative'), data: f.by_cause.map((b) => Math.round(b.cumulative * 1000) / 10), borderColor: '#cf222e', yAxisID: 'share' },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { y: { beginAtZero: true }, share: { position: 'right', min: 0, max: 100 } },
    },
  });
}
