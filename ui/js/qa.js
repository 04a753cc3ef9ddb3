// Spot checks of recorded calls (录音抽查): the reviewer's assigned calls, scored item by
// item while the recording plays, with comments pinned to its moments; the agent's scores,
// acknowledged or disputed; disputes for a second reviewer; the manager's monthly sample.
// The backend decides who may do what; these forms only ask.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time } from './format.js';
import { $, shared, showError, markField, notice, me } from './state.js';
import { can } from './session.js';

let hooks = null;
let scope = null;
let card = null;
let audioUrl = null;

export function init(h) {
  hooks = h;
  $('#open-qa').addEventListener('click', () => open());
}

/** The scopes this user has, the first the one they most likely want. */
function scopes() {
  const out = [];
  if (can('score_calls')) out.push('assigned', 'disputed');
  out.push('mine');
  if (can('view_qa')) out.push('all');
  return out;
}

export async function open(which) {
  scope = which ?? (scopes().includes(scope) ? scope : scopes()[0]);
  hooks.show('qa');
  await render();
}

async function render() {
  const view = $('#view-qa');
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'qa-error', hidden: true });
  const tabs = el('div', { class: 'action-buttons', role: 'tablist' }, ...scopes().map((s) => {
    const b = el('button', { type: 'button', role: 'tab', 'aria-selected': String(s === scope), 'data-testid': `qa-scope-${s}`, text: i18n.t(`qa.scope.${s}`) });
    b.addEventListener('click', () => open(s));
    return b;
  }));
  let rows = [];
  try {
    [rows, card] = await Promise.all([api.qaReviews(scope), can('view_qa') ? api.scorecard() : Promise.resolve(card)]);
  } catch (e) {
    showError(error, e);
  }
  const list = el('table', { class: 'tickets', 'data-testid': 'qa-list' },
    el('thead', {}, el('tr', {}, ...['qa.call', 'qa.agent', 'qa.reviewer', 'qa.status', 'qa.points'].map((k) => el('th', { scope: 'col', text: i18n.t(k) })))),
    el('tbody', {}, ...rows.map((r) => {
      const open = el('button', { type: 'button', class: 'link', 'data-testid': 'qa-open', text: `${time(r.started_at)} · ${r.caller}` });
      open.addEventListener('click', () => review(r));
      return el('tr', { 'data-testid': 'qa-row', 'data-id': String(r.id), 'data-status': r.status },
        el('td', {}, open), el('td', { text: r.agent_name }), el('td', { text: r.reviewer_name ?? '—' }),
        el('td', { text: i18n.t(`qa.status.${r.status}`) }), el('td', { class: 'num', text: points(r) }));
    })));
  view.replaceChildren(el('h2', { text: i18n.t('qa.title') }), tabs, error,
    rows.length ? list : el('p', { class: 'muted', 'data-testid': 'qa-empty', text: i18n.t('qa.empty') }),
    el('section', { class: 'card', id: 'qa-review', 'data-testid': 'qa-review', hidden: true }),
    can('manage_qa') ? sampleForm(error) : null,
    can('manage_qa') && card ? scorecardEditor(error) : null);
}

/** The scorecard as a table a manager edits; saving makes the next version. */
function scorecardEditor(error) {
  const body = el('tbody', {});
  const row = (i) => {
    const tr = el('tr', { 'data-testid': 'card-item' },
      el('td', {}, el('input', { name: 'key', value: i.key, size: 12, autocomplete: 'off', readOnly: Boolean(i.key) })),
      el('td', {}, el('input', { name: 'group', value: i.group, autocomplete: 'off' })),
      el('td', {}, el('input', { name: 'label', value: i.label, autocomplete: 'off' })),
      el('td', {}, el('input', { name: 'weight', type: 'number', min: 1, max: 100, value: String(i.weight) })),
      el('td', {}, el('input', { name: 'critical', type: 'checkbox', checked: i.critical })));
    const drop = el('button', { type: 'button', text: i18n.t('qa.remove_item') });
    drop.addEventListener('click', () => tr.remove());
    tr.append(el('td', {}, drop));
    body.append(tr);
  };
  card.items.forEach(row);
  const add = el('button', { type: 'button', 'data-testid': 'card-add', text: i18n.t('qa.add_item') });
  add.addEventListener('click', () => row({ key: '', group: '', label: '', weight: 10, critical: false }));
  const save = el('button', { type: 'submit', class: 'primary', 'data-testid': 'card-save', text: i18n.t('qa.save_card') });
  const f = el('form', { class: 'card', 'data-testid': 'card-form', novalidate: true },
    el('h3', { text: i18n.t('qa.scorecard', { version: card.version }) }),
    el('label', { class: 'block' }, el('span', { text: i18n.t('qa.card_name') }), el('input', { name: 'name', value: card.name, autocomplete: 'off' })),
    el('table', { class: 'tickets' },
      el('thead', {}, el('tr', {}, ...['qa.key', 'qa.group', 'qa.label', 'qa.weight', 'qa.critical_item', ''].map((k) => el('th', { scope: 'col', text: k ? i18n.t(k) : '' })))),
      body),
    add, save);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const items = [...body.querySelectorAll('tr')].map((tr) => {
      const v = (n) => tr.querySelector(`[name="${n}"]`);
      return { key: v('key').value.trim(), group: v('group').value, label: v('label').value, weight: Number(v('weight').value), critical: v('critical').checked };
    });
    try {
      card = await api.saveScorecard({ name: f.elements.name.value, items });
      notice(i18n.t('qa.card_saved', { version: card.version }));
      await render();
    } catch (e) {
      showError(error, e);
    }
  });
  return f;
}

function points(r) {
  const p = r.second_points ?? r.points;
  return p === null || p === undefined ? '—' : p.toFixed(1);
}

function sampleForm(error) {
  const f = el('form', { class: 'card inline-form', 'data-testid': 'qa-sample-form', novalidate: true },
    el('label', {}, el('span', { text: i18n.t('qa.month') }), el('input', { name: 'month', placeholder: i18n.t('format.month'), autocomplete: 'off', 'data-testid': 'qa-month' })),
    el('label', {}, el('span', { text: i18n.t('qa.per_agent') }), el('input', { name: 'per', type: 'number', min: 1, max: 100, value: '5', 'data-testid': 'qa-per-agent' })),
    el('label', {}, el('span', { text: i18n.t('qa.seed') }), el('input', { name: 'seed', type: 'number', min: 0, value: '1', 'data-testid': 'qa-seed' })),
    el('button', { type: 'submit', 'data-testid': 'qa-draw', text: i18n.t('qa.draw') }));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const drawn = await api.drawSample(f.elements.month.value.trim(), { perAgent: Number(f.elements.per.value), seed: Number(f.elements.seed.value) });
      notice(i18n.t('qa.drawn', { n: drawn.length }));
      await open('all');
    } catch (e) {
      showError(error, e);
      markField(f, e);
    }
  });
  return f;
}

/** A play button and the audio element it fills with a call's recording, read by the
 * backend (each playback logged). `prefix` names their test ids. */
export function player(callId, recorded, error, prefix) {
  const audio = el('audio', { controls: true, preload: 'metadata', 'data-testid': `${prefix}-audio` });
  const play = el('button', { type: 'button', 'data-testid': `${prefix}-play`, text: i18n.t('qa.play'), disabled: !recorded });
  play.addEventListener('click', async () => {
    try {
      const rec = await api.playRecording(callId);
      const bytes = Uint8Array.from(atob(rec.base64), (c) => c.charCodeAt(0));
      if (audioUrl) URL.revokeObjectURL(audioUrl);
      audioUrl = URL.createObjectURL(new Blob([bytes], { type: rec.media_type }));
      audio.src = audioUrl;
      audio.dataset.loaded = 'true';
      audio.play().catch(() => {});
    } catch (e) {
      showError(error, e);
    }
  });
  return [play, audio];
}

/** One review: the recording, the items, and what this user may do with it now. */
function review(r) {
  const box = $('#qa-review');
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'qa-review-error', hidden: true });
  const [play, audio] = player(r.call_id, r.has_recording, error, 'qa');
  const me_ = me()?.id;
  const parts = [
    el('h3', { text: i18n.t('qa.review_title', { agent: r.agent_name, time: time(r.started_at) }) }),
    el('p', { class: 'muted', text: `${r.caller} · ${i18n.t('qa.seconds', { n: r.seconds })}${r.ticket_number ? ` · ${r.ticket_number}` : ''}` }),
    el('div', { class: 'inline-form' }, play, audio),
    error,
  ];
  if (r.comments.length) {
    parts.push(el('ul', { class: 'plain', 'data-testid': 'qa-comments' }, ...r.comments.map((c) => {
      const b = el('button', { type: 'button', class: 'link', text: clock(c.at_seconds) });
      b.addEventListener('click', () => { audio.currentTime = c.at_seconds; });
      return el('li', { 'data-testid': 'qa-comment' }, b, ' ', c.text);
    })));
  }
  if (Object.keys(r.scores).length) parts.push(scoreTable(r));
  if (r.dispute) parts.push(el('p', { class: 'pre', 'data-testid': 'qa-dispute-reason', text: i18n.t('qa.disputed_because', { reason: r.dispute }) }));
  const done = async (call, msg) => {
    try {
      await call();
      notice(i18n.t(msg));
      await open(scope);
    } catch (e) {
      showError(error, e);
    }
  };
  if (r.reviewer_id === me_ && ['assigned', 'scored'].includes(r.status) && can('score_calls')) {
    parts.push(itemsForm(r, 'qa-score', (scores, comments) => done(() => api.scoreReview(r.id, scores, comments), 'qa.scored'), audio, error));
  }
  if (r.status === 'disputed' && can('score_calls') && r.reviewer_id !== me_ && r.agent_id !== me_) {
    parts.push(itemsForm(r, 'qa-decide', (scores) => done(() => api.decideDispute(r.id, scores), 'qa.decided'), null, error));
  }
  if (r.agent_id === me_ && r.status === 'scored') {
    const ack = el('button', { type: 'button', class: 'primary', 'data-testid': 'qa-ack', text: i18n.t('qa.acknowledge') });
    ack.addEventListener('click', () => done(() => api.acknowledgeReview(r.id), 'qa.acknowledged'));
    const reason = el('input', { name: 'reason', autocomplete: 'off', 'data-testid': 'qa-dispute-input' });
    const dispute = el('button', { type: 'button', 'data-testid': 'qa-dispute', text: i18n.t('qa.dispute') });
    dispute.addEventListener('click', () => done(() => api.disputeReview(r.id, reason.value), 'qa.disputed'));
    parts.push(el('div', { class: 'inline-form' }, ack, el('label', { class: 'grow' }, el('span', { text: i18n.t('qa.dispute_reason') }), reason), dispute));
  }
  if (r.reviewer_id === me_ && r.status !== 'assigned' && !r.calibration) parts.push(proposeForm(r, error));
  if (can('manage_qa') && !r.calibration) parts.push(calibrateForm(r, error));
  if (r.calibration && can('view_qa')) {
    const show = el('button', { type: 'button', 'data-testid': 'qa-spread', text: i18n.t('qa.spread') });
    const out = el('div', { 'data-testid': 'qa-spread-table' });
    show.addEventListener('click', async () => {
      try {
        out.replaceChildren(spreadTable(await api.calibration(r.calibration)));
      } catch (e) {
        showError(error, e);
      }
    });
    parts.push(show, out);
  }
  box.replaceChildren(...parts);
  box.hidden = false;
  box.dataset.id = String(r.id);
  box.scrollIntoView({ block: 'nearest' });
}

/** The reviewer proposes a training topic for the agent, for the trainers' plan. */
function proposeForm(r, error) {
  const topic = el('select', { name: 'topic', 'data-testid': 'qa-training-topic' });
  options(topic, shared.vocab.training_topics.map((t) => [t, i18n.t(`training.topic.${t}`)]), { blank: i18n.t('qa.no_training') });
  topic.value = r.training_topic ?? '';
  const go = el('button', { type: 'button', 'data-testid': 'qa-propose', text: i18n.t('qa.propose_training') });
  go.addEventListener('click', async () => {
    try {
      await api.proposeTraining(r.id, topic.value || null);
      notice(i18n.t('qa.training_proposed'));
    } catch (e) {
      showError(error, e);
    }
  });
  return el('div', { class: 'inline-form' }, el('label', {}, el('span', { text: i18n.t('qa.training_topic') }), topic), go);
}

/** Several QA reviewers score this call, to see where their judgement differs. */
function calibrateForm(r, error) {
  const who = el('select', { name: 'reviewers', multiple: true, size: 4, 'data-testid': 'qa-calibration-reviewers' },
    ...shared.ref.users.filter((u) => u.active && u.role === 'qa' && u.id !== r.agent_id).map((u) => el('option', { value: String(u.id), text: u.name })));
  const go = el('button', { type: 'button', 'data-testid': 'qa-calibrate', text: i18n.t('qa.calibrate') });
  go.addEventListener('click', async () => {
    try {
      const n = await api.startCalibration(r.call_id, [...who.selectedOptions].map((o) => Number(o.value)));
      notice(i18n.t('qa.calibration_started', { n }));
      await open('all');
    } catch (e) {
      showError(error, e);
    }
  });
  return el('div', { class: 'inline-form' }, el('label', {}, el('span', { text: i18n.t('qa.calibration_reviewers') }), who), go);
}

function spreadTable(c) {
  return el('table', { class: 'tickets' },
    el('caption', { text: i18n.t('qa.spread_title', { n: c.session }) }),
    el('thead', {}, el('tr', {}, ...['field.item', 'qa.min', 'qa.max', 'qa.stddev'].map((k) => el('th', { scope: 'col', text: i18n.t(k) })))),
    el('tbody', {}, ...c.items.map((i) => el('tr', { 'data-key': i.key },
      el('td', { text: label(i.key) }), el('td', { class: 'num', text: String(i.min) }),
      el('td', { class: 'num', text: String(i.max) }), el('td', { class: 'num', text: i.stddev.toFixed(1) })))));
}

function clock(s) {
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function label(key) {
  return card?.items.find((i) => i.key === key)?.label ?? key;
}

function scoreTable(r) {
  const keys = Object.keys(r.scores);
  return el('table', { class: 'tickets', 'data-testid': 'qa-scores' },
    el('tbody', {}, ...keys.map((k) => el('tr', {}, el('td', { text: label(k) }),
      el('td', { class: 'num', text: String(r.scores[k]) }),
      el('td', { class: 'num', text: r.second_scores[k] === undefined ? '' : String(r.second_scores[k]) })))),
    el('tfoot', {}, el('tr', {}, el('th', { text: i18n.t('qa.points') }), el('td', { class: 'num', 'data-testid': 'qa-points', text: points(r) }),
      el('td', { text: r.critical ? i18n.t('qa.critical') : '' }))));
}

/** Points per item (0–100); for scoring, comments at the recording's current moment. */
function itemsForm(r, id, submit, audio, error) {
  // A dispute is decided on the items the first reviewer used (its scorecard version).
  const keys = Object.keys(r.scores).length && id === 'qa-decide' ? Object.keys(r.scores) : (card?.items ?? []).map((i) => i.key);
  const comments = [...r.comments];
  const pinned = el('ul', { class: 'plain', 'data-testid': `${id}-comments` });
  const f = el('form', { 'data-testid': `${id}-form`, novalidate: true },
    ...keys.map((k) => el('label', {}, el('span', { text: label(k) }),
      el('input', { name: k, type: 'number', min: 0, max: 100, step: 10, value: String(r.scores[k] ?? 100), 'data-testid': `${id}-item-${k}` }))));
  if (audio) {
    const text = el('input', { name: '__comment', autocomplete: 'off', 'data-testid': `${id}-comment-text` });
    const pin = el('button', { type: 'button', 'data-testid': `${id}-pin`, text: i18n.t('qa.pin') });
    pin.addEventListener('click', () => {
      if (!text.value.trim()) return;
      const at = Math.floor(audio.currentTime || 0);
      comments.push({ at_seconds: at, text: text.value.trim() });
      pinned.append(el('li', { text: `${clock(at)} ${text.value.trim()}` }));
      text.value = '';
    });
    f.append(el('label', { class: 'block' }, el('span', { text: i18n.t('qa.comment') }), text), pin, pinned);
  }
  f.append(el('button', { type: 'submit', class: 'primary', 'data-testid': `${id}-submit`, text: i18n.t(id === 'qa-decide' ? 'qa.decide' : 'qa.score') }));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const scores = {};
    for (const k of keys) {
      const v = Number(f.elements[k].value);
      if (!Number.isInteger(v) || v < 0 || v > 100) {
        showError(error, { code: 'invalid_value', details: { field: 'item', value: f.elements[k].value } });
        return;
      }
      scores[k] = v;
    }
    submit(scores, comments);
  });
  return f;
}
