// Following a complaint through on its ticket: the root cause (5-why or 8D), the
// improvement measures with their effectiveness (computed by the backend from later
// complaints), and the accountability findings — shown only to HR, management and the
// person concerned, as the backend decides.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, inputToIso, normalDate } from './format.js';
import { shared, showError, markField, me } from './state.js';
import { can } from './session.js';

/** The sections below the case: cause, measures, findings. `reload` redraws the panel. */
export async function sections(ticketId, reload) {
  const [cause, measures, findings] = await Promise.all([
    api.complaintCause(ticketId),
    api.measures(ticketId),
    can('view_findings') ? api.findings(ticketId) : api.findings(null, true).then((all) => all.filter((f) => f.ticket_id === ticketId)),
  ]);
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'follow-error', hidden: true });
  const submit = (form, call) => form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await call(form.elements);
      showError(error, null);
      await reload();
    } catch (e) {
      showError(error, e);
      markField(form, e);
    }
  });
  return [
    causeSection(ticketId, cause, submit),
    measureSection(ticketId, measures, submit),
    findingSection(ticketId, findings, submit),
    error,
  ].filter(Boolean);
}

function causeSection(ticketId, cause, submit) {
  const parts = [el('h4', { text: i18n.t('cause.title') })];
  if (cause) {
    parts.push(el('p', { 'data-testid': 'cause-summary' },
      el('span', { class: 'badge', text: i18n.t(`cause.category.${cause.category}`) }), ' ', cause.summary));
    parts.push(el('ol', { class: 'muted' }, ...cause.steps.map((s, n) => el('li', { text: cause.method === 'eight_d' ? `D${n + 1} ${s}` : s }))));
  }
  if (can('analyse_complaints')) {
    const category = el('select', { name: 'category', 'data-testid': 'cause-category' });
    options(category, shared.vocab.cause_categories.map((c) => [c, i18n.t(`cause.category.${c}`)]), { blank: i18n.t('common.choose') });
    const method = el('select', { name: 'method', 'data-testid': 'cause-method' });
    options(method, shared.vocab.analysis_methods.map((m) => [m, i18n.t(`cause.method.${m}`)]));
    if (cause) { category.value = cause.category; method.value = cause.method; }
    const f = el('form', { 'data-testid': 'cause-form', novalidate: true },
      el('label', {}, el('span', { text: i18n.t('cause.category') }), category),
      el('label', {}, el('span', { text: i18n.t('cause.method') }), method),
      el('label', { class: 'block' }, el('span', { text: i18n.t('cause.steps') }),
        el('textarea', { name: 'steps', rows: 4, 'data-testid': 'cause-steps', placeholder: i18n.t('cause.steps_hint') })),
      el('label', { class: 'block' }, el('span', { text: i18n.t('cause.summary') }), el('input', { name: 'summary', 'data-testid': 'cause-text', autocomplete: 'off' })),
      el('button', { type: 'submit', 'data-testid': 'cause-submit', text: i18n.t('common.save') }));
    if (cause) { f.elements.steps.value = cause.steps.join('\n'); f.elements.summary.value = cause.summary; }
    submit(f, (e) => {
      if (!e.category.value) throw { code: 'required', details: { field: 'category' } };
      // Eight lines for 8D (D1…D8, blanks kept); one why per line otherwise.
      const lines = e.steps.value.split('\n').map((s) => s.trim());
      const steps = e.method.value === 'eight_d' ? [...lines, ...Array(8).fill('')].slice(0, 8) : lines.filter(Boolean);
      return api.setCause(ticketId, { category: e.category.value, method: e.method.value, steps, summary: e.summary.value });
    });
    parts.push(f);
  }
  return cause || can('analyse_complaints') ? el('section', { 'data-testid': 'cause-section' }, ...parts) : null;
}

function effectivenessText(e) {
  if (e.state === 'watching' || e.state === 'effective') return i18n.t(`measure.${e.state}`, { time: time(e.until) });
  if (e.state === 'recurred') return i18n.t('measure.recurred', { numbers: e.tickets.join(', ') });
  return i18n.t('measure.open');
}

function measureSection(ticketId, measures, submit) {
  const parts = [el('h4', { text: i18n.t('measure.title') })];
  const mine = me()?.id;
  parts.push(el('ul', { class: 'plain', 'data-testid': 'measure-list' }, ...measures.map((m) => {
    const li = el('li', { 'data-testid': 'measure-item', 'data-state': m.effectiveness.state },
      el('strong', { text: m.title }), ' ',
      el('span', { class: 'muted', text: `${m.owner_name} · ${time(m.due_at)}` }), ' ',
      el('span', { class: `badge eff-${m.effectiveness.state}`, 'data-testid': 'measure-effect', text: effectivenessText(m.effectiveness) }));
    if (!m.done_at && (m.owner_id === mine || can('analyse_complaints'))) {
      const done = el('form', { class: 'inline-form', novalidate: true },
        el('button', { type: 'submit', 'data-testid': 'measure-done', text: i18n.t('measure.done') }));
      submit(done, () => api.completeMeasure(m.id));
      li.append(done);
    }
    return li;
  })));
  if (can('analyse_complaints')) {
    const owner = el('select', { name: 'owner', 'data-testid': 'measure-owner' });
    options(owner, shared.ref.users.filter((u) => u.active).map((u) => [u.id, u.name]), { blank: i18n.t('common.choose') });
    const f = el('form', { class: 'inline-form', 'data-testid': 'measure-form', novalidate: true },
      el('label', { class: 'grow' }, el('span', { text: i18n.t('field.title') }), el('input', { name: 'title', 'data-testid': 'measure-title', autocomplete: 'off' })),
      el('label', {}, el('span', { text: i18n.t('measure.owner') }), owner),
      el('label', {}, el('span', { text: i18n.t('field.due_at') }), el('input', { name: 'due', type: 'text', inputmode: 'numeric', 'data-kind': 'datetime', placeholder: i18n.t('format.datetime'), 'data-testid': 'measure-due', autocomplete: 'off' })),
      el('label', {}, el('span', { text: i18n.t('measure.watch') }), el('input', { name: 'watch', type: 'number', min: 1, max: 24, value: '3', 'data-testid': 'measure-watch' })),
      el('button', { type: 'submit', 'data-testid': 'measure-submit', text: i18n.t('measure.add') }));
    submit(f, (e) => {
      const due = inputToIso(e.due.value);
      if (!due) throw { code: e.due.value ? 'invalid_value' : 'required', details: { field: 'due_at', value: e.due.value } };
      if (!e.owner.value) throw { code: 'required', details: { field: 'owner' } };
      return api.addMeasure(ticketId, { title: e.title.value, ownerId: Number(e.owner.value), dueAt: due, watchMonths: Number(e.watch.value) });
    });
    parts.push(f);
  }
  return measures.length || can('analyse_complaints') ? el('section', { 'data-testid': 'measure-section' }, ...parts) : null;
}

function findingSection(ticketId, findings, submit) {
  const mine = me()?.id;
  if (!findings.length && !can('propose_findings')) return null;
  const parts = [el('h4', { text: i18n.t('finding.title') })];
  for (const f of findings) {
    const li = el('article', { class: 'card', 'data-testid': 'finding-item' },
      el('p', {}, el('strong', { text: f.staff_name }), ' · ', i18n.t(`proposal.${f.proposal}`), ' ',
        el('span', { class: 'muted', text: `${f.proposed_by} ${time(f.proposed_at)}` })),
      el('p', { class: 'pre', text: f.finding }),
      f.proposal_note ? el('p', { class: 'muted pre', text: f.proposal_note }) : null,
      f.decision ? el('p', { 'data-testid': 'finding-decision', text: i18n.t('finding.decided', { decision: f.decision, date: f.effective_on, by: f.decided_by ?? '—' }) }) : null,
      f.response ? el('p', { 'data-testid': 'finding-response', class: 'pre', text: i18n.t('finding.response', { text: f.response }) }) : null);
    if (!f.decided_at && can('decide_findings')) {
      const d = el('form', { class: 'inline-form', 'data-testid': 'finding-decide-form', novalidate: true },
        el('label', { class: 'grow' }, el('span', { text: i18n.t('finding.decision') }), el('input', { name: 'decision', autocomplete: 'off', 'data-testid': 'finding-decision-input' })),
        el('label', {}, el('span', { text: i18n.t('finding.effective_on') }), el('input', { name: 'on', 'data-kind': 'date', placeholder: i18n.t('format.date'), autocomplete: 'off', 'data-testid': 'finding-effective' })),
        el('button', { type: 'submit', 'data-testid': 'finding-decide', text: i18n.t('finding.decide') }));
      submit(d, (e) => {
        const on = normalDate(e.on.value);
        if (!on) throw { code: e.on.value ? 'invalid_value' : 'required', details: { field: 'effective_on', value: e.on.value } };
        return api.decideFinding(f.id, { decision: e.decision.value, effectiveOn: on });
      });
      li.append(d);
    }
    if (!f.responded_at && f.staff_id === mine) {
      const r = el('form', { class: 'inline-form', 'data-testid': 'finding-respond-form', novalidate: true },
        el('label', { class: 'grow' }, el('span', { text: i18n.t('finding.your_response') }), el('input', { name: 'response', autocomplete: 'off', 'data-testid': 'finding-response-input' })),
        el('button', { type: 'submit', 'data-testid': 'finding-respond', text: i18n.t('finding.respond') }));
      submit(r, (e) => api.respondFinding(f.id, e.response.value));
      li.append(r);
    }
    parts.push(li);
  }
  if (can('propose_findings')) {
    const staff = el('select', { name: 'staff', 'data-testid': 'finding-staff' });
    options(staff, shared.ref.users.filter((u) => u.active).map((u) => [u.id, u.name]), { blank: i18n.t('common.choose') });
    const proposal = el('select', { name: 'proposal', 'data-testid': 'finding-proposal' });
    options(proposal, shared.vocab.proposals.map((p) => [p, i18n.t(`proposal.${p}`)]));
    const f = el('form', { 'data-testid': 'finding-form', novalidate: true },
      el('label', {}, el('span', { text: i18n.t('finding.staff') }), staff),
      el('label', {}, el('span', { text: i18n.t('finding.proposal') }), proposal),
      el('label', { class: 'block' }, el('span', { text: i18n.t('finding.finding') }), el('textarea', { name: 'finding', rows: 2, 'data-testid': 'finding-text' })),
      el('label', { class: 'block' }, el('span', { text: i18n.t('field.note') }), el('input', { name: 'note', autocomplete: 'off', 'data-testid': 'finding-note' })),
      el('button', { type: 'submit', 'data-testid': 'finding-submit', text: i18n.t('finding.add') }));
    submit(f, (e) => {
      if (!e.staff.value) throw { code: 'required', details: { field: 'staff' } };
      return api.addFinding(ticketId, { staffId: Number(e.staff.value), finding: e.finding.value, proposal: e.proposal.value, proposalNote: e.note.value.trim() || null });
    });
    parts.push(f);
  }
  return el('section', { 'data-testid': 'finding-section' }, ...parts);
}
