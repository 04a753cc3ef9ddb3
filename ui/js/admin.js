// Administration in settings: accounts, the idle lock, retention, backups with restore
// drills, and the audit log. Each card shows only for the roles the backend allows
// (`data-perm`); the backend refuses the rest anyway.
import { api, listen } from './api.js';
import * as i18n from './i18n.js';
import { el, options, time, dateToIso } from './format.js';
import { $, shared, showError, markField, treeOptions, notice, feedback } from './state.js';
import { can } from './session.js';

/** Where load failures show: the settings view's own line (no form caused them). */
const errorEl = () => $('[data-testid="settings-error"]');

function done(origin, key = 'common.saved', params = {}) {
  notice(i18n.t(key, params));
  feedback(origin, null);
}

/** Runs a change from `origin` (a form or a control) and shows its outcome beside it;
 * `reset` empties the form after success (new accounts, passwords). */
async function guarded(origin, change, reset = false) {
  try {
    await change();
    if (reset) { origin.reset(); markField(origin, null); }
    await load();
    done(origin);
  } catch (e) {
    feedback(origin, e);
    if (origin?.elements) markField(origin, e);
  }
}

const deptName = (id) => shared.ref.departments.find((d) => d.id === id)?.name ?? '—';

function accountRow(a) {
  const state = !a.active ? 'disabled' : a.locked_until && new Date(a.locked_until) > new Date() ? 'locked' : a.has_password ? 'active' : 'no_password';
  const pw = el('button', { type: 'button', 'data-testid': 'account-password', text: i18n.t('account.set_password') });
  pw.addEventListener('click', () => {
    const form = el('form', { class: 'inline-form', novalidate: true },
      el('input', { name: 'login', value: a.login ?? '', 'aria-label': i18n.t('auth.login'), required: true }),
      el('input', { name: 'password', type: 'password', autocomplete: 'new-password', 'aria-label': i18n.t('auth.password'), required: true }),
      el('button', { type: 'submit', text: i18n.t('common.save') }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      guarded(form, () => api.setPassword(a.id, form.elements.login.value, form.elements.password.value));
    });
    pw.replaceWith(form);
    form.elements.login.focus();
  });
  const toggle = el('button', { type: 'button', 'data-testid': 'account-toggle', text: i18n.t(a.active ? 'account.disable' : 'account.enable') });
  toggle.addEventListener('click', () => guarded($('#account-table-wrap'), () => api.setUserActive(a.id, !a.active)));
  const role = el('select', { 'data-testid': 'account-role', 'aria-label': i18n.t('field.role') });
  options(role, shared.vocab.roles.map((r) => [r, i18n.t(`role.${r}`)]));
  role.value = a.role;
  role.addEventListener('change', () => guarded($('#account-table-wrap'), () => api.setUserRole(a.id, role.value, a.department_id)));
  return el('tr', { 'data-testid': 'account-row', 'data-login': a.login ?? '' },
    el('td', { text: a.name }), el('td', { class: 'mono', text: a.login ?? '—' }), el('td', {}, role),
    el('td', { text: deptName(a.department_id) }), el('td', { 'data-testid': 'account-state', text: i18n.t(`account.${state}`) }),
    el('td', {}, pw, ' ', toggle));
}

/**
 * Irreversible actions ask twice in the page itself: the first click turns the button
 * into its confirmation, which runs `action` when clicked within a few seconds.
 */
function confirming(button, confirmKey, params, action) {
  const label = button.textContent;
  button.addEventListener('click', () => {
    if (button.dataset.confirm !== 'true') {
      button.dataset.confirm = 'true';
      button.textContent = i18n.t(confirmKey, params);
      clearTimeout(button.timer);
      button.timer = setTimeout(() => { button.dataset.confirm = ''; button.textContent = label; }, 6000);
      return;
    }
    clearTimeout(button.timer);
    button.dataset.confirm = '';
    button.textContent = label;
    action();
  });
}

function size(bytes) {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function backupRow(b) {
  const verify = el('button', { type: 'button', 'data-testid': 'backup-verify', text: i18n.t('backup.verify') });
  verify.addEventListener('click', () => run(async () => {
    const r = await api.verifyBackup(b.name);
    const failed = r.checks.filter((c) => !c.ok).map((c) => c.name);
    return i18n.t(r.ok ? 'backup.verified' : 'backup.verify_failed', { name: b.name, tickets: r.tickets, failed: failed.join(', ') });
  }));
  const restore = el('button', { type: 'button', class: 'danger', 'data-testid': 'backup-restore', text: i18n.t('backup.restore') });
  confirming(restore, 'backup.restore_confirm', { name: b.name }, () => run(async () => i18n.t('backup.restored', { aside: await api.restoreBackup(b.name) })));
  const m = b.manifest;
  return el('tr', { 'data-testid': 'backup-row', 'data-name': b.name },
    el('td', { class: 'mono', text: b.name }), el('td', { text: m ? size(m.bytes) : '—' }),
    el('td', { text: m ? String(m.tickets) : '—' }), el('td', { text: i18n.t(b.offsite ? 'common.yes' : 'common.no') }),
    el('td', {}, verify, ' ', restore));
}

/** Runs a long backup task with the progress bar shown, then reloads the card. */
async function run(task) {
  const bar = $('#backup-progress');
  const result = $('#backup-result');
  bar.hidden = false;
  bar.removeAttribute('value');
  result.textContent = i18n.t('backup.working');
  for (const b of document.querySelectorAll('#view-settings [data-perm="manage_backups"] button')) b.disabled = true;
  try {
    result.textContent = await task();
    // The result line says what happened; only an earlier error is cleared.
    feedback(result, undefined);
  } catch (e) {
    result.textContent = '';
    feedback(result, e);
  } finally {
    bar.hidden = true;
    for (const b of document.querySelectorAll('#view-settings [data-perm="manage_backups"] button')) b.disabled = false;
    await loadBackups().catch(() => {});
  }
}

async function loadBackups() {
  const [st, list, settings] = await Promise.all([api.backupStatus(), api.backups(), api.getSettings()]);
  const f = $('#backup-form').elements;
  for (const k of ['backup_dir', 'backup_offsite_dir', 'backup_time', 'backup_keep_daily', 'backup_keep_monthly']) f[k].value = settings[k];
  $('#backup-state').textContent = [
    i18n.t(st.passphrase_set ? 'backup.passphrase_is_set' : 'backup.passphrase_missing'),
    i18n.t('backup.last', { at: st.last_backup ? time(st.last_backup) : '—' }),
    i18n.t('backup.last_drill', { at: st.last_good_drill ? time(st.last_good_drill.at) : '—' }),
  ].join(' · ');
  const warn = $('#drill-warning');
  warn.hidden = !st.drill_overdue;
  warn.textContent = i18n.t('backup.drill_overdue', { days: 30 });
  $('#backup-rows').replaceChildren(...list.map(backupRow));
}

async function loadAudit(query = {}) {
  const rows = await api.auditEntries(query);
  $('#audit-rows').replaceChildren(...rows.map((e) => el('tr', { 'data-testid': 'audit-row', 'data-action': e.action },
    el('td', { class: 'mono', text: String(e.id) }), el('td', { text: time(e.at) }), el('td', { text: e.actor_name || '—' }),
    el('td', { text: i18n.has(`audit.a.${e.action}`) ? i18n.t(`audit.a.${e.action}`) : e.action }),
    el('td', { class: 'mono', text: e.target }), el('td', { class: 'wrap mono', text: JSON.stringify(e.detail) }))));
  const actions = [...new Set(rows.map((r) => r.action))];
  $('#audit-actions').replaceChildren(...actions.map((a) => el('option', { value: a })));
}

/** Loads each administration card the signed-in role may see. */
export async function load() {
  try {
    const settings = await api.getSettings();
    $('#security-form').elements.idle.value = String(Math.round(Number(settings.idle_lock_seconds) / 60));
    $('#retention-form').elements.months.value = settings.retention_months;
    if (can('manage_users')) {
      const f = $('#user-form').elements;
      options(f.department_id, treeOptions(shared.ref.departments));
      options(f.role, shared.vocab.roles.map((r) => [r, i18n.t(`role.${r}`)]));
      $('#account-rows').replaceChildren(...(await api.accounts()).map(accountRow));
    }
    if (can('view_audit')) {
      options($('#audit-form').elements.actor_id, shared.ref.users.map((u) => [u.id, u.name]), { blank: i18n.t('filter.any') });
      await loadAudit();
    }
    if (can('manage_backups')) await loadBackups();
  } catch (e) {
    showError(errorEl(), e);
  }
}


export function init() {
  // The backup line's outcome has its place from the start (nothing shifts later).
  feedback($('#backup-result'), undefined);
  $('#user-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target.elements;
    guarded(e.target, () => api.createAccount({
      login: f.login.value, name: f.name.value, department_id: Number(f.department_id.value), role: f.role.value, password: f.password.value,
    }), true);
  });
  $('#password-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target.elements;
    if (f.new.value !== f.new2.value) { feedback(e.target, { code: 'password_mismatch', details: {} }); return; }
    guarded(e.target, () => api.changePassword(f.old.value, f.new.value), true);
  });
  $('#security-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded(e.target, () => api.setSetting('idle_lock_seconds', String(Number(e.target.elements.idle.value || 0) * 60)));
  });
  $('#retention-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded(e.target, () => api.setSetting('retention_months', e.target.elements.months.value || '0'));
  });
  $('#retention-preview').addEventListener('click', async () => {
    try {
      const p = await api.retentionPlan();
      $('#retention-plan').hidden = false;
      $('#retention-summary').textContent = p.cutoff
        ? i18n.t('retention.summary', { tickets: p.tickets, calls: p.calls, recordings: p.recordings, customers: p.customers, cutoff: time(p.cutoff) })
        : i18n.t('retention.off');
      $('#retention-sample').replaceChildren(...p.sample.map((x) => el('tr', {},
        el('td', { class: 'mono', text: x.number }), el('td', { text: `${x.caller_before} ${x.phone_before}` }),
        el('td', { text: `${x.caller_after} ${x.phone_after}` }))));
      $('#retention-apply').disabled = !p.tickets && !p.calls && !p.recordings && !p.customers;
    } catch (err) {
      feedback($('#retention-form'), err);
    }
  });
  confirming($('#retention-apply'), 'retention.confirm', {}, async () => {
    try {
      const p = await api.anonymise();
      $('#retention-plan').hidden = true;
      done($('#retention-form'), 'retention.done', { tickets: p.tickets });
    } catch (err) {
      feedback($('#retention-form'), err);
    }
  });
  $('#backup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target.elements;
    guarded(e.target, async () => {
      for (const k of ['backup_dir', 'backup_offsite_dir', 'backup_time', 'backup_keep_daily', 'backup_keep_monthly']) {
        await api.setSetting(k, f[k].value);
      }
    });
  });
  $('#passphrase-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded(e.target, () => api.setBackupPassphrase(e.target.elements.passphrase.value), true);
  });
  $('#backup-now').addEventListener('click', () => run(async () => {
    const b = await api.backupNow();
    return i18n.t(b.offsite ? 'backup.done_offsite' : 'backup.done', { name: b.name });
  }));
  listen('backup-progress', (p) => {
    const bar = $('#backup-progress');
    if (p.total > 0) { bar.max = p.total; bar.value = p.done; }
    $('#backup-result').textContent = i18n.t(`backup.stage.${p.stage}`, { pct: p.total ? Math.floor((100 * p.done) / p.total) : 0 });
  }).catch(() => {});
  $('#audit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target.elements;
    // Days in the centre's zone, the last one included.
    const from = dateToIso(f.from.value) ?? null;
    const to = dateToIso(f.to.value, 1) ?? null;
    loadAudit({ action: f.action.value || null, actor_id: f.actor_id.value ? Number(f.actor_id.value) : null, from, to })
      .catch((err) => feedback(e.target, err));
  });
  $('#audit-verify').addEventListener('click', async () => {
    try {
      const r = await api.verifyAudit();
      const v = $('#audit-verdict');
      v.dataset.ok = String(r.ok);
      v.className = r.ok ? 'ok' : 'error';
      v.textContent = r.ok
        ? i18n.t('audit.intact', { entries: r.entries })
        : i18n.t('audit.broken', { at: r.broken_at, problem: i18n.t(`audit.problem.${r.problem}`) });
    } catch (err) {
      feedback($('#audit-form'), err);
    }
  });
}
