// Who else has the ticket on this screen open, or is editing it: the seat tells the
// backend while the ticket is shown (every 10 s, and when an action's form opens or
// closes) and shows the others, so two people do not work on one ticket unawares.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { $ } from './state.js';

const EVERY = 10_000;
let ticket = null;
let editing = false;
let timer = null;
let others = [];

export function render() {
  const p = $('#presence');
  const editors = others.filter((o) => o.editing).map((o) => o.name);
  const viewers = others.filter((o) => !o.editing).map((o) => o.name);
  p.hidden = others.length === 0;
  p.dataset.editing = String(editors.length > 0);
  p.textContent = editors.length
    ? i18n.t('presence.editing', { names: editors.join(i18n.t('presence.and')) })
    : i18n.t('presence.viewing', { names: viewers.join(i18n.t('presence.and')) });
}

async function tell() {
  // Behind the sign-in or lock screen nothing is shown, and nothing is said.
  if (document.body.dataset.gate) return;
  const id = ticket;
  try {
    const now = await api.presence(id, editing);
    if (id === ticket) others = now;
  } catch {
    others = [];
  }
  render();
}

/** The ticket now on this screen (null: none). */
export function watch(id) {
  if (id === ticket) return;
  const had = ticket;
  ticket = id;
  editing = false;
  others = [];
  clearInterval(timer);
  timer = null;
  if (id === null) {
    render();
    if (had !== null) api.presence(null, false).catch(() => {});
    return;
  }
  tell();
  timer = setInterval(tell, EVERY);
}

/** An action's form opened or closed on this screen. */
export function setEditing(on) {
  if (editing === on || ticket === null) return;
  editing = on;
  tell();
}
