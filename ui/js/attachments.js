// Files kept with a record (a training session's materials): listed with who added them,
// saved among the user's exports and opened with the system's viewer; added and removed
// by those who keep the record (the backend decides, the screen only offers).
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el } from './format.js';
import { shared, showError } from './state.js';

/** The file's bytes as base64, without holding a second copy as a string of bytes. */
export function base64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',', 2)[1] ?? '');
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

function size(bytes) {
  return bytes >= 1048576 ? i18n.t('files.mb', { n: (bytes / 1048576).toFixed(1) }) : i18n.t('files.kb', { n: Math.max(1, Math.round(bytes / 1024)) });
}

/** The files of `owner` #`ownerId` as a list, with an adding field when `editable`. */
export function filesBox(owner, ownerId, { editable = false } = {}) {
  const box = el('div', { class: 'files', 'data-testid': 'files', 'data-owner': owner, 'data-owner-id': String(ownerId) });
  const list = el('ul', { class: 'plain', 'data-testid': 'file-list' });
  const status = el('p', { class: 'error', role: 'alert', 'data-testid': 'file-error', hidden: true });
  const saved = el('p', { role: 'status', 'data-testid': 'file-saved', hidden: true });

  async function draw() {
    let files = [];
    try {
      files = await api.attachments(owner, ownerId);
    } catch (e) {
      showError(status, e);
    }
    list.replaceChildren(...files.map((f) => {
      const save = el('button', { type: 'button', class: 'link', 'data-testid': 'file-save', text: i18n.t('files.save') });
      save.addEventListener('click', async () => {
        const replace = save.dataset.replace === 'true';
        delete save.dataset.replace;
        try {
          const path = await api.saveAttachment(f.id, replace);
          const open = el('button', { type: 'button', class: 'link', 'data-testid': 'file-open', text: i18n.t('pdf.open') });
          open.addEventListener('click', () => api.openExport(path).catch((e) => showError(status, e)));
          saved.replaceChildren(el('span', { 'data-testid': 'file-path', 'data-path': path, text: i18n.t('pdf.saved', { path }) }), ' ', open);
          saved.hidden = false;
          status.hidden = true;
        } catch (e) {
          if (e.code === 'file_exists') save.dataset.replace = 'true';
          showError(status, e);
        }
      });
      const remove = editable ? el('button', { type: 'button', class: 'link', 'data-testid': 'file-remove', text: i18n.t('files.remove') }) : null;
      remove?.addEventListener('click', async () => {
        try {
          await api.removeAttachment(owner, f.id);
          await draw();
        } catch (e) {
          showError(status, e);
        }
      });
      return el('li', { 'data-testid': 'file-item', 'data-id': String(f.id), 'data-name': f.name },
        el('strong', { text: f.name }), ` · ${size(f.size)} · ${f.created_by} `, save, remove ? ' ' : null, remove);
    }));
    if (!files.length) list.replaceChildren(el('li', { class: 'muted', text: i18n.t('files.none') }));
  }

  let adding = null;
  if (editable) {
    const types = shared.vocab.file_types ?? [];
    const input = el('input', { type: 'file', 'data-testid': 'file-add', accept: types.map(([e]) => `.${e}`).join(',') });
    input.addEventListener('change', async () => {
      const file = input.files?.[0];
      if (!file) return;
      try {
        const max = shared.vocab.file_max_bytes;
        if (max && file.size > max) throw { code: 'too_large', details: { max } };
        await api.addAttachment(owner, ownerId, file.name, await base64(file));
        status.hidden = true;
        await draw();
      } catch (e) {
        showError(status, e);
      }
      input.value = '';
    });
    adding = el('label', { class: 'block' }, el('span', { text: i18n.t('files.add') }), input);
  }
  box.replaceChildren(el('h4', { text: i18n.t('files.title') }), list, adding, status, saved);
  draw();
  return box;
}
