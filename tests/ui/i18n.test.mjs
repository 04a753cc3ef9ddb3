// Checks of the frontend that need no webview: the i18n tables are complete in every
// language, the markup holds no literal text, and the rules of the house hold (no
// inline scripts, no remote URLs, no Chinese literals in code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ui = join(root, 'ui');
const read = (...p) => readFileSync(join(...p), 'utf8');
const LANGS = ['zh-CN', 'zh-TW', 'en'];
const tables = Object.fromEntries(LANGS.map((l) => [l, JSON.parse(read(ui, 'i18n', `${l}.json`))]));
const jsFiles = readdirSync(join(ui, 'js')).filter((f) => f.endsWith('.js'));
const htmlFiles = readdirSync(ui).filter((f) => f.endsWith('.html'));

/** The string values of a str_enum! in the Rust model, e.g. Status -> received, closed… */
function rustEnum(name, file = 'model.rs') {
  const src = read(root, 'src-tauri', 'core', 'src', file);
  const start = src.search(new RegExp(`\\b${name}\\s*\\{`));
  assert.ok(start >= 0, `enum ${name} not found`);
  const body = src.slice(start, src.indexOf('}', start));
  return [...body.matchAll(/=\s*"([a-z_]+)"/g)].map((m) => m[1]);
}

function placeholders(s) {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

test('every language has exactly the same keys and placeholders', () => {
  const keys = Object.keys(tables['zh-CN']).sort();
  for (const l of LANGS) {
    assert.deepEqual(Object.keys(tables[l]).sort(), keys, `${l} keys differ from zh-CN`);
    for (const k of keys) {
      assert.ok(tables[l][k].trim().length > 0, `${l}: ${k} is empty`);
      assert.deepEqual(placeholders(tables[l][k]), placeholders(tables['zh-CN'][k]), `${l}: ${k} placeholders`);
    }
  }
});

test('every key the markup and the scripts name exists', () => {
  const used = new Set();
  for (const f of htmlFiles) {
    for (const m of read(ui, f).matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]);
  }
  for (const f of jsFiles) {
    for (const m of read(ui, 'js', f).matchAll(/\bt\('([^'`$]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 20);
  for (const k of used) for (const l of LANGS) assert.ok(k in tables[l], `${l} lacks ${k}`);
});

test('every backend code the UI can meet is translated', () => {
  const errors = [...read(root, 'src-tauri', 'core', 'src', 'error.rs').matchAll(/=>\s*"([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(errors.includes('invalid_transition') && errors.includes('conflict'));
  const actions = rustEnum('ActionKind');
  assert.equal(actions.length, 19);
  // Every action of the backend has its form in the ticket view, and no other.
  const detail = read(ui, 'js', 'detail.js');
  const forms = detail.slice(detail.indexOf('const FORMS = {'), detail.indexOf('};', detail.indexOf('const FORMS = {')));
  const formed = [...forms.matchAll(/^  ([a-z_]+): \[/gm)].map((m) => m[1]);
  assert.deepEqual([...formed].sort(), [...actions].sort());
  const keys = [
    ...errors.map((c) => `error.${c}`),
    'error.internal',
    ...actions.map((a) => `action.${a}`),
    ...rustEnum('Status').map((s) => `status.${s}`),
    ...rustEnum('Severity').map((s) => `severity.${s}`),
    ...rustEnum('Urgency').map((s) => `urgency.${s}`),
    ...rustEnum('Channel').map((s) => `channel.${s}`),
    ...rustEnum('Role').map((s) => `role.${s}`),
    ...rustEnum('Perm').map((s) => `perm.${s}`),
    ...rustEnum('Queue').map((s) => `queue.${s}`),
    ...rustEnum('Satisfaction').map((s) => `satisfaction.${s}`),
    ...rustEnum('CallbackMethod').map((s) => `method.${s}`),
  ];
  // The desktop notifications the scheduler shows use the same tables.
  const scheduler = read(root, 'src-tauri', 'src', 'scheduler.rs');
  for (const m of scheduler.matchAll(/"(notify\.[a-z_.]+)"/g)) keys.push(m[1]);
  for (const kind of ['accept', 'handle', 'callback', 'incident', 'report_upward']) keys.push(`notify.title.${kind}`);
  for (const kind of ['incident', 'report_upward', 'assigned', 'replied', 'extension_requested', 'extension_decided', 'urged']) keys.push(`notify.body.${kind}`);
  keys.push('notify.caller_unnamed');
  // The settings screens label the backend's enumerations (its `vocabulary`) by prefix.
  for (const k of rustEnum('AlarmKind', 'alarms.rs')) keys.push(`prefs.kind.${k}`, `notify.title.${k}`);
  for (const k of rustEnum('Stage', 'sla.rs')) keys.push(`stage.${k}`);
  const calendar = read(root, 'src-tauri', 'core', 'src', 'calendar.rs');
  const units = calendar.slice(calendar.indexOf('pub const UNITS'), calendar.indexOf(';', calendar.indexOf('pub const UNITS')));
  const unitNames = [...units.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
  assert.equal(unitNames.length, 3);
  for (const k of unitNames) keys.push(`unit.${k}`, `unitname.${k}`);
  for (const k of ['rest', 'work']) keys.push(`calendar.${k}`);
  // The fields of the action forms are labelled field.<name>.
  for (const m of read(ui, 'js', 'detail.js').matchAll(/\['([a-z_]+)', '(?:textarea|text|datetime|department|satisfaction|method|check|checkbox|yesno|outcome)'/g)) keys.push(`field.${m[1]}`);
  // Every action the audit log records has a name in the viewer.
  for (const f of ['access/mod.rs', 'access/admin.rs', 'access/reports.rs', 'session.rs', 'store/accounts.rs', 'store/backup.rs', 'store/retention.rs', 'store/accountability.rs', 'store/qa.rs']) {
    const src = read(root, 'src-tauri', 'core', 'src', f);
    for (const m of src.matchAll(/(?:log|append|audit)\(([^;"]*?)"([a-z_]+)"/gs)) {
      if (!m[1].includes('expect(')) keys.push(`audit.a.${m[2]}`);
    }
  }
  // Graded emergency response: kinds, statuses, levels, duty posts, the seeded plans'
  // steps, every timeline action (and its audit entry).
  for (const k of rustEnum('IncidentKind', 'emergency/mod.rs')) keys.push(`incident.kind.${k}`);
  for (const k of rustEnum('IncidentStatus', 'emergency/mod.rs')) keys.push(`incident.status.${k}`);
  for (const k of rustEnum('DutyRole', 'emergency/plan.rs')) keys.push(`duty.${k}`);
  for (const l of [1, 2, 3, 4]) keys.push(`incident.level.${l}`);
  const plan = read(root, 'src-tauri', 'core', 'src', 'emergency', 'plan.rs');
  const seeded = plan.slice(plan.indexOf('pub const SEEDED_STEPS'), plan.indexOf('];', plan.indexOf('pub const SEEDED_STEPS')));
  for (const m of seeded.matchAll(/"([a-z_]+)"/g)) keys.push(`incident.step.${m[1]}`);
  const rules = read(root, 'src-tauri', 'core', 'src', 'emergency', 'mod.rs');
  const named = rules.slice(rules.indexOf('pub fn name(&self)'), rules.indexOf('pub fn manages'));
  const store = ['incidents.rs', 'reviews.rs'].map((f) => read(root, 'src-tauri', 'core', 'src', 'store', f)).join('\n');
  const steps = [...named.matchAll(/=> "([a-z_]+)"/g), ...store.matchAll(/event\(\s*"([a-z_]+)"/g)].map((m) => m[1]);
  for (const a of ['declare', 'raise', 'lower', 'page', 'escalate', 'review', ...steps]) keys.push(`incident.action.${a}`, `audit.a.incident_${a}`);
  assert.ok(steps.includes('link') && steps.includes('resolve'), steps.join());
  keys.push('audit.a.plan_saved');
  // Complaint follow-through: acknowledgements, opinions, grades and the case's entries.
  for (const k of rustEnum('AckMethod', 'complaint/mod.rs')) keys.push(`ack.${k}`);
  for (const k of rustEnum('LegalOutcome', 'complaint/mod.rs')) keys.push(`legal.${k}`);
  for (const g of [1, 2, 3]) keys.push(`grade.${g}`);
  const cases = ['complaints.rs', 'improvements.rs'].map((f) => read(root, 'src-tauri', 'core', 'src', 'store', f)).join('\n');
  const entries = [...new Set([...cases.matchAll(/now,\s*"([a-z_]+)",/g)].map((m) => m[1]))];
  assert.deepEqual(entries.sort(), ['acknowledge', 'assess', 'cause', 'legal_opinion', 'measure', 'measure_done', 'remedy']);
  for (const a of entries) keys.push(`action.${a}`);
  for (const k of rustEnum('CauseCategory', 'complaint/cause.rs')) keys.push(`cause.category.${k}`);
  for (const k of rustEnum('AnalysisMethod', 'complaint/cause.rs')) keys.push(`cause.method.${k}`);
  for (const k of rustEnum('Proposal', 'complaint/accountability.rs')) keys.push(`proposal.${k}`);
  for (const k of ['open', 'watching', 'effective', 'recurred']) keys.push(`measure.${k}`);
  for (const k of rustEnum('ReviewStatus', 'qa/mod.rs')) keys.push(`qa.status.${k}`);
  for (const k of ['assigned', 'mine', 'disputed', 'all']) keys.push(`qa.scope.${k}`);
  const creport = read(root, 'src-tauri', 'core', 'src', 'store', 'complaint_report.rs');
  const ckpis = [...creport.matchAll(/Kpi::new\("([a-z_]+)"/g)].map((m) => m[1]);
  assert.equal(ckpis.length, 3);
  for (const k of ckpis) keys.push(`complaint_kpi.${k}.name`, `complaint_kpi.${k}.formula`);
  const qreport = read(root, 'src-tauri', 'core', 'src', 'store', 'qa_report.rs');
  const qkpis = [...new Set([...qreport.matchAll(/Kpi::new\("([a-z_]+)"/g)].map((m) => m[1]))];
  assert.deepEqual(qkpis.sort(), ['qa_average', 'qa_coverage', 'qa_disputes_upheld']);
  for (const k of qkpis) keys.push(`qa_kpi.${k}.name`, `qa_kpi.${k}.formula`);
  for (const k of rustEnum('Topic', 'training/mod.rs')) keys.push(`training.topic.${k}`);
  for (const k of rustEnum('Method', 'training/mod.rs')) keys.push(`training.method.${k}`);
  for (const k of rustEnum('QuestionKind', 'training/exam.rs')) keys.push(`training.kind.${k}`);
  for (const k of rustEnum('ItemKind', 'training/onboarding.rs')) keys.push(`onboarding.kind.${k}`);
  // The knowledge base: materials, states, upkeep views, the review steps and their audit entries.
  for (const k of rustEnum('Material', 'kb/mod.rs')) keys.push(`kb.material.${k}`);
  for (const k of rustEnum('ArticleState', 'kb/mod.rs')) keys.push(`kb.state.${k}`);
  for (const k of rustEnum('VersionState', 'kb/mod.rs')) keys.push(`kb.version_state.${k}`);
  for (const k of rustEnum('Step', 'kb/mod.rs')) keys.push(`kb.step.${k}`, `audit.a.article_${k}`);
  for (const k of rustEnum('Upkeep', 'store/kb_views.rs')) keys.push(`kb.upkeep.${k}`);
  keys.push('audit.a.article_saved', 'audit.a.articles_imported', 'kb_kpi.knowledge_coverage.name', 'kb_kpi.knowledge_coverage.formula');
  for (const k of rustEnum('PartState')) keys.push(`co.state.${k}`);
  for (const k of rustEnum('Reason', 'duplicates.rs')) keys.push(`dup.reason.${k}`);
  for (const a of ['merge', 'merged', 'split', 'unmerged']) keys.push(`action.${a}`);
  const returns = read(root, 'src-tauri', 'core', 'src', 'returns.rs');
  const builtIn = returns.slice(returns.indexOf('BUILT_IN'), returns.indexOf('];', returns.indexOf('BUILT_IN')));
  const reasonCodes = [...builtIn.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
  assert.equal(reasonCodes.length, 6, reasonCodes.join());
  for (const k of reasonCodes) keys.push(`return.reason.${k}`);
  for (const k of rustEnum('RequestState', 'returns.rs')) keys.push(`return.state.${k}`);
  for (const a of ['return_requested', 'return_refused', 'return_escalated', 'return_upheld']) keys.push(`action.${a}`);
  // The assessment's exclusions (不合理件) and appeals: reasons, states, timeline entries.
  for (const k of rustEnum('ExclusionReason', 'assessment.rs')) keys.push(`exclusion.reason.${k}`);
  for (const k of rustEnum('ExclusionState', 'assessment.rs')) keys.push(`exclusion.state.${k}`);
  for (const k of rustEnum('AppealState', 'assessment.rs')) keys.push(`appeals.state.${k}`);
  const appealStore = read(root, 'src-tauri', 'core', 'src', 'store', 'appeals.rs');
  const appealActions = [...new Set([...appealStore.matchAll(/"((?:exclusion|appeal)_(?!id")[a-z]+)"/g)].map((m) => m[1]))];
  assert.equal(appealActions.length, 6, appealActions.join());
  for (const a of appealActions) keys.push(`action.${a}`);
  // Supervision notices: kinds, causes, the timeline entries.
  for (const k of rustEnum('NoticeKind', 'supervision.rs')) keys.push(`notice.number.${k}`, `notice.title.${k}`);
  for (const k of rustEnum('NoticeCause', 'supervision.rs')) keys.push(`notice.cause.${k}`, `notice.body.${k}`);
  keys.push('action.notice_issued', 'action.notice_acknowledged');
  const dispatchStore = read(root, 'src-tauri', 'core', 'src', 'store', 'dispatch.rs');
  const dkpis = [...dispatchStore.matchAll(/Kpi::new\(\s*"([a-z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual(dkpis, ['dispatch_accuracy', 'dispatch_overrides', 'repeat_share']);
  for (const k of dkpis) keys.push(`dispatch_kpi.${k}.name`, `dispatch_kpi.${k}.formula`);
  for (const u of ['working_days', 'business_hours', 'calendar_hours']) keys.push(`dispatch.span.${u}`);
  keys.push('audit.a.dispatch_rule_added', 'audit.a.dispatch_rule_retired', 'audit.a.articles_seeded');
  // The seeded onboarding checklist is worded by key.
  const onboarding = read(root, 'src-tauri', 'core', 'migrations', '0034_onboarding.sql');
  const items = [...onboarding.matchAll(/\('([a-z_]+)', '(?:task|session|exam)', (?:NULL|'[a-z_]+'), \d+\)/g)].map((m) => m[1]);
  assert.equal(items.length, 9);
  for (const k of items) keys.push(`onboarding.item.${k}`);
  // The assessment's weights are labelled like every KPI.
  const settingsSrc = read(root, 'src-tauri', 'core', 'src', 'settings.rs');
  const weights = settingsSrc.slice(settingsSrc.indexOf('pub const AGENT_WEIGHTS'), settingsSrc.indexOf('];', settingsSrc.indexOf('pub const AGENT_WEIGHTS')));
  for (const m of weights.matchAll(/"([a-z_]+)"/g)) keys.push(`kpi.${m[1]}.name`, `kpi.${m[1]}.formula`);
  const seed = read(root, 'src-tauri', 'core', 'migrations', '0001_init.sql');
  for (const m of seed.matchAll(/'((?:consultation|complaint|help_request|suggestion|praise|incident_report)[a-z_.]*)'/g)) keys.push(`category.${m[1]}`);
  for (const k of keys) for (const l of LANGS) assert.ok(k in tables[l], `${l} lacks ${k}`);
});

test('markup has no literal text: every word comes from the tables', () => {
  for (const f of htmlFiles) {
    const text = read(ui, f)
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' ');
    const words = text.replace(/[\s:：·|/()（）\-–—]+/g, '');
    assert.equal(words, '', `${f} has literal text: ${words.slice(0, 80)}`);
  }
});

test('no inline scripts or handlers, no remote URLs, no Chinese literals in code', () => {
  for (const f of htmlFiles) {
    const html = read(ui, f);
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1], /\bsrc=/, `${f}: inline script`);
      assert.equal(m[2].trim(), '', `${f}: inline script body`);
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${f}: inline event handler`);
    assert.doesNotMatch(html, /\bstyle\s*=/i, `${f}: inline style`);
  }
  for (const f of [...htmlFiles.map((h) => join(ui, h)), ...jsFiles.map((j) => join(ui, 'js', j)), join(ui, 'css', 'app.css')]) {
    assert.doesNotMatch(readFileSync(f, 'utf8'), /https?:\/\/(?!ipc\.localhost)/, `${f}: remote URL`);
  }
  for (const f of jsFiles) {
    const code = read(ui, 'js', f).replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    assert.doesNotMatch(code, /[\u4e00-\u9fff]/, `${f}: a Chinese literal belongs in ui/i18n`);
  }
});

test('English counts of one are singular; every plural form has its base', async () => {
  const i18n = await import('../../ui/js/i18n.js');
  i18n.use('en', tables.en);
  assert.equal(i18n.t('unit.working_days', { n: 1 }), '1 working day');
  assert.equal(i18n.t('unit.working_days', { n: 2 }), '2 working days');
  assert.equal(i18n.t('error.reopen_window_passed', { days: 1 }).includes('1 day ago'), true);
  i18n.use('zh-CN', tables['zh-CN']);
  assert.equal(i18n.t('unit.working_days', { n: 1 }), '1 个工作日');
  for (const l of LANGS) {
    for (const k of Object.keys(tables[l]).filter((k) => k.includes('#'))) {
      const base = k.slice(0, k.indexOf('#'));
      assert.ok(base in tables[l], `${l}: ${k} without ${base}`);
      assert.deepEqual(placeholders(tables[l][k]), placeholders(tables[l][base]), `${l}: ${k} placeholders`);
    }
  }
});

test('the language follows the OS locale, Simplified Chinese when unsupported', async () => {
  const { detect } = await import('../../ui/js/i18n.js');
  assert.equal(detect(null, ['zh-CN']), 'zh-CN');
  assert.equal(detect(null, ['zh-TW', 'en']), 'zh-TW');
  assert.equal(detect(null, ['zh-HK']), 'zh-TW');
  assert.equal(detect(null, ['zh-Hant-TW']), 'zh-TW');
  assert.equal(detect(null, ['en-US']), 'en');
  assert.equal(detect(null, ['fr-FR', 'de']), 'zh-CN');
  assert.equal(detect(null, []), 'zh-CN');
  assert.equal(detect('en', ['zh-CN']), 'en', 'a choice the user made wins');
  assert.equal(detect('xx', ['zh-CN']), 'zh-CN');
});
