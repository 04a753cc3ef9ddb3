// The duty roster as the incidents screen shows it: who is on duty now, the handover
// notes between shifts (written by the outgoing, acknowledged by the incoming), and the
// import of a roster from CSV (refused whole when any minute lacks a duty leader).
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, time, today } from './format.js';
import { $, shared, showError, notice } from './state.js';
import * as session from './session.js';
import * as roster from './roster.js';

const err = () => $('#duty-error');

export function init() {
  roster.init();
  $('#roster-import').addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = e.currentTarget.elements.file.files[0];
    if (!file) { showError(err(), { code: 'required', details: { field: 'file' } }); return; }
    try {
      const r = await api.importRoster(await file.text());
      showError(err(), null);
      notice(i18n.t('duty.imported', { n: r.assignments.length }));
      await refresh();
      await roster.reload();
    } catch (ex) {
      showError(err(), ex);
    }
  });
  $('#handover-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.currentTarget;
    try {
      await api.writeHandover(f.elements.note.value);
      f.reset();
      showError(err(), null);
      await refresh();
    } catch (ex) {
      showError(err(), ex);
    }
  });
}

const shiftName = (code) => (i18n.has(`duty.shift.${code}`) ? i18n.t(`duty.shift.${code}`) : code);

export async function refresh() {
  if (!session.can('view_incidents')) return;
  let now = [];
  let notes = [];
  let shifts = [];
  try {
    [now, notes, shifts] = await Promise.all([api.onDuty(), api.handovers(), api.dutyShifts()]);
  } catch (e) {
    showError(err(), e);
    return;
  }
  $('#on-duty').replaceChildren(...(now.length ? now : [null]).map((o) => (o
    ? el('li', { 'data-testid': 'on-duty-item', 'data-post': o.post, 'data-backup': String(o.backup) },
      el('strong', { text: i18n.t(`duty.${o.post}`) }), o.backup ? ` (${i18n.t('duty.backup')})` : '', ` · ${o.user_name} · ${shiftName(o.shift_code)}`)
    : el('li', { class: 'muted', text: i18n.t('duty.nobody') }))));
  const me = shared.info?.user?.id;
  await renderMine(me);
  if (session.can('manage_roster')) await renderChanges();
  $('#handovers').replaceChildren(...notes.slice(0, 10).map((h) => {
    const shift = (id) => shiftName(shifts.find((x) => x.id === id)?.code ?? '');
    const turn = h.to_shift_id ? ` · ${shift(h.from_shift_id)} → ${h.to_day} ${shift(h.to_shift_id)}` : '';
    const li = el('li', { 'data-testid': 'handover-item', 'data-acked': String(!!h.acknowledged_at) },
      el('p', { text: h.note }), el('small', { class: 'muted', text: `${h.writer_name} · ${time(h.written_at)}${turn}` }));
    if (h.acknowledged_at) {
      li.append(' · ', el('small', { text: i18n.t('duty.acknowledged', { time: time(h.acknowledged_at) }) }));
    } else if (h.written_by !== me) {
      const b = el('button', { type: 'button', class: 'link', 'data-testid': 'handover-ack', text: i18n.t('duty.acknowledge') });
      b.addEventListener('click', async () => {
        try {
          await api.acknowledgeHandover(h.id);
          await refresh();
        } catch (e) {
          showError(err(), e);
        }
      });
      li.append(' ', b);
    }
    return li;
  }));
}

/** The user's own assignments of the coming week, each with a request for cover. */
async function renderMine(me) {
  let week;
  try {
    week = await api.roster(today(), today(new Date(Date.now() + 6 * 86400000)));
  } catch {
    return;
  }
  const others = shared.ref.users.filter((u) => u.active && u.id !== me);
  $('#my-duty').replaceChildren(...week.assignments.filter((a) => a.user_id === me).map((a) => {
    const who = el('select', { 'data-testid': 'cover-who', 'aria-label': i18n.t('field.to_user') });
    for (const u of others) who.append(el('option', { value: String(u.id), text: u.name }));
    const reason = el('input', { 'data-testid': 'cover-reason', placeholder: i18n.t('field.reason'), 'aria-label': i18n.t('field.reason') });
    const ask = el('button', { type: 'button', 'data-testid': 'cover-ask', text: i18n.t('duty.ask_cover') });
    ask.addEventListener('click', async () => {
      try {
        await api.requestDutyChange(a.id, 'cover', Number(who.value), reason.value);
        notice(i18n.t('duty.asked'));
        showError(err(), null);
      } catch (e) {
        showError(err(), e);
      }
    });
    return el('li', { 'data-testid': 'my-duty-item' }, `${a.day} · ${shiftName(a.shift_code)} · ${i18n.t(`duty.${a.post}`)}${a.backup ? ` (${i18n.t('duty.backup')})` : ''} `, who, ' ', reason, ' ', ask);
  }));
}

/** Swaps and covers waiting for a manager's decision. */
async function renderChanges() {
  let list = [];
  try {
    list = (await api.dutyChanges()).filter((c) => !c.decided_at);
  } catch {
    return;
  }
  const name = (id) => shared.ref.users.find((u) => u.id === id)?.name ?? String(id);
  $('#duty-changes').replaceChildren(...list.map((c) => {
    const decide = (approve) => async () => {
      try {
        await api.decideDutyChange(c.id, approve);
        await refresh();
      } catch (e) {
        showError(err(), e);
      }
    };
    const yes = el('button', { type: 'button', 'data-testid': 'change-approve', text: i18n.t('duty.approve') });
    const no = el('button', { type: 'button', 'data-testid': 'change-refuse', text: i18n.t('duty.refuse') });
    yes.addEventListener('click', decide(true));
    no.addEventListener('click', decide(false));
    return el('li', { 'data-testid': 'duty-change' }, `${name(c.from_user)} → ${name(c.to_user)} · ${c.reason} `, yes, ' ', no);
  }));
}
