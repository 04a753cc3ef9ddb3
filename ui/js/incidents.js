// Graded emergency response: the list of incidents and their declaration, one incident
// (its course, checklist, bulletins, calls and timeline), and what the intake screen
// shows of the incidents under way (their bulletins, one key to attach the call).
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, inputToIso } from './format.js';
import { $, shared, showError, notice, treeOptions, categoryName } from './state.js';
import * as session from './session.js';
import * as duty from './duty.js';
import * as roster from './roster.js';
import * as review from './incident_review.js';
import * as plans from './plans.js';
import { savePdf } from './pdf.js';

let active = [];
let current = null;
let hooks = { show: () => {}, openTicket: () => {}, view: () => '' };

const levelText = (l) => i18n.t(`incident.level.${l}`);
const levelBadge = (l, testid) => el('span', { class: `badge level l${l}`, 'data-testid': testid, 'data-level': String(l), text: levelText(l) });
const stepTitle = (s) => s.title || i18n.t(`incident.step.${s.key}`);
/** The wording callers are given now: the current bulletin unless it has expired. */
const wordingOf = (r) => {
  if (!r.bulletin) return i18n.t('incident.no_bulletin');
  if (r.bulletin.valid_until && Date.parse(r.bulletin.valid_until) < Date.now()) return i18n.t('incident.bulletin_expired');
  return r.bulletin.wording;
};

/** The actions each status offers and what each needs typed. */
const ACTIONS = [
  { type: 'respond', when: ['declared'], manage: true },
  { type: 'monitor', when: ['declared', 'responding'], manage: true },
  { type: 'resume', when: ['monitoring'], manage: true },
  { type: 'set_level', when: ['declared', 'responding', 'monitoring'], manage: true, fields: ['level', 'reason'] },
  { type: 'resolve', when: ['declared', 'responding', 'monitoring'], manage: true, fields: ['summary'] },
  { type: 'reopen', when: ['resolved'], manage: true, fields: ['reason'] },
  { type: 'comment', when: ['declared', 'responding', 'monitoring', 'resolved', 'reviewed'], manage: false, fields: ['note'] },
];

export function init({ show, openTicket, view }) {
  hooks = { show, openTicket, view };
  $('#open-incidents').addEventListener('click', openList);
  $('#incident-back').addEventListener('click', openList);
  $('#declare-form').addEventListener('submit', declare);
  $('#bulletin-form').addEventListener('submit', publish);
  duty.init();
  review.init({ reopen: (id) => openIncident(id) });
  // An existing file is replaced only on a second, deliberate click.
  let replace = false;
  $('#incident-export').addEventListener('click', async () => {
    try {
      const path = await api.exportIncident(current.id, replace);
      replace = false;
      showError($('#incident-error'), null);
      notice(i18n.t('incident.exported', { path }));
    } catch (e) {
      replace = e.code === 'file_exists';
      showError($('#incident-error'), e);
    }
  });
  // The incident's page in its print layout (A4): only the incident, without its forms.
  $('#incident-print').addEventListener('click', async () => {
    document.body.dataset.print = 'incident';
    try {
      await savePdf($('#incident-print'), (again) => api.saveIncidentPdf(current.id, again), $('#incident-print-result'));
    } catch (e) {
      showError($('#incident-error'), e);
    } finally {
      delete document.body.dataset.print;
    }
  });
  $('#bulletin-copy').addEventListener('click', async () => {
    const box = $('#bulletin-plain');
    try {
      box.value = await api.bulletinText(current.id, i18n.lang());
      box.hidden = false;
      box.select();
    } catch (e) {
      showError($('#incident-error'), e);
    }
  });
  $('#answer-linked').addEventListener('click', async () => {
    try {
      const r = await api.answerLinked(current.id);
      const failed = r.failed.length ? ` ${i18n.t('incident.answer_failed', { count: r.failed.length, numbers: r.failed.map((x) => x.number).join(', ') })}` : '';
      notice(i18n.t('incident.answered_linked', r) + failed);
      await openIncident(current.id);
    } catch (e) {
      showError($('#incident-error'), e);
    }
  });
  $('#ack-page').addEventListener('click', async () => {
    try {
      await api.acknowledgePage(current.id);
      notice(i18n.t('incident.acked', { number: current.number }));
      await openIncident(current.id);
    } catch (e) {
      showError($('#incident-error'), e);
    }
  });
  const intake = $('#intake-form');
  intake.addEventListener('input', matchCall);
  intake.addEventListener('change', matchCall);
  intake.addEventListener('reset', () => setTimeout(() => { renderBanner(); matchCall(); }));
  // One key attaches the call: Alt+1 … Alt+9 choose the incidents of the banner.
  document.addEventListener('keydown', (e) => {
    if (hooks.view() !== 'intake' || !e.altKey || e.ctrlKey || e.metaKey) return;
    const n = Number(e.key);
    if (n >= 1 && n <= active.length) {
      e.preventDefault();
      choose(active[n - 1].id);
    }
  });
}

/** Fills the declaration form's lists (after sign-in and on a language change). */
export function fill() {
  const f = $('#declare-form').elements;
  options(f.kind, shared.vocab.incident_kinds.map((k) => [k, i18n.t(`incident.kind.${k}`)]));
  options(f.level, [1, 2, 3, 4].map((l) => [l, levelText(l)]));
  options(f.category, treeOptions(shared.ref.categories.filter((c) => c.active), categoryName), { blank: '—' });
  $('#declare-hint').textContent = session.can('manage_incidents') ? '' : i18n.t('incident.propose_hint');
  renderActive();
  roster.render();
}

/** The incidents under way, for the badge, the intake banner and its choice. */
export async function refreshActive() {
  if (!session.can('view_incidents')) return;
  try {
    active = await api.incidents(true);
  } catch {
    return;
  }
  renderActive();
}

/** After any change: the incidents under way, and the screen showing one. */
export async function refresh() {
  await refreshActive();
  if (hooks.view() === 'incidents') await renderList();
  if (hooks.view() === 'incident' && current) await openIncident(current.id, { keepForm: true });
}

/** The incident the call being typed is attached to (none: null). */
export function chosen() {
  const v = $('#intake-form').elements.incident.value;
  return v ? Number(v) : null;
}

function choose(id) {
  const select = $('#intake-form').elements.incident;
  select.value = select.value === String(id) ? '' : String(id);
  select.dispatchEvent(new Event('change', { bubbles: true }));
  renderBanner();
}

function renderActive() {
  const badge = $('#incident-count');
  badge.textContent = String(active.length);
  badge.hidden = active.length === 0;
  const select = $('#intake-form').elements.incident;
  options(select, active.map((r) => [r.id, `${r.number} ${r.title}`]), { blank: i18n.t('incident.attach_none') });
  renderBanner();
  matchCall();
}

function renderBanner() {
  const banner = $('#incident-banner');
  banner.hidden = active.length === 0;
  const picked = chosen();
  banner.replaceChildren(el('ul', {}, ...active.map((r, i) => {
    const attach = el('button', { type: 'button', 'data-testid': 'banner-attach', 'aria-pressed': String(picked === r.id), text: i18n.t(picked === r.id ? 'incident.attached' : 'incident.attach') });
    attach.addEventListener('click', () => choose(r.id));
    attach.hidden = !session.can('report_incidents');
    return el('li', { 'data-testid': 'banner-item', 'data-number': r.number, class: picked === r.id ? 'chosen' : '' },
      levelBadge(r.level, 'banner-level'),
      el('span', { class: 'mono', text: r.number }),
      el('strong', { text: r.title }),
      el('span', { class: 'wording', 'data-testid': 'banner-wording', text: wordingOf(r) }),
      el('kbd', { text: `Alt+${i + 1}` }),
      attach);
  })));
}

/** At the top of the caller's card: the bulletin of an incident the call matches (its
 * category, or its area named in the address or the description). */
function matchCall() {
  const f = $('#intake-form').elements;
  const category = shared.ref.categories.find((c) => c.code === f.category.value);
  const text = `${f.address.value} ${f.description.value}`;
  const hit = active.find((r) => (r.category_id && r.category_id === category?.id) || (r.area && text.includes(r.area)));
  const box = $('#incident-match');
  box.hidden = !hit;
  if (!hit) { box.replaceChildren(); return; }
  box.dataset.number = hit.number;
  box.replaceChildren(
    el('p', {}, levelBadge(hit.level, 'match-level'), ' ', el('strong', { text: `${hit.number} ${hit.title}` })),
    el('p', { 'data-testid': 'match-wording', text: wordingOf(hit) }),
  );
}

/** Opens the incidents view with the declaration filled in (e.g. a major complaint's). */
export async function prepareDeclare({ title, kind, level }) {
  await openList();
  const f = $('#declare-form').elements;
  f.title.value = title;
  f.kind.value = kind;
  f.level.value = String(level);
  f.title.focus();
}

async function openList() {
  await renderList();
  hooks.show('incidents');
  await duty.refresh();
  await plans.refresh();
}

async function renderList() {
  let rows = [];
  try {
    rows = await api.incidents(false);
  } catch (e) {
    showError($('[data-testid="error"]'), e);
  }
  $('#incident-empty').hidden = rows.length > 0;
  await renderSuggestions();
  $('#incident-rows').replaceChildren(...rows.map((r) => {
    const open = el('button', { type: 'button', class: 'link mono', 'data-testid': 'incident-open', text: r.number });
    open.addEventListener('click', () => openIncident(r.id));
    return el('tr', { 'data-testid': 'incident-row', 'data-number': r.number, 'data-status': r.status },
      el('td', {}, open),
      el('td', {}, levelBadge(r.level, 'row-level'), r.proposed_level ? el('small', { class: 'muted', text: ` → ${levelText(r.proposed_level)}` }) : null),
      el('td', { text: i18n.t(`incident.kind.${r.kind}`) }),
      el('td', {}, r.title, r.drill ? el('span', { class: 'badge drill', text: i18n.t('incident.drill') }) : null),
      el('td', { text: i18n.t(`incident.status.${r.status}`) }),
      el('td', { 'data-testid': 'row-callers', text: String(r.callers) }),
      el('td', { text: r.bulletin ? i18n.t('incident.version', { version: r.bulletin.version }) : '—' }));
  }));
}

/** Suggestions of the detection: their evidence, and declaring or dismissing them. */
async function renderSuggestions() {
  let list = [];
  try {
    list = await api.incidentSuggestions(true);
  } catch {
    list = [];
  }
  $('#suggestions').hidden = list.length === 0;
  $('#suggestion-list').replaceChildren(...list.map((x) => {
    const ev = x.evidence;
    const what = x.kind === 'surge'
      ? i18n.t('incident.suggest_surge', { recent: ev.recent, baseline: Math.round(ev.baseline * 10) / 10, minutes: ev.window_minutes })
      : x.kind === 'cluster'
      ? i18n.t('incident.suggest_cluster', { n: ev.tickets.length, area: ev.area, numbers: (ev.numbers || []).join(', ') })
      : i18n.t('incident.suggest_drill', { months: ev.months });
    const declareIt = el('button', { type: 'button', 'data-testid': 'suggestion-declare', text: i18n.t('incident.declare_submit') });
    declareIt.addEventListener('click', async () => {
      const f = $('#declare-form').elements;
      try {
        const i = await api.declareSuggestion(x.id, {
          title: f.title.value || what,
          kind: x.kind === 'drill' ? 'hotline_failure' : f.kind.value,
          level: Number(f.level.value),
          area: ev.area || f.area.value,
          drill: x.kind === 'drill',
        });
        await refreshActive();
        await openIncident(i.id);
      } catch (err) {
        showError($('[data-testid="declare-error"]'), err);
      }
    });
    const dismiss = el('button', { type: 'button', 'data-testid': 'suggestion-dismiss', text: i18n.t('incident.dismiss') });
    dismiss.addEventListener('click', async () => {
      try {
        await api.dismissSuggestion(x.id);
        await renderSuggestions();
      } catch (err) {
        showError($('[data-testid="declare-error"]'), err);
      }
    });
    declareIt.hidden = !session.can('report_incidents');
    dismiss.hidden = !session.can('report_incidents');
    return el('li', { 'data-testid': 'suggestion', 'data-kind': x.kind }, `${time(x.at)} · ${what} `, declareIt, ' ', dismiss);
  }));
}

async function declare(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const f = form.elements;
  const err = $('[data-testid="declare-error"]');
  try {
    const i = await api.declareIncident({
      title: f.title.value,
      kind: f.kind.value,
      level: Number(f.level.value),
      area: f.area.value,
      services: f.services.value,
      categoryId: f.category.value ? Number(f.category.value) : null,
      note: f.note.value || null,
      drill: f.drill.checked,
    });
    showError(err, null);
    form.reset();
    notice(i18n.t('incident.declared', { number: i.number, level: levelText(i.level) }));
    await refreshActive();
    await openIncident(i.id);
  } catch (ex) {
    showError(err, ex);
  }
}

export async function openIncident(id, { keepForm = false } = {}) {
  try {
    current = await api.incident(id);
  } catch (e) {
    showError($('[data-testid="error"]'), e);
    return;
  }
  render(keepForm);
  hooks.show('incident');
}

function render(keepForm) {
  const d = current;
  $('#incident-number').textContent = d.number;
  const status = $('#incident-status');
  status.textContent = i18n.t(`incident.status.${d.status}`);
  status.dataset.status = d.status;
  const level = $('#incident-level');
  level.className = `badge level l${d.level}`;
  level.dataset.level = String(d.level);
  level.textContent = levelText(d.level);
  const user = (id) => shared.ref.users.find((u) => u.id === id)?.name ?? '—';
  const fields = [
    ['field.title', d.title],
    ['incident.kind_label', i18n.t(`incident.kind.${d.kind}`)],
    ['field.area', d.area || '—'],
    ['field.services', d.services || '—'],
    ['field.started_at', time(d.started_at)],
    ['incident.declared_by', `${user(d.declared_by)} · ${time(d.declared_at)}`],
    ['incident.owner', d.owner_id ? user(d.owner_id) : '—'],
    ['incident.plan', i18n.t('incident.plan_version', { version: d.plan.version, level: levelText(d.plan.level) })],
    ['incident.callers', String(d.callers)],
  ];
  if (d.proposed_level) fields.push(['incident.proposed', levelText(d.proposed_level)]);
  if (d.summary) fields.push(['field.summary', d.summary]);
  $('#incident-fields').replaceChildren(...fields.flatMap(([k, v]) => [el('dt', { text: i18n.t(k) }), el('dd', { 'data-testid': `incident-${k.split('.')[1]}`, text: v })]));
  const manage = session.can('manage_incidents');
  $('#incident-actions').replaceChildren(...ACTIONS.filter((a) => a.when.includes(d.status) && (manage || !a.manage)).map((a) => {
    const b = el('button', { type: 'button', 'data-testid': `incident-action-${a.type}`, text: i18n.t(`incident.action.${a.type}`) });
    b.addEventListener('click', () => (a.fields ? openForm(a) : act({ type: a.type, note: null })));
    return b;
  }));
  if (!keepForm) $('#incident-form').hidden = true;
  renderSteps(manage && d.status !== 'reviewed');
  renderBulletins();
  $('#bulletin-form').hidden = !session.can('publish_bulletins') || !['declared', 'responding', 'monitoring'].includes(d.status);
  $('#incident-linked').replaceChildren(...d.linked.map((t) => {
    const b = el('button', { type: 'button', class: 'link mono', 'data-testid': 'linked-open', text: t.number });
    b.addEventListener('click', () => hooks.openTicket(t.id));
    return el('li', { 'data-testid': 'linked-item', 'data-number': t.number }, b, ` ${t.caller_name || i18n.t('notify.caller_unnamed')} · ${t.phone} · ${i18n.t(`status.${t.status}`)}`);
  }));
  const me = shared.info?.user?.id;
  $('#page-ack').hidden = !d.pages.some((p) => p.user_id === me && p.fired_at && !p.acked_at);
  $('#incident-pages').replaceChildren(...d.pages.map((p) => el('li', { 'data-testid': 'page-item', 'data-user': String(p.user_id), 'data-acked': String(!!p.acked_at) },
    `${p.user_name} · ${i18n.t(`incident.tier.${p.tier}`)}`,
    p.drill ? ` · ${i18n.t('incident.drill')}` : '',
    ' · ', p.acked_at ? i18n.t('incident.acked_at', { time: time(p.acked_at) }) : p.fired_at ? i18n.t('incident.unacked') : i18n.t('incident.queued'))));
  $('#bulletin-plain').hidden = true;
  $('#bulletin-copy').hidden = d.bulletins.length === 0;
  $('#answer-linked').hidden = d.bulletins.length === 0 || d.linked.length === 0 || !session.can('report_incidents') || !session.can('act_on_tickets');
  review.render(d);
  $('#incident-timeline').replaceChildren(...d.events.map((e) => el('li', { 'data-testid': 'incident-event', 'data-action': e.action },
    el('strong', { text: i18n.t(`incident.action.${e.action}`) }),
    ` · ${e.actor_name} · ${time(e.at)}`,
    e.data?.to ? ` · ${levelText(e.data.from)} → ${levelText(e.data.to)}` : '',
    e.data?.number ? ` · ${e.data.number}` : '',
    e.note ? el('p', { text: e.note }) : null)));
}

function renderSteps(canDo) {
  const now = Date.now();
  $('#incident-steps').replaceChildren(...current.steps.map((s) => {
    const late = !s.done_at && Date.parse(s.due_at) < now;
    const li = el('li', { 'data-testid': 'incident-step', 'data-key': s.key, 'data-done': String(!!s.done_at), class: s.done_at ? 'done' : late ? 'late' : '' },
      stepTitle(s), ' ', el('small', { class: 'due', text: s.done_at ? i18n.t('incident.step_done_at', { time: time(s.done_at) }) : i18n.t('incident.step_due', { time: time(s.due_at) }) }));
    if (canDo && !s.done_at) {
      const b = el('button', { type: 'button', class: 'link', 'data-testid': 'step-done', text: i18n.t('incident.mark_done') });
      b.addEventListener('click', async () => {
        try {
          await api.completeIncidentStep(current.id, s.step, null);
          await openIncident(current.id);
        } catch (e) {
          showError($('#incident-error'), e);
        }
      });
      li.append(' ', b);
    }
    return li;
  }));
}

function renderBulletins() {
  const [now, ...before] = current.bulletins;
  const box = $('#incident-bulletins');
  if (!now) { box.replaceChildren(el('p', { class: 'muted', 'data-testid': 'bulletin-none', text: i18n.t('incident.no_bulletin') })); return; }
  const item = (b) => el('div', { class: 'bulletin', 'data-testid': 'bulletin-version', 'data-version': String(b.version) },
    el('p', { 'data-testid': 'bulletin-text', text: b.wording }),
    b.advice ? el('p', { class: 'small', text: `${i18n.t('field.advice')}: ${b.advice}` }) : null,
    b.measures ? el('p', { class: 'small', text: `${i18n.t('field.measures')}: ${b.measures}` }) : null,
    el('small', { class: 'muted', text: i18n.t('incident.bulletin_meta', { version: b.version, name: b.approver_name, time: time(b.published_at) }) }));
  box.replaceChildren(item(now), ...(before.length ? [el('details', {}, el('summary', { text: i18n.t('incident.bulletin_history', { n: before.length }) }), ...before.map(item))] : []));
}

function openForm(a) {
  const form = $('#incident-form');
  const control = (name) => {
    if (name === 'level') {
      const s = el('select', { name, 'data-testid': 'incident-input-level' });
      options(s, [1, 2, 3, 4].filter((l) => l !== current.level).map((l) => [l, levelText(l)]));
      if (current.proposed_level) s.value = String(current.proposed_level);
      return s;
    }
    return el('textarea', { name, rows: 2, 'data-testid': `incident-input-${name}` });
  };
  const submit = el('button', { type: 'submit', class: 'primary', 'data-testid': 'incident-submit', text: i18n.t(`incident.action.${a.type}`) });
  const cancel = el('button', { type: 'button', text: i18n.t('common.cancel') });
  cancel.addEventListener('click', () => { form.hidden = true; });
  form.replaceChildren(...a.fields.map((n) => el('label', { class: 'block' }, el('span', { text: i18n.t(`field.${n}`) }), control(n))), el('div', { class: 'form-actions' }, submit, cancel));
  form.onsubmit = (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n]?.value;
    const action = { type: a.type };
    if (a.type === 'set_level') Object.assign(action, { level: Number(v('level')), reason: v('reason') });
    if (a.type === 'resolve') action.summary = v('summary');
    if (a.type === 'reopen') action.reason = v('reason');
    if (a.type === 'comment') action.note = v('note');
    act(action);
  };
  form.hidden = false;
  form.querySelector('select, textarea').focus();
}

async function act(action) {
  try {
    await api.actIncident(current.id, current.version, action);
    showError($('#incident-error'), null);
    $('#incident-form').hidden = true;
    await refreshActive();
    await openIncident(current.id);
  } catch (e) {
    showError($('#incident-error'), e);
  }
}

async function publish(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const f = form.elements;
  const until = inputToIso(f.valid_until.value);
  if (until === undefined) {
    showError($('#incident-error'), { code: 'invalid_value', details: { field: 'valid_until', value: f.valid_until.value } });
    return;
  }
  try {
    const b = await api.publishBulletin(current.id, { wording: f.wording.value, advice: f.advice.value, measures: f.measures.value, validUntil: until ?? null });
    form.reset();
    showError($('#incident-error'), null);
    notice(i18n.t('incident.published', { version: b.version }));
    await refreshActive();
    await openIncident(current.id);
  } catch (ex) {
    showError($('#incident-error'), ex);
  }
}
