// Times and labels as the desk shows them. Times are shown and typed in the centre's
// time zone (a setting), whatever the workstation's own zone is.
import * as i18n from './i18n.js';

let zone = 'Asia/Shanghai';
export function setZone(tz) { zone = tz || zone; }
export function getZone() { return zone; }

function parts(date) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second };
}

/** Offset of the zone from UTC at `date`, in milliseconds. */
function offset(date) {
  const p = parts(date);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(date.getTime() / 1000) * 1000;
}

/** `2026-11-24T17:30` typed in the centre's zone → ISO UTC, or null when empty. */
export function inputToIso(value) {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let t = wall - offset(new Date(wall));
  t = wall - offset(new Date(t));
  return new Date(t).toISOString();
}

/** ISO UTC → the value of a datetime-local input in the centre's zone. */
export function isoToInput(iso) {
  const p = parts(new Date(iso));
  const z = (n) => String(n).padStart(2, '0');
  return `${p.y}-${z(p.mo)}-${z(p.d)}T${z(p.h)}:${z(p.mi)}`;
}

/** `date` input (yyyy-mm-dd) → the ISO instant of local midnight that day (+days). */
export function dateToIso(value, days = 0) {
  if (!value) return null;
  const iso = inputToIso(`${value}T00:00`);
  return iso ? new Date(Date.parse(iso) + days * 86400000).toISOString() : null;
}

export function time(iso, { short = false } = {}) {
  if (!iso) return '—';
  const d = new Date(iso);
  const opts = { timeZone: zone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (!short || parts(d).y !== parts(new Date()).y) opts.year = 'numeric';
  return new Intl.DateTimeFormat(i18n.lang(), opts).format(d);
}

/** "in 5 h" / "2 d overdue" for a deadline. */
export function timeLeft(iso, now = Date.now()) {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const h = Math.round(abs / 3600000);
  const span = h >= 48 ? i18n.t('time.days', { n: Math.round(h / 24) }) : h >= 1 ? i18n.t('time.hours', { n: h }) : i18n.t('time.minutes', { n: Math.max(1, Math.round(abs / 60000)) });
  return ms >= 0 ? i18n.t('time.left', { span }) : i18n.t('time.overdue', { span });
}

/** How long ago a deadline passed, by the clock: "overdue by 15 h" (never "0 minutes left"). */
export function overdueText(minutes) {
  const h = minutes / 60;
  const span = h >= 48 ? i18n.t('time.days', { n: Math.round(h / 24) }) : h >= 1 ? i18n.t('time.hours', { n: Math.round(h * 10) / 10 }) : i18n.t('time.minutes', { n: Math.max(1, minutes) });
  return i18n.t('time.overdue', { span });
}

/** Business time left from a number of minutes (negative: overdue). */
export function businessLeft(minutes) {
  if (minutes === null || minutes === undefined) return '';
  const abs = Math.abs(minutes);
  const span = abs >= 60 ? i18n.t('time.hours', { n: Math.round(abs / 6) / 10 }) : i18n.t('time.minutes', { n: abs });
  return minutes >= 0 ? i18n.t('time.business_left', { span }) : i18n.t('time.business_overdue', { span });
}

export function label(prefix, code, fallback) {
  const key = `${prefix}.${code}`;
  return i18n.has(key) ? i18n.t(key) : (fallback ?? code);
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

export function options(select, items, { blank } = {}) {
  const keep = select.value;
  select.replaceChildren();
  if (blank !== undefined) select.append(el('option', { value: '', text: blank }));
  for (const [value, text] of items) select.append(el('option', { value: String(value), text }));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}
