// Where this desk's tickets live: this computer's file or a centre server. The form at
// the sign-in screen checks the server's certificate (its fingerprint, to compare with
// the one the server printed) and saves the choice once one of the server's
// administrators confirms it with their sign-in; the link's state shows at all times.
import { api, listen } from './api.js';
import * as i18n from './i18n.js';
import { time } from './format.js';
import { $, showError } from './state.js';

let current = null;
let back = () => {};

function describe(c) {
  if (!c || c.mode !== 'server') return { status: 'local', text: i18n.t('conn.state.local') };
  const link = c.link || { status: 'signed_out' };
  const since = link.since ? time(link.since) : '';
  return { status: link.status, text: i18n.t(`conn.state.${link.status}`, { address: c.address, since }) };
}

function render() {
  const d = describe(current);
  for (const el of [$('#connection-status'), $('#gate-connection')]) {
    el.dataset.status = d.status;
    el.textContent = current?.mode === 'server' ? d.text : '';
    el.hidden = current?.mode !== 'server';
    el.title = current?.fingerprint ? `${current.address} · ${current.fingerprint}` : current?.address ?? '';
  }
  $('#settings-connection').textContent = current?.mode === 'server'
    ? i18n.t('conn.settings.server', { address: current.address, fingerprint: current.fingerprint ?? i18n.t('conn.no_tls') })
    : i18n.t('conn.settings.local', { path: current?.data_path ?? '' });
}

function showServerFields() {
  const f = $('#connection-form');
  $('#conn-server-fields').hidden = f.elements.mode.value !== 'server';
}

/** Shows the connection form in place of the sign-in; `onBack` shows the sign-in again. */
export function open() {
  const f = $('#connection-form');
  for (const id of ['setup-form', 'login-form', 'unlock-form']) $(`#${id}`).hidden = true;
  document.body.dataset.gate = 'connection';
  f.hidden = false;
  f.reset();
  f.elements.mode.value = current?.mode === 'server' ? 'server' : 'local';
  f.elements.address.value = current?.address ?? '';
  f.elements.fingerprint.value = current?.fingerprint ?? '';
  $('#conn-check').hidden = !current?.fingerprint;
  $('#conn-fingerprint').textContent = current?.fingerprint ?? '';
  showError($('[data-testid="conn-error"]'), null);
  showServerFields();
  f.elements.mode.value === 'server' ? f.elements.address.focus() : f.querySelector('input[name=mode]:checked')?.focus();
}

async function probe() {
  const f = $('#connection-form');
  const err = $('[data-testid="conn-error"]');
  try {
    const p = await api.probeServer(f.elements.address.value);
    f.elements.fingerprint.value = p.fingerprint ?? '';
    $('#conn-fingerprint').textContent = p.fingerprint ?? i18n.t('conn.no_tls');
    $('#conn-check').hidden = false;
    showError(err, null);
  } catch (e) {
    $('#conn-check').hidden = true;
    showError(err, e);
  }
}

async function save(e) {
  e.preventDefault();
  const f = e.target;
  const err = $('[data-testid="conn-error"]');
  const mode = f.elements.mode.value;
  try {
    if (mode === 'server' && !f.elements.fingerprint.value && $('#conn-check').hidden) await probe();
    await api.setConnection({
      mode,
      address: f.elements.address.value || null,
      fingerprint: f.elements.fingerprint.value || null,
      login: f.elements.login.value || null,
      password: f.elements.password.value || null,
    });
    // Everything starts afresh on the new data: a new sign-in, new lists.
    window.location.hash = '';
    window.location.reload();
  } catch (ex) {
    f.elements.password.value = '';
    showError(err, ex);
  }
}

/** Wires the form and the link's state; `onBack` returns from the form to the sign-in. */
export async function init(onBack) {
  back = onBack;
  const f = $('#connection-form');
  f.addEventListener('submit', save);
  f.addEventListener('change', (e) => {
    if (e.target.name === 'mode') showServerFields();
    if (e.target.name === 'address') {
      f.elements.fingerprint.value = '';
      $('#conn-check').hidden = true;
    }
  });
  $('#conn-probe').addEventListener('click', probe);
  $('#conn-cancel').addEventListener('click', () => {
    f.hidden = true;
    back();
  });
  $('#open-connection').addEventListener('click', open);
  // Changing it signs out first: the form lives at the sign-in screen.
  $('#change-connection').addEventListener('click', async () => {
    await api.logout().catch(() => {});
    window.location.hash = '#connection';
    window.location.reload();
  });
  try {
    current = await api.connection();
  } catch {
    current = null;
  }
  render();
  listen('connection-changed', (link) => {
    if (current) current.link = link;
    render();
  }).catch(() => {});
}

/** Re-renders in the current language. */
export function translate() {
  render();
}
