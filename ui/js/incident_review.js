// The review of a resolved incident (复盘): the form that closes it, then the review with
// its follow-up actions (their owner marks them done) and the timeline it was made from.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, inputToIso } from './format.js';
import { $, shared, showError } from './state.js';
import * as session from './session.js';

let current = null;
let reload = async () => {};

export function init({ reopen }) {
  reload = reopen;
  $('#review-form').addEventListener('submit', submit);
}

/** Shows the review card for incident `d`: the form while resolved, the review after. */
export async function render(d) {
  current = d;
  const card = $('#review-card');
  card.hidden = !['resolved', 'reviewed'].includes(d.status);
  if (card.hidden) return;
  const form = $('#review-form');
  form.hidden = d.status !== 'resolved' || !session.can('report_incidents');
  options(form.elements.fu_owner, shared.ref.users.filter((u) => u.active).map((u) => [u.id, u.name]), { blank: '—' });
  const view = $('#review-view');
  if (d.status !== 'reviewed') { view.replaceChildren(); return; }
  const r = await api.incidentReview(d.id);
  if (!r) return;
  const me = shared.info?.user?.id;
  const parts = [
    el('p', {}, el('strong', { text: `${i18n.t('field.went_well')}: ` }), r.went_well),
    el('p', {}, el('strong', { text: `${i18n.t('field.went_badly')}: ` }), r.went_badly),
    r.plan_changes ? el('p', {}, el('strong', { text: `${i18n.t('field.plan_changes')}: ` }), r.plan_changes) : null,
    el('ol', { 'data-testid': 'follow-ups' }, ...r.follow_ups.map((f) => {
      const li = el('li', { 'data-testid': 'follow-up', 'data-done': String(!!f.done_at) },
        `${f.title} · ${f.owner_name} · ${i18n.t('incident.step_due', { time: time(f.due_at) })}`,
        f.done_at ? ` · ${i18n.t('incident.step_done_at', { time: time(f.done_at) })}` : '');
      if (!f.done_at && (f.owner_id === me || session.can('manage_incidents'))) {
        const b = el('button', { type: 'button', class: 'link', 'data-testid': 'follow-up-done', text: i18n.t('incident.mark_done') });
        b.addEventListener('click', async () => {
          try {
            await api.completeFollowUp(f.id, null);
            await reload(d.id);
          } catch (e) {
            showError($('#incident-error'), e);
          }
        });
        li.append(' ', b);
      }
      return li;
    })),
    el('small', { class: 'muted', text: i18n.t('incident.review_timeline', { n: r.timeline.length }) })];
  view.replaceChildren(...parts.filter(Boolean));
}

async function submit(e) {
  e.preventDefault();
  const f = e.currentTarget.elements;
  const due = inputToIso(f.fu_due.value);
  if (due === undefined) {
    showError($('#incident-error'), { code: 'invalid_value', details: { field: 'due_at', value: f.fu_due.value } });
    return;
  }
  const followUps = f.fu_title.value.trim()
    ? [{ title: f.fu_title.value, ownerId: Number(f.fu_owner.value), dueAt: due ?? null }]
    : [];
  try {
    await api.reviewIncident(current.id, current.version, {
      wentWell: f.went_well.value,
      wentBadly: f.went_badly.value,
      planChanges: f.plan_changes.value,
      followUps,
    });
    e.currentTarget.reset();
    showError($('#incident-error'), null);
    await reload(current.id);
  } catch (ex) {
    showError($('#incident-error'), ex);
  }
}
