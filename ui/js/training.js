// Training on the desk: this year's sessions (mine marked), exams taken here with their
// time limit and scored by the backend, my results; for trainers, the question bank and
// setting an exam. The backend decides who may do what.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, inputToIso } from './format.js';
import { $, shared, showError, markField, notice, me } from './state.js';
import { can } from './session.js';
import { filesBox } from './attachments.js';
import { onboardingSection } from './onboarding.js';

let hooks = null;
let ticking = null;

export function init(h) {
  hooks = h;
  $('#open-training').addEventListener('click', () => open());
}

export async function open() {
  hooks.show('training');
  await render();
}

function yearBounds() {
  const y = new Date().getFullYear();
  return [new Date(Date.UTC(y, 0, 1)).toISOString(), new Date(Date.UTC(y + 1, 0, 1)).toISOString()];
}

async function render() {
  clearInterval(ticking);
  const view = $('#view-training');
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'training-error', hidden: true });
  let sessions = [];
  let exams = [];
  let results = [];
  try {
    [sessions, exams, results] = await Promise.all([api.trainingSessions(...yearBounds()), api.exams(), api.examAttempts()]);
  } catch (e) {
    showError(error, e);
  }
  const mine = me()?.id;
  view.replaceChildren(
    el('h2', { text: i18n.t('training.title') }), error,
    el('section', { class: 'card' }, el('h3', { text: i18n.t('training.sessions') }),
      sessions.length ? el('ul', { class: 'plain', 'data-testid': 'training-sessions' }, ...sessions.map((s) => {
        const me_ = s.attendees.find((a) => a.user_id === mine);
        return el('li', { 'data-testid': 'training-session', class: me_ ? 'mine' : '' },
          el('strong', { text: s.title }), ` · ${time(s.starts_at)} · ${i18n.t(`training.topic.${s.topic}`)} · ${i18n.t(`training.method.${s.method}`)} · ${i18n.t('training.hours', { n: s.hours })}`,
          me_ ? el('span', { class: 'badge', text: i18n.t(me_.attended === null ? 'training.expected' : me_.attended ? 'training.attended' : 'training.absent') }) : null,
          materials(s));
      })) : el('p', { class: 'muted', text: i18n.t('training.no_sessions') })),
    el('section', { class: 'card' }, el('h3', { text: i18n.t('training.exams') }),
      el('ul', { class: 'plain', 'data-testid': 'exam-list' }, ...exams.map((x) => {
        const start = el('button', { type: 'button', 'data-testid': 'exam-start', 'data-id': String(x.id), text: i18n.t('training.start') });
        start.addEventListener('click', async () => {
          try {
            take(await api.startAttempt(x.id), x);
          } catch (e) {
            showError(error, e);
          }
        });
        return el('li', { 'data-testid': 'exam-item' }, el('strong', { text: x.title }),
          ` · ${i18n.t('training.exam_meta', { n: x.questions, minutes: x.minutes, pass: x.pass_mark, attempts: x.attempts })} `, start);
      })),
      el('section', { id: 'exam-paper', 'data-testid': 'exam-paper', hidden: true })),
    el('section', { class: 'card' }, el('h3', { text: i18n.t('training.results') }),
      el('table', { class: 'tickets', 'data-testid': 'exam-results' }, el('tbody', {}, ...results.map((r) => el('tr', { 'data-testid': 'exam-result-row', 'data-passed': String(r.passed) },
        el('td', { text: r.exam_title }), el('td', { text: time(r.started_at) }),
        el('td', { class: 'num', text: r.score === null ? '—' : r.score.toFixed(1) }),
        el('td', { text: r.late ? i18n.t('training.late') : r.passed === null ? '' : i18n.t(r.passed ? 'training.passed' : 'training.failed') })))))),
    await onboardingSection(error, render),
    can('manage_training') ? trainerForms(error) : null,
    can('manage_training') ? await plannerSection(sessions, error) : null);
}

/** A session's materials, fetched when unfolded. */
function materials(s) {
  const d = el('details', { 'data-testid': 'session-materials' }, el('summary', { 'data-testid': 'materials-toggle', text: i18n.t('training.materials') }));
  d.addEventListener('toggle', () => {
    if (d.open && !d.querySelector('.files')) d.append(filesBox('training_session', s.id, { editable: can('manage_training') }));
  });
  return d;
}

/** The paper: one question after another, the time left counting down. */
function take(attempt, exam) {
  const box = $('#exam-paper');
  const left = el('p', { class: 'badge', 'data-testid': 'exam-time-left' });
  const tick = () => {
    const s = Math.max(0, Math.floor((Date.parse(attempt.deadline) - Date.now()) / 1000));
    left.textContent = i18n.t('training.time_left', { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
  };
  tick();
  clearInterval(ticking);
  ticking = setInterval(tick, 1000);
  const f = el('form', { 'data-testid': 'exam-form', novalidate: true },
    ...attempt.paper.map((q, n) => {
      const choices = q.kind === 'true_false' ? [i18n.t('training.true'), i18n.t('training.false')] : q.options;
      const type = q.kind === 'multiple' ? 'checkbox' : 'radio';
      return el('fieldset', { 'data-testid': 'exam-question', 'data-id': String(q.id) },
        el('legend', { text: `${n + 1}. ${q.text}${q.kind === 'multiple' ? ` ${i18n.t('training.multiple')}` : ''}` }),
        ...choices.map((c, i) => el('label', { class: 'check' },
          el('input', { type, name: `q${q.id}`, value: String(i), 'data-testid': `exam-q-${q.id}-opt-${i}` }), el('span', { text: c }))));
    }),
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'exam-submit', text: i18n.t('training.submit') }));
  const result = el('p', { role: 'status', 'data-testid': 'exam-result', hidden: true });
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const answers = {};
    for (const q of attempt.paper) {
      answers[q.id] = [...f.querySelectorAll(`input[name="q${q.id}"]:checked`)].map((i) => Number(i.value));
    }
    try {
      const done = await api.submitAttempt(attempt.id, answers);
      clearInterval(ticking);
      notice(i18n.t(done.late ? 'training.late' : done.passed ? 'training.passed_score' : 'training.failed_score', { score: done.score?.toFixed(1) }));
      await render();
      const r = $('#exam-paper');
      r.replaceChildren(el('p', { role: 'status', 'data-testid': 'exam-result', 'data-passed': String(done.passed), text: i18n.t(done.passed ? 'training.passed_score' : 'training.failed_score', { score: done.score?.toFixed(1) }) }));
      r.hidden = false;
    } catch (e) {
      showError(result, e);
    }
  });
  box.replaceChildren(el('h4', { text: exam.title }), left, f, result);
  box.hidden = false;
}

/** For trainers: add a session, mark who came, and the topics QA proposed. */
async function plannerSection(sessions, error) {
  const proposals = await api.trainingProposals().catch(() => []);
  const topic = el('select', { name: 'topic', 'data-testid': 'session-topic' });
  options(topic, shared.vocab.training_topics.map((t) => [t, i18n.t(`training.topic.${t}`)]));
  const method = el('select', { name: 'method' });
  options(method, shared.vocab.training_methods.map((m) => [m, i18n.t(`training.method.${m}`)]));
  const audience = el('select', { name: 'audience', multiple: true, size: 5, 'data-testid': 'session-audience' },
    ...shared.ref.users.filter((u) => u.active).map((u) => el('option', { value: String(u.id), text: u.name })));
  const f = el('form', { class: 'card', 'data-testid': 'session-form', novalidate: true },
    el('h3', { text: i18n.t('training.add_session') }),
    el('label', { class: 'block' }, el('span', { text: i18n.t('field.title') }), el('input', { name: 'title', autocomplete: 'off', 'data-testid': 'session-title' })),
    el('label', {}, el('span', { text: i18n.t('training.topic') }), topic),
    el('label', {}, el('span', { text: i18n.t('training.method') }), method),
    el('label', {}, el('span', { text: i18n.t('training.starts') }), el('input', { name: 'at', type: 'text', inputmode: 'numeric', 'data-kind': 'datetime', placeholder: i18n.t('format.datetime'), autocomplete: 'off', 'data-testid': 'session-at' })),
    el('label', {}, el('span', { text: i18n.t('field.hours') }), el('input', { name: 'hours', type: 'number', min: 0.5, step: 0.5, value: '2' })),
    el('label', {}, el('span', { text: i18n.t('training.place') }), el('input', { name: 'place', autocomplete: 'off' })),
    el('label', { class: 'block' }, el('span', { text: i18n.t('training.audience') }), audience),
    el('button', { type: 'submit', 'data-testid': 'session-submit', text: i18n.t('common.save') }));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = f.elements;
    const at = inputToIso(e.at.value);
    try {
      if (!at) throw { code: e.at.value ? 'invalid_value' : 'required', details: { field: 'starts_at', value: e.at.value } };
      await api.addTrainingSession({ title: e.title.value, topic: e.topic.value, method: e.method.value, startsAt: at, hours: Number(e.hours.value), place: e.place.value, audience: [...audience.selectedOptions].map((o) => Number(o.value)) });
      await render();
    } catch (err) {
      showError(error, err);
      markField(f, err);
    }
  });
  const marking = el('section', { class: 'card', 'data-testid': 'attendance' }, el('h3', { text: i18n.t('training.attendance') }),
    ...sessions.map((s) => el('div', { 'data-testid': 'attendance-session', 'data-id': String(s.id) }, el('strong', { text: `${s.title} · ${time(s.starts_at)}` }),
      el('ul', { class: 'plain' }, ...s.attendees.map((a) => {
        const mark = (attended) => {
          const b = el('button', { type: 'button', 'data-testid': attended ? 'mark-present' : 'mark-absent', 'aria-pressed': String(a.attended === attended), text: i18n.t(attended ? 'training.attended' : 'training.absent') });
          b.addEventListener('click', async () => {
            try {
              await api.markAttendance(s.id, a.user_id, attended);
              await render();
            } catch (err) {
              showError(error, err);
            }
          });
          return b;
        };
        return el('li', {}, a.name, ' ', mark(true), mark(false));
      })))));
  const proposed = el('section', { class: 'card', 'data-testid': 'training-proposals' }, el('h3', { text: i18n.t('training.proposals') }),
    proposals.length ? el('ul', { class: 'plain' }, ...proposals.map((p) => el('li', { 'data-testid': 'training-proposal' },
      `${p.agent_name} · ${i18n.t(`training.topic.${p.training_topic}`)} · ${p.reviewer_name ?? '—'} ${time(p.started_at)}`))) : el('p', { class: 'muted', text: i18n.t('training.no_proposals') }));
  return el('div', {}, f, marking, proposed);
}

function trainerForms(error) {
  const topic = () => {
    const s = el('select', { name: 'topic' });
    options(s, shared.vocab.training_topics.map((t) => [t, i18n.t(`training.topic.${t}`)]));
    return s;
  };
  const kind = el('select', { name: 'kind', 'data-testid': 'question-kind' });
  options(kind, shared.vocab.question_kinds.map((k) => [k, i18n.t(`training.kind.${k}`)]));
  const q = el('form', { class: 'card', 'data-testid': 'question-form', novalidate: true },
    el('h3', { text: i18n.t('training.add_question') }),
    el('label', {}, el('span', { text: i18n.t('training.topic') }), topic()),
    el('label', {}, el('span', { text: i18n.t('training.kind') }), kind),
    el('label', { class: 'block' }, el('span', { text: i18n.t('training.question') }), el('input', { name: 'text', autocomplete: 'off', 'data-testid': 'question-text' })),
    el('label', { class: 'block' }, el('span', { text: i18n.t('training.options') }), el('textarea', { name: 'options', rows: 3, 'data-testid': 'question-options' })),
    el('label', {}, el('span', { text: i18n.t('training.answer') }), el('input', { name: 'answer', autocomplete: 'off', placeholder: '1,3', 'data-testid': 'question-answer' })),
    el('button', { type: 'submit', 'data-testid': 'question-submit', text: i18n.t('common.save') }));
  q.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = q.elements;
    try {
      // Choices are numbered from 1 on the screen.
      const answer = e.answer.value.split(/[,\s\uff0c]+/).filter(Boolean).map((n) => Number(n) - 1);
      await api.addExamQuestion({ topic: e.topic.value, kind: e.kind.value, text: e.text.value, options: e.options.value.split('\n').map((s) => s.trim()).filter(Boolean), answer });
      notice(i18n.t('training.question_saved'));
      q.reset();
    } catch (err) {
      showError(error, err);
      markField(q, err);
    }
  });
  const x = el('form', { class: 'card inline-form', 'data-testid': 'exam-form-new', novalidate: true },
    el('label', { class: 'grow' }, el('span', { text: i18n.t('field.title') }), el('input', { name: 'title', autocomplete: 'off', 'data-testid': 'exam-title' })),
    el('label', {}, el('span', { text: i18n.t('training.questions') }), el('input', { name: 'questions', type: 'number', min: 1, value: '10' })),
    el('label', {}, el('span', { text: i18n.t('training.minutes') }), el('input', { name: 'minutes', type: 'number', min: 1, value: '30' })),
    el('label', {}, el('span', { text: i18n.t('training.pass_mark') }), el('input', { name: 'pass', type: 'number', min: 1, max: 100, value: '60' })),
    el('label', {}, el('span', { text: i18n.t('training.attempts') }), el('input', { name: 'attempts', type: 'number', min: 1, max: 10, value: '2' })),
    el('button', { type: 'submit', 'data-testid': 'exam-create', text: i18n.t('training.set_exam') }));
  x.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = x.elements;
    try {
      await api.createExam({ title: e.title.value, questions: Number(e.questions.value), minutes: Number(e.minutes.value), passMark: Number(e.pass.value), attempts: Number(e.attempts.value), seed: Date.now() % 100000 });
      await render();
    } catch (err) {
      showError(error, err);
      markField(x, err);
    }
  });
  return el('div', {}, q, x);
}
