// Onboarding of new agents (新员工入职培训) in the training view: one's own checklist with
// what is done, due and overdue; for trainers, everyone onboarding with their progress,
// ticking tasks, starting a person with a mentor, and the checklist itself.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time } from './format.js';
import { shared, showError, me } from './state.js';
import { can } from './session.js';

function itemTitle(i) {
  return i.key ? i18n.t(`onboarding.item.${i.key}`) : i.title;
}

/** What an item asks beyond its title: a session's topic or the exam to pass. */
function itemHint(i) {
  if (i.kind === 'session') return i18n.t('onboarding.hint.session', { topic: i18n.t(`training.topic.${i.topic}`) });
  if (i.kind === 'exam') return i.exam_title ? i18n.t('onboarding.hint.exam', { exam: i.exam_title }) : i18n.t('onboarding.hint.any_exam');
  return i18n.t('onboarding.hint.task');
}

function doneText(d) {
  if (d.by === 'ticked') return i18n.t('onboarding.done.ticked', { who: d.who, at: time(d.at) });
  if (d.by === 'attended') return i18n.t('onboarding.done.attended', { session: d.session, at: time(d.at) });
  return i18n.t('onboarding.done.passed', { exam: d.exam, at: time(d.at) });
}

/** A person's checklist; `tick` (trainers) offers to tick open tasks. */
function checklist(o, tick) {
  return el('ol', { class: 'checklist', 'data-testid': 'onboarding-items', 'data-user': String(o.user_id) }, ...o.items.map((p) => {
    const state = p.done ? 'done' : p.overdue ? 'overdue' : 'open';
    const button = tick && !p.done && p.kind === 'task'
      ? el('button', { type: 'button', class: 'link', 'data-testid': 'onboarding-tick', 'data-item': String(p.id), text: i18n.t('onboarding.tick') })
      : null;
    button?.addEventListener('click', () => tick(p));
    return el('li', { 'data-testid': 'onboarding-item', 'data-item': String(p.id), 'data-state': state },
      el('strong', { text: itemTitle(p) }), ` · ${itemHint(p)} · `,
      el('span', { class: state === 'overdue' ? 'badge warn' : 'muted', text: p.done ? doneText(p.done) : i18n.t(state === 'overdue' ? 'onboarding.overdue' : 'onboarding.due', { at: time(p.due) }) }),
      button ? ' ' : null, button);
  }));
}

function summary(o) {
  return i18n.t('onboarding.progress', { done: o.done, total: o.total, overdue: o.overdue });
}

/** The onboarding cards of the training view (none for someone neither onboarding nor training). */
export async function onboardingSection(error, redraw) {
  const parts = [];
  const mine = await api.onboarding(null).catch(() => null);
  if (mine) {
    parts.push(el('section', { class: 'card', 'data-testid': 'my-onboarding' },
      el('h3', { text: i18n.t('onboarding.mine') }),
      el('p', { 'data-testid': 'onboarding-summary', text: `${summary(mine)}${mine.mentor_name ? ` · ${i18n.t('onboarding.mentor')} ${mine.mentor_name}` : ''}` }),
      checklist(mine, null)));
  }
  if (!can('manage_training')) return el('div', {}, ...parts);

  const [all, items, exams] = await Promise.all([api.onboardings(), api.onboardingItems(), api.exams()]).catch((e) => {
    showError(error, e);
    return [[], [], []];
  });
  const detail = el('div', { 'data-testid': 'onboarding-detail' });
  const show = (o) => detail.replaceChildren(el('h4', { text: `${o.user_name} · ${summary(o)}` }), checklist(o, async (p) => {
    try {
      show(await api.tickOnboarding(o.user_id, p.id, null));
    } catch (e) {
      showError(error, e);
    }
  }));
  const people = el('table', { class: 'tickets', 'data-testid': 'onboardings' }, el('tbody', {}, ...all.map((o) => {
    const open = el('button', { type: 'button', class: 'link', 'data-testid': 'onboarding-open', text: o.user_name });
    open.addEventListener('click', () => show(o));
    return el('tr', { 'data-testid': 'onboarding-row', 'data-user': String(o.user_id), 'data-complete': String(o.complete) },
      el('td', {}, open), el('td', { text: time(o.started_at, { short: true }) }), el('td', { text: o.mentor_name ?? '—' }),
      el('td', { class: 'num', text: `${o.done}/${o.total}` }), el('td', { class: o.overdue ? 'num warn' : 'num', text: String(o.overdue) }));
  })));

  const staff = shared.ref.users.filter((u) => u.active);
  const who = el('select', { name: 'user', 'data-testid': 'onboarding-user' });
  options(who, staff.filter((u) => u.id !== me()?.id).map((u) => [String(u.id), u.name]));
  const mentor = el('select', { name: 'mentor', 'data-testid': 'onboarding-mentor' });
  options(mentor, staff.map((u) => [String(u.id), u.name]), { blank: i18n.t('onboarding.no_mentor') });
  const start = el('form', { class: 'inline-form', 'data-testid': 'onboarding-start', novalidate: true },
    el('label', {}, el('span', { text: i18n.t('onboarding.person') }), who),
    el('label', {}, el('span', { text: i18n.t('onboarding.mentor') }), mentor),
    el('button', { type: 'submit', 'data-testid': 'onboarding-start-submit', text: i18n.t('onboarding.start') }));
  start.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.startOnboarding(Number(who.value), mentor.value ? Number(mentor.value) : null);
      await redraw();
    } catch (e) {
      showError(error, e);
    }
  });
  parts.push(el('section', { class: 'card', 'data-testid': 'onboarding-people' },
    el('h3', { text: i18n.t('onboarding.people') }),
    all.length ? people : el('p', { class: 'muted', text: i18n.t('onboarding.nobody') }), detail, start));

  // The checklist itself: retire an item, add one.
  const kind = el('select', { name: 'kind', 'data-testid': 'onboarding-kind' });
  options(kind, shared.vocab.onboarding_kinds.map((k) => [k, i18n.t(`onboarding.kind.${k}`)]));
  const topic = el('select', { name: 'topic' });
  options(topic, shared.vocab.training_topics.map((t) => [t, i18n.t(`training.topic.${t}`)]), { blank: '—' });
  const exam = el('select', { name: 'exam' });
  options(exam, exams.map((x) => [String(x.id), x.title]), { blank: i18n.t('onboarding.any_exam') });
  const add = el('form', { class: 'inline-form', 'data-testid': 'onboarding-item-form', novalidate: true },
    el('label', { class: 'grow' }, el('span', { text: i18n.t('field.title') }), el('input', { name: 'title', autocomplete: 'off', 'data-testid': 'onboarding-item-title' })),
    el('label', {}, el('span', { text: i18n.t('onboarding.kind') }), kind),
    el('label', {}, el('span', { text: i18n.t('training.topic') }), topic),
    el('label', {}, el('span', { text: i18n.t('onboarding.exam') }), exam),
    el('label', {}, el('span', { text: i18n.t('onboarding.days') }), el('input', { name: 'days', type: 'number', min: 1, max: 365, value: '7' })),
    el('button', { type: 'submit', 'data-testid': 'onboarding-item-submit', text: i18n.t('common.save') }));
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = add.elements;
    try {
      await api.addOnboardingItem({ title: f.title.value, kind: f.kind.value, topic: f.topic.value || null, examId: f.exam.value ? Number(f.exam.value) : null, days: Number(f.days.value) });
      await redraw();
    } catch (e) {
      showError(error, e);
    }
  });
  const list = el('ul', { class: 'plain', 'data-testid': 'onboarding-checklist' }, ...items.map((i) => {
    const retire = el('button', { type: 'button', class: 'link', 'data-testid': 'onboarding-retire', text: i18n.t('onboarding.retire') });
    retire.addEventListener('click', async () => {
      try {
        await api.retireOnboardingItem(i.id);
        await redraw();
      } catch (e) {
        showError(error, e);
      }
    });
    return el('li', { 'data-testid': 'checklist-item' }, el('strong', { text: itemTitle(i) }), ` · ${itemHint(i)} · ${i18n.t('onboarding.within', { days: i.days })} `, retire);
  }));
  parts.push(el('section', { class: 'card', 'data-testid': 'onboarding-editor' }, el('h3', { text: i18n.t('onboarding.checklist') }), list, add));
  return el('div', {}, ...parts);
}
