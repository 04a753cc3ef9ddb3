// The managers' reporting window: every KPI with its formula, numerator and denominator,
// compared with the previous month; charts; the monthly assessment.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, setZone, time, today, normalDate, wireDateFields } from './format.js';
import { $, shared, showError, treeOptions, loadVocabulary } from './state.js';
import { savePdf } from './pdf.js';
import { complaintFigures, qaFigures, knowledgeFigures, dispatchFigures } from './reports_quality.js';

const charts = {};
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

/** Colours of the satisfaction levels, by level (never by the order the data comes in). */
const LEVEL_COLOURS = { very_satisfied: '#1a7f37', satisfied: '#2ea043', basically_satisfied: '#d4a72c', unsatisfied: '#cf222e', very_unsatisfied: '#82071e' };

/** A change is good or bad news by the KPI's direction; against a period still running it
 * is neither (the comparison is not like for like yet). */
function changeClass(delta, k, running) {
  if (running !== null && running !== undefined) return 'neutral';
  if (delta === 0) return '';
  return (delta > 0) === k.higher_is_better ? 'up' : 'down';
}

/** The emergency response's figures: counts by level and kind, the times from declaration
 * to each milestone (calendar and business time, over the incidents that reached it), drills
 * held and follow-ups done on time — each with its formula. */
function incidentFigures(f) {
  const minutes = (m) => (m === null || m === undefined ? '—' : i18n.t('reports.minutes', { n: Math.round(m) }));
  const levels = Object.entries(f.by_level).map(([l, n]) => `${i18n.t(`incident.level.${l}`)} ${n}`).join(' · ') || '—';
  const kinds = Object.entries(f.by_kind).map(([k, n]) => `${i18n.t(`incident.kind.${k}`)} ${n}`).join(' · ') || '—';
  const k = f.follow_ups_on_time;
  $('#incident-figures').replaceChildren(
    el('p', { 'data-testid': 'incidents-declared' }, el('strong', { text: `${i18n.t('reports.incidents_declared')}: ${f.declared}` }), ` (${levels}; ${kinds})`),
    el('table', { class: 'tickets' },
      el('thead', {}, el('tr', {}, ...['reports.milestone', 'reports.incident_count', 'reports.calendar_time', 'reports.business_time'].map((h) => el('th', { text: i18n.t(h) })))),
      el('tbody', {}, ...f.times.map((t) => el('tr', { 'data-testid': `incident-time-${t.key}` },
        el('td', {}, i18n.t(`incident_kpi.${t.key}.name`), el('br'), el('small', { class: 'muted', text: i18n.t(`incident_kpi.${t.key}.formula`) })),
        el('td', { text: String(t.incidents) }), el('td', { text: minutes(t.calendar_minutes) }), el('td', { text: minutes(t.business_minutes) }))))),
    el('p', { 'data-testid': 'incidents-drills', text: `${i18n.t('reports.drills_held')}: ${f.drills_held}` }),
    el('p', { 'data-testid': 'incidents-follow-ups', 'data-numerator': String(k.numerator), 'data-denominator': String(k.denominator) },
      `${i18n.t('incident_kpi.follow_ups_on_time.name')}: ${pct(k.value)} `,
      el('small', { class: 'muted', text: `${i18n.t('reports.fraction', { numerator: k.numerator, denominator: k.denominator })} · ${i18n.t('incident_kpi.follow_ups_on_time.formula')}` })));
}

function kpiCard(k, prev, running) {
  const delta = k.value !== null && prev?.value !== null && prev?.value !== undefined ? (k.value - prev.value) * 100 : null;
  const card = el('article', { class: 'kpi card', 'data-testid': `kpi-${k.key}`, 'data-numerator': String(k.numerator), 'data-denominator': String(k.denominator) },
    el('h3', { text: i18n.t(`kpi.${k.key}.name`) }),
    el('p', { class: 'kpi-value', 'data-testid': `kpi-value-${k.key}`, text: pct(k.value) }),
    el('p', { class: 'kpi-frac', text: i18n.t('reports.fraction', { numerator: k.numerator, denominator: k.denominator }) }),
    el('p', { class: 'muted kpi-formula', text: i18n.t(`kpi.${k.key}.formula`) }),
    delta === null ? null : el('p', { class: changeClass(delta, k, running), 'data-testid': `kpi-change-${k.key}`, text: i18n.t('reports.delta', { delta: `${delta >= 0 ? '+' : ''}${delta.toFixed(1)}` }) }),
    delta === null || running === null || running === undefined ? null : el('p', { class: 'muted small', text: i18n.t('reports.running') }));
  {
    // The tickets (or calls) behind the figure, one click away.
    const b = el('button', { type: 'button', class: 'link', 'data-testid': `drill-${k.key}`, text: i18n.t('reports.drill') });
    b.addEventListener('click', () => { drill.key = k.key; drill.denominator = false; showDrill().catch((e) => showError($('[data-testid="error"]'), e)); });
    card.append(b);
  }
  return card;
}

function chart(id, type, labels, data, opts = {}, colours = '#1f6feb') {
  charts[id]?.destroy();
  charts[id] = new window.Chart($(`#${id}`), {
    type,
    data: {
      labels,
      datasets: [{
        label: '',
        data,
        borderColor: '#1f6feb',
        backgroundColor: colours,
      }],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: type === 'doughnut' } }, ...opts },
  });
}

function assessTable(table, rows, usual) {
  // The columns are the weighted KPIs (the settings may weigh others, e.g. the QA score).
  const seen = [...new Set(rows.flatMap((r) => r.kpis.map((k) => k.key)))];
  const weights = seen.length ? seen : usual;
  const head = el('tr', {}, ...['reports.rank', 'field.name', 'reports.score', 'reports.change'].map((k) => el('th', { scope: 'col', text: i18n.t(k) })),
    ...weights.map((w) => el('th', { scope: 'col', text: i18n.t(`kpi.${w}.name`) })));
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows.map((r) => el('tr', { 'data-testid': 'assess-row', 'data-id': String(r.id) },
    el('td', { text: r.rank ?? '—' }),
    el('td', { text: r.name }),
    el('td', { 'data-testid': 'assess-score', text: r.score ?? '—' }),
    el('td', { class: r.change > 0 ? 'up' : r.change < 0 ? 'down' : '', text: r.change === null ? '—' : `${r.change > 0 ? '+' : ''}${r.change}` }),
    ...weights.map((w) => {
      const k = r.kpis.find((x) => x.key === w);
      const title = k ? i18n.t('reports.fraction', { numerator: k.numerator, denominator: k.denominator }) : '';
      if (!k?.less) return el('td', { title, text: k ? pct(k.value) : '—' });
      // A department's figure less its exclusions and upheld appeals: say how much of each.
      return el('td', { class: 'adjusted', 'data-testid': 'assess-adjusted', title: `${title} · ${lessText(k.less)}` }, pct(k.value), el('sup', { text: '*' }));
    })))));
  const notes = rows.flatMap((r) => r.kpis.filter((k) => k.less).map((k) => el('li', { 'data-testid': 'assess-less', 'data-id': String(r.id), 'data-kpi': k.key },
    `${r.name} · ${i18n.t(`kpi.${k.key}.name`)}: ${i18n.t('reports.fraction', { numerator: k.numerator, denominator: k.denominator })} · ${lessText(k.less)} — `,
    k.less.entries.map((e) => `${e.number} (${e.why === 'excluded' ? i18n.t(`exclusion.reason.${e.reason}`) : i18n.t('reports.appeal_no', { id: e.reason })})`).join(', '))));
  if (table.nextElementSibling?.hasAttribute('data-less')) table.nextElementSibling.remove();
  if (notes.length) table.after(el('ul', { class: 'muted small', 'data-less': '', 'data-testid': 'assess-less-list' }, ...notes));
}

/** "less 1/2 excluded, 0/1 appealed": what left a figure's numerator and denominator. */
function lessText(l) {
  return i18n.t('reports.less', { en: l.excluded[0], ed: l.excluded[1], an: l.appealed[0], ad: l.appealed[1] });
}

function heat(report) {
  const max = Math.max(1, ...report.heat.flat());
  const rows = report.heat.map((hours, d) => el('tr', {}, el('th', { scope: 'row', text: i18n.t(`weekday.${d}`) }), ...hours.map((n) => {
    const td = el('td', { title: String(n), text: n ? String(n) : '' });
    td.style.backgroundColor = `rgba(31, 111, 235, ${(n / max).toFixed(2)})`;
    if (n / max > 0.6) td.style.color = '#fff';
    return td;
  })));
  $('#heat').replaceChildren(el('thead', {}, el('tr', {}, el('th'), ...Array.from({ length: 24 }, (_, h) => el('th', { scope: 'col', text: String(h) })))), el('tbody', {}, ...rows));
}

let lastQuery = null;
const drill = { key: null, denominator: false };

/** The period and filters as the backend's ReportRequest. */
function request() {
  const p = $('#period').elements;
  const f = $('#report-filters').elements;
  const num = (v) => (v ? Number(v) : null);
  return {
    kind: p.kind.value,
    anchor: normalDate(p.anchor.value) ?? p.anchor.value,
    until: p.kind.value === 'custom' ? (normalDate(p.until.value) ?? (p.until.value || null)) : null,
    filters: {
      from: new Date().toISOString(),
      to: new Date().toISOString(),
      department_id: num(f.department_id.value),
      agent_id: num(f.agent_id.value),
      category_id: num(f.category_id.value),
      channel: f.channel.value || null,
      severity: f.severity.value || null,
    },
  };
}

let drillSeq = 0;

async function showDrill() {
  const calls = shared.vocab.call_kpis.includes(drill.key);
  const seq = ++drillSeq;
  const rows = await (calls ? api.kpiCalls : api.kpiTickets)(lastQuery, drill.key, drill.denominator);
  // A later click wins: an answer that arrives after it is dropped.
  if (seq !== drillSeq) return;
  $('#drill-title').textContent = i18n.t(drill.denominator ? 'reports.drill_denominator' : 'reports.drill_numerator', { kpi: i18n.t(`kpi.${drill.key}.name`), n: rows.length });
  $('#drill').dataset.kind = calls ? 'calls' : 'tickets';
  $('#drill-switch').textContent = i18n.t(drill.denominator ? 'reports.show_numerator' : 'reports.show_denominator');
  if (calls) {
    $('#drill-rows').replaceChildren(...rows.map((r) => el('tr', { 'data-testid': 'drill-row' },
      el('td', { class: 'mono', text: r.caller }),
      el('td', { text: time(r.started_at) }),
      el('td', { text: r.ring_seconds === null ? i18n.t('reports.unanswered') : i18n.t('reports.rang', { s: r.ring_seconds }) }),
      el('td', { text: r.agent ?? '—' }),
      el('td', { class: 'mono', text: r.ticket ?? '—' }))));
    $('#drill').hidden = false;
    return;
  }
  $('#drill-rows').replaceChildren(...rows.map((r) => el('tr', { 'data-testid': 'drill-row', 'data-number': r.number },
    el('td', { class: 'mono', text: r.number }),
    el('td', { text: i18n.t(`status.${r.status}`) }),
    el('td', { text: r.caller_name }),
    el('td', { text: r.department_name ?? '—' }),
    el('td', { class: 'summary', text: r.summary }))));
  $('#drill').hidden = false;
}

async function run() {
  // A month of a big centre takes most of a second: say it is being counted.
  const busy = $('#report-busy');
  busy.hidden = false;
  document.body.setAttribute('aria-busy', 'true');
  try {
    const doc = await api.periodReport(request());
    lastQuery = doc.query;
    const r = doc.report;
    document.body.dataset.running = doc.running === null ? '' : String(doc.running);
    $('#report-period').textContent = i18n.t(doc.running === null ? 'reports.compared' : 'reports.compared_running', { month: doc.period, previous: doc.previous_period, pct: Math.round((doc.running ?? 0) * 100) });
    $('#kpis').replaceChildren(...r.kpis.map((k) => kpiCard(k, doc.previous.find((p) => p.key === k.key), doc.running)),
      el('article', { class: 'kpi card', 'data-testid': 'kpi-handling-hours' },
        el('h3', { text: i18n.t('kpi.handling_hours.name') }),
        el('p', { class: 'kpi-value', text: r.handling_hours_avg === null ? '—' : String(r.handling_hours_avg) }),
        el('p', { class: 'kpi-frac', text: i18n.t('reports.p90', { p90: r.handling_hours_p90 ?? '—' }) }),
        el('p', { class: 'muted kpi-formula', text: i18n.t('kpi.handling_hours.formula') })),
      el('article', { class: 'kpi card', 'data-testid': 'kpi-overdue' },
        el('h3', { text: i18n.t('kpi.overdue.name') }), el('p', { class: 'kpi-value', text: String(r.overdue_open) }),
        el('p', { class: 'muted kpi-formula', text: i18n.t('kpi.overdue.formula') })));
    chart('chart-volume', 'line', r.volume_by_day.map(([d]) => d.slice(5)), r.volume_by_day.map(([, n]) => n));
    chart('chart-categories', 'bar', r.by_category.map(([c]) => (i18n.has(`category.${c}`) ? i18n.t(`category.${c}`) : c)), r.by_category.map(([, n]) => n));
    chart('chart-satisfaction', 'doughnut', r.satisfaction.map(([s]) => i18n.t(`satisfaction.${s}`)), r.satisfaction.map(([, n]) => n), {}, r.satisfaction.map(([s]) => LEVEL_COLOURS[s] ?? '#6e7781'));
    $('#chart-satisfaction').dataset.levels = r.satisfaction.map(([s]) => s).join(',');
    chart('chart-departments', 'bar', r.department_on_time.map(([d]) => d), r.department_on_time.map(([, k]) => Math.round((k.value ?? 0) * 1000) / 10), { indexAxis: 'y' });
    heat(r);
    incidentFigures(doc.incidents);
    complaintFigures(doc.complaints);
    qaFigures(doc.qa);
    knowledgeFigures(doc.knowledge);
    dispatchFigures(doc.dispatch);
    assessTable($('#assess-departments'), doc.assessment.departments, ['on_time_acceptance', 'on_time_handling', 'satisfaction', 'no_redispatch']);
    assessTable($('#assess-agents'), doc.assessment.agents, ['direct_answer', 'satisfaction', 'callback']);
    showError($('[data-testid="error"]'), null);
    document.body.dataset.period = doc.period;
    $('#drill').hidden = true;
  } catch (e) {
    showError($('[data-testid="error"]'), e);
  } finally {
    busy.hidden = true;
    document.body.removeAttribute('aria-busy');
  }
}

async function start() {
  const lang = i18n.detect(localStorage.getItem('lang'), navigator.languages || [navigator.language]);
  await i18n.load(lang);
  i18n.apply();
  // The backend refuses reports to roles without the permission; say so plainly.
  const seat = await api.authState();
  if (!seat.user || seat.locked || !seat.permissions.includes('view_reports')) {
    document.body.dataset.denied = 'true';
    $('[data-testid="reports-denied"]').hidden = false;
    return;
  }
  for (const b of document.querySelectorAll('[data-perm]')) b.classList.toggle('no-perm', !seat.permissions.includes(b.dataset.perm));
  const [info] = await Promise.all([api.appInfo(), loadVocabulary()]);
  setZone(info.timezone);
  const ref = await api.reference();
  const any = i18n.t('filter.any');
  const ff = $('#report-filters').elements;
  options(ff.department_id, treeOptions(ref.departments.filter((d) => d.code !== 'hotline')), { blank: any });
  options(ff.agent_id, ref.users.filter((u) => u.role === 'agent').map((u) => [u.id, u.name]), { blank: any });
  options(ff.category_id, treeOptions(ref.categories, (c) => (i18n.has(`category.${c.code}`) ? i18n.t(`category.${c.code}`) : c.name)), { blank: any });
  options(ff.channel, shared.vocab.channels.map((c) => [c, i18n.t(`channel.${c}`)]), { blank: any });
  options(ff.severity, shared.vocab.severities.map((c) => [c, i18n.t(`severity.${c}`)]), { blank: any });
  const p = $('#period').elements;
  wireDateFields();
  // The centre's today, not the computer's (a UTC workstation is 8 hours behind Beijing).
  p.anchor.value = today();
  const untilShown = () => { $('[data-testid="report-until-label"]').hidden = p.kind.value !== 'custom'; };
  p.kind.addEventListener('change', untilShown);
  untilShown();
  $('#period').addEventListener('submit', (e) => { e.preventDefault(); run(); });
  $('#report-filters').addEventListener('change', () => run());
  $('#print-report').addEventListener('click', () => savePdf($('#print-report'), (replace) => api.saveReportPdf(request(), replace), $('#export-result'))
    .then(() => showError($('[data-testid="error"]'), null))
    .catch((e) => showError($('[data-testid="error"]'), e)));
  $('#drill-close').addEventListener('click', () => { $('#drill').hidden = true; });
  $('#drill-switch').addEventListener('click', () => { drill.denominator = !drill.denominator; showDrill().catch((e) => showError($('[data-testid="error"]'), e)); });
  for (const format of ['xlsx', 'csv']) {
    const button = $(`#export-${format}`);
    button.addEventListener('click', async () => {
      // A file of the same name is replaced only when the second click confirms it.
      const replace = button.dataset.replace === 'true';
      delete button.dataset.replace;
      try {
        const path = await api.exportReport(request(), format, replace);
        const note = $('#export-result');
        note.textContent = i18n.t('reports.exported', { path });
        note.dataset.path = path;
        note.hidden = false;
        showError($('[data-testid="error"]'), null);
      } catch (e) {
        if (e.code === 'file_exists') button.dataset.replace = 'true';
        showError($('[data-testid="error"]'), e);
      }
    });
  }
  await run();
  document.body.dataset.ready = 'true';
}

start();
