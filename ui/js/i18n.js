// Every visible string comes from ui/i18n/<lang>.json. Markup names keys with
// data-i18n (text), data-i18n-placeholder, data-i18n-aria-label and data-i18n-title.

export const LANGS = ['zh-CN', 'zh-TW', 'en'];
let table = {};
let current = 'zh-CN';

/** The OS locale decides (the webview reports it), Simplified Chinese when unsupported. */
export function detect(saved, preferred) {
  if (LANGS.includes(saved)) return saved;
  for (const raw of preferred) {
    const l = String(raw).toLowerCase();
    if (/^zh-(tw|hk|mo)|^zh-hant/.test(l)) return 'zh-TW';
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

export async function load(lang) {
  const res = await fetch(`i18n/${lang}.json`);
  use(lang, await res.json());
  document.documentElement.lang = lang;
}

/** Makes `tbl` the table of `lang` (what `load` fetched; tests pass one directly). */
export function use(lang, tbl) {
  table = tbl;
  current = lang;
}

export function lang() {
  return current;
}

/** Translates `key`, filling {name} placeholders; a missing key shows as ⟦key⟧ so tests catch it.
 * A count (`n` or `days`) picks the plural form `key#one` where the language has one. */
export function t(key, params = {}) {
  const count = params.n ?? params.days;
  const plural = typeof count === 'number' ? table[`${key}#${new Intl.PluralRules(current).select(count)}`] : undefined;
  const s = plural ?? table[key];
  if (typeof s !== 'string') return `⟦${key}⟧`;
  return s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? `{${k}}`));
}

export function has(key) {
  return typeof table[key] === 'string';
}

export function apply(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  document.title = t(document.body.classList.contains('reports') ? 'reports.title' : 'app.title');
  // The window's own title bar follows the language too.
  const ipc = window.__TAURI_INTERNALS__;
  const label = ipc?.metadata?.currentWindow?.label;
  if (label) ipc.invoke('plugin:window|set_title', { label, value: document.title }).catch(() => {});
}

/** A backend error in the user's language, with its parameters. */
export function errorText(err) {
  const details = { ...(err.details || {}) };
  if (details.field && has(`field.${details.field}`)) details.field = t(`field.${details.field}`);
  if (details.status && has(`status.${details.status}`)) details.status = t(`status.${details.status}`);
  if (details.action && has(`action.${details.action}`)) details.action = t(`action.${details.action}`);
  if (details.permission && has(`perm.${details.permission}`)) details.action = t(`perm.${details.permission}`);
  if (details.role && has(`role.${details.role}`)) details.role = t(`role.${details.role}`);
  for (const k of ['incident_status', 'incident_action']) {
    const key = `incident.${k.slice(9)}.${details[k]}`;
    if (details[k] && has(key)) details[k] = t(key);
  }
  if (err.code === 'article_step') {
    if (has(`kb.step.${details.step}`)) details.step = t(`kb.step.${details.step}`);
    if (has(`kb.version_state.${details.state}`)) details.state = t(`kb.version_state.${details.state}`);
  }
  if (err.code === 'incident_changed' && has(`incident.action.${details.action}`)) details.action = t(`incident.action.${details.action}`);
  if (details.entity && has(`entity.${details.entity}`)) details.entity = t(`entity.${details.entity}`);
  // A conflict names who changed what, when the backend knows.
  const key = err.code === 'conflict' && !details.by ? 'error.conflict_unknown' : `error.${err.code}`;
  return has(key) ? t(key, details) : t('error.unknown', { code: err.code, message: err.message });
}
