// Who is at the desk: first-run setup, sign-in, the idle lock and signing out. The
// backend holds the session and refuses everything while signed out or locked; this
// module only shows the matching form and hides what the user's role may not use.
import { api, onSessionLost } from './api.js';
import * as i18n from './i18n.js';
import { $, showError } from './state.js';

// Input is reported at most this often; the backend decides when the desk is idle.
const REPORT_EVERY = 20_000;
const CHECK_EVERY = 2_000;

let state = null;
let lastInput = Date.now();
let lastReport = 0;
let signedIn = null;
let started = false;

/** The desk is set up once per page: switching users reloads the page. */
async function enter(st) {
  if (started || !st.user || st.locked) return;
  started = true;
  await signedIn(st);
}

export function current() {
  return state;
}

export function can(perm) {
  return !!state?.permissions?.includes(perm);
}

/** Hides every element whose `data-perm` the signed-in role lacks. */
export function applyPerms(root = document) {
  // `data-perm` names one permission or several, any of which shows the element.
  for (const el of root.querySelectorAll('[data-perm]')) el.classList.toggle('no-perm', !el.dataset.perm.split(' ').some(can));
  document.body.dataset.role = state?.user?.role ?? '';
  // Who is signed in, with the role in the current language (re-run on a language switch).
  if (state?.user) $('#me').textContent = `${state.user.name} · ${i18n.t(`role.${state.user.role}`)}`;
}

function gate(which) {
  for (const f of ['setup', 'login', 'unlock']) $(`#${f}-form`).hidden = f !== which;
  if (which) {
    // User Timing marks: start-up as the page saw it (read by `make measure`).
    performance.mark('hotline:gate');
    document.body.dataset.gate = which;
    const first = $(`#${which}-form input:not([type=hidden])`);
    first?.focus();
  } else {
    delete document.body.dataset.gate;
  }
}

function show(st) {
  state = st;
  applyPerms();
  if (st.needs_setup) return gate('setup');
  if (!st.user) return gate('login');
  if (st.locked) {
    $('#unlock-user').textContent = i18n.t('auth.locked_as', { name: st.user.name });
    return gate('unlock');
  }
  gate(null);
  applyPerms();
  lastInput = Date.now();
}

/** Shows the gate the session calls for again (back from the connection form). */
export function regate() {
  if (state) show(state);
  else gate('login');
}

async function submitted(form, errorId, run) {
  const err = $(`[data-testid="${errorId}"]`);
  try {
    const st = await run(form.elements);
    form.reset();
    showError(err, null);
    show(st);
    await enter(st);
  } catch (e) {
    showError(err, e);
  }
}

async function lockNow() {
  await api.lock().catch(() => {});
  show(await api.authState());
}

/** Signing out (or switching user) starts the page afresh: nothing of the last user stays. */
async function signOut() {
  await api.logout().catch(() => {});
  window.location.reload();
}

function watchIdle() {
  const onInput = () => {
    lastInput = Date.now();
    if (!state?.user || state.locked || document.body.dataset.gate) return;
    // Often enough that the backend never sees an active desk as idle.
    const every = Math.min(REPORT_EVERY, ((state.idle_lock_seconds || 60) * 1000) / 3);
    if (lastInput - lastReport > every) {
      lastReport = lastInput;
      api.activity().catch(() => {});
    }
  };
  for (const ev of ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart']) {
    document.addEventListener(ev, onInput, { passive: true, capture: true });
  }
  setInterval(() => {
    const idle = (state?.idle_lock_seconds ?? 0) * 1000;
    if (state?.user && !state.locked && idle > 0 && Date.now() - lastInput > idle) lockNow();
  }, CHECK_EVERY);
}

/** Shows the right gate; calls `onSignedIn(state)` whenever a user signs in. */
export async function start(onSignedIn) {
  signedIn = onSignedIn;
  $('#setup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitted(e.target, 'setup-error', (f) => {
      if (f.password.value !== f.password2.value) {
        return Promise.reject({ code: 'password_mismatch', details: {} });
      }
      return api.setupAdmin(f.login.value, f.name.value, f.password.value);
    });
  });
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitted(e.target, 'login-error', (f) => api.login(f.login.value, f.password.value));
  });
  $('#unlock-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitted(e.target, 'unlock-error', (f) => api.unlock(f.password.value));
  });
  $('#unlock-switch').addEventListener('click', signOut);
  $('#logout').addEventListener('click', signOut);
  $('#lock-now').addEventListener('click', lockNow);
  // A command refused because the session locked (or ended) elsewhere shows the gate.
  onSessionLost(async () => show(await api.authState()));
  watchIdle();
  const st = await api.authState();
  show(st);
  await enter(st);
}
