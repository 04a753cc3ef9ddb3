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

const z2 = (n) => String(n).padStart(2, '0');

/** Wall time in the centre's zone → the instant (two passes settle a DST change). */
function wallToIso(y, mo, d, h, mi) {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(wall);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  let t = wall - offset(new Date(wall));
  t = wall - offset(new Date(t));
  return new Date(t).toISOString();
}

// One date format in every language, the unambiguous 2026-12-02 14:30 of GB/T 7408 and
// ISO 8601; typed dates may use - / . or the characters for year, month and day, and
// drop leading zeros.
const DATE = /^\s*(\d{4})\s*[-/.\u5e74]\s*(\d{1,2})\s*[-/.\u6708]\s*(\d{1,2})\s*\u65e5?/;
const TIME = /^(?:\s+|T)?\s*(\d{1,2})\s*[:：\u65f6]\s*(\d{1,2})\s*\u5206?\s*$/;

/** A date and time typed in the centre's zone (`2026-12-02 14:30`, `2026/12/2 9:05`) →
 * ISO UTC; null when empty, undefined when it is not a valid date and time. */
export function inputToIso(value) {
  if (!value || !value.trim()) return null;
  const d = DATE.exec(value);
  const t = d && TIME.exec(value.slice(d[0].length));
  if (!d || !t) return undefined;
  return wallToIso(+d[1], +d[2], +d[3], +t[1], +t[2]);
}

/** ISO UTC → the text of a date-time field in the centre's zone: `2026-12-02 14:30`. */
export function isoToInput(iso) {
  const p = parts(new Date(iso));
  return `${p.y}-${z2(p.mo)}-${z2(p.d)} ${z2(p.h)}:${z2(p.mi)}`;
}

/** A typed date (`2026-12-02`) → the instant of local midnight that day (+days); null
 * when empty, undefined when not a date. */
export function dateToIso(value, days = 0) {
  if (!value || !value.trim()) return null;
  const d = DATE.exec(value);
  if (!d || value.slice(d[0].length).trim()) return undefined;
  const iso = wallToIso(+d[1], +d[2], +d[3], 0, 0);
  return iso ? new Date(Date.parse(iso) + days * 86400000).toISOString() : undefined;
}

/** A typed date in its one written form (`2026-12-02`), or undefined when not a date. */
export function normalDate(value) {
  const d = DATE.exec(value || '');
  if (!d || value.slice(d[0].length).trim() || !wallToIso(+d[1], +d[2], +d[3], 0, 0)) return undefined;
  return `${d[1]}-${z2(+d[2])}-${z2(+d[3])}`;
}

/** Date and date-time fields are one text stop each: on leaving one, what was typed is
 * rewritten in the one written form, or the field is marked when it is not a date. */
export function wireDateFields(root = document) {
  root.addEventListener('focusout', (e) => {
    const c = e.target;
    const kind = c?.dataset?.kind;
    if (kind !== 'date' && kind !== 'datetime') return;
    if (!c.value.trim()) { c.removeAttribute('aria-invalid'); return; }
    const iso = kind === 'date' ? normalDate(c.value) : inputToIso(c.value);
    if (iso === undefined) { c.setAttribute('aria-invalid', 'true'); return; }
    c.removeAttribute('aria-invalid');
    c.value = kind === 'date' ? iso : isoToInput(iso);
  });
}

/** Today's date in the centre's zone, whatever the computer's own zone is. */
export function today(now = new Date()) {
  const p = parts(now);
  return `${p.y}-${z2(p.mo)}-${z2(p.d)}`;
}

/** A time as the desk shows it, in the centre's zone: `2026-12-02 14:30` (`12-02 14:30`
 * when short and in the current year). */
export function time(iso, { short = false } = {}) {
  if (!iso) return '—';
  const p = parts(new Date(iso));
  const hm = `${z2(p.h)}:${z2(p.mi)}`;
  if (short && p.y === parts(new Date()).y) return `${z2(p.mo)}-${z2(p.d)} ${hm}`;
  return `${p.y}-${z2(p.mo)}-${z2(p.d)} ${hm}`;
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
