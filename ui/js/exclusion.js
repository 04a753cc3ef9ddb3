// Proposing a ticket as unreasonable for its department's assessment (不合理件): a reason
// from the list and the evidence; a supervisor decides in the assessment view.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el, options } from './format.js';
import { $, shared, showError, notice } from './state.js';
import { can } from './session.js';

export function render(ticket, reload) {
  const box = $('#detail-exclusion');
  box.hidden = !(ticket.department_id && can('propose_exclusion'));
  if (box.hidden) { box.replaceChildren(); return; }
  const reason = el('select', { name: 'reason', required: true, 'data-testid': 'exclusion-reason' });
  options(reason, shared.vocab.exclusion_reasons.map((r) => [r, i18n.t(`exclusion.reason.${r}`)]));
  const error = el('p', { class: 'error', role: 'alert', 'data-testid': 'exclusion-error', hidden: true });
  const form = el('form', { 'data-testid': 'exclusion-form', novalidate: true },
    el('label', {}, el('span', { text: i18n.t('exclusion.reason') }), reason),
    el('label', {}, el('span', { text: i18n.t('appeals.evidence') }),
      el('textarea', { name: 'evidence', rows: 3, required: true, 'data-testid': 'exclusion-evidence' })),
    el('p', { class: 'form-actions' }, el('button', { type: 'submit', 'data-testid': 'exclusion-propose', text: i18n.t('exclusion.propose') })),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.proposeExclusion(ticket.id, reason.value, form.elements.evidence.value);
      notice(i18n.t('exclusion.proposed', { number: ticket.number }));
      await reload();
    } catch (err) {
      showError(error, err);
    }
  });
  box.replaceChildren(el('details', {}, el('summary', { text: i18n.t('exclusion.title') }),
    el('p', { class: 'muted', text: i18n.t('exclusion.intro') }), form));
}
