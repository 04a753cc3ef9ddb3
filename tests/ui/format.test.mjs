// Times as the desk shows and reads them: the centre's zone whatever the computer's
// zone, one written form in every language, one text stop per date-time field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as f from '../../ui/js/format.js';
import * as i18n from '../../ui/js/i18n.js';

f.setZone('Asia/Shanghai');

test('typed dates and times are read in the centre zone, in any usual spelling', () => {
  for (const typed of ['2026-12-02 14:30', '2026/12/2 14:30', '2026.12.02 14:30', '2026-12-02T14:30', '2026年12月2日 14时30分']) {
    assert.equal(f.inputToIso(typed), '2026-12-02T06:30:00.000Z', typed);
  }
  assert.equal(f.inputToIso(''), null);
  for (const bad of ['2026-02-30 10:00', '2026-12-02', '14:30', '2026-12-02 25:00', 'tomorrow']) {
    assert.equal(f.inputToIso(bad), undefined, bad);
  }
  assert.equal(f.isoToInput('2026-12-02T06:30:00Z'), '2026-12-02 14:30');
  assert.equal(f.dateToIso('2026-12-02'), '2026-12-01T16:00:00.000Z', 'local midnight');
  assert.equal(f.dateToIso('2026-12-02', 1), '2026-12-02T16:00:00.000Z', 'the day included');
  assert.equal(f.dateToIso('12/02/2026'), undefined, 'no US order');
  assert.equal(f.normalDate('2026-1-5'), '2026-01-05');
});

test('the date follows the centre, not the computer; one form in every language', () => {
  // 17:00 UTC on 1 December is already 2 December in Beijing.
  assert.equal(f.today(new Date('2026-12-01T17:00:00Z')), '2026-12-02');
  const shown = [];
  for (const lang of ['zh-CN', 'zh-TW', 'en']) {
    i18n.use(lang, {});
    shown.push(f.time('2026-12-01T17:05:00Z'));
  }
  assert.deepEqual(shown, Array(3).fill('2026-12-02 01:05'));
  f.setZone('America/New_York');
  assert.equal(f.time('2026-12-01T17:05:00Z'), '2026-12-01 12:05');
  f.setZone('Asia/Shanghai');
});
