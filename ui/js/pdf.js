// Printed documents as PDF files: the transfer slip and the report.
import { api } from './api.js';
import * as i18n from './i18n.js';
import { el } from './format.js';
import { showError } from './state.js';

/** Prints the page's print layout to a PDF in the exports folder and offers to open it;
 * a second click replaces a file of the same name. Where the desk cannot print to a file
 * (not WebKitGTK), the webview's print dialog does. */
export async function savePdf(button, save, result) {
  const replace = button.dataset.replace === 'true';
  delete button.dataset.replace;
  try {
    const path = await save(replace);
    const open = el('button', { type: 'button', class: 'link', 'data-testid': 'open-pdf', text: i18n.t('pdf.open') });
    open.addEventListener('click', () => api.openExport(path).catch((e) => showError(result, e)));
    result.replaceChildren(el('span', { 'data-testid': 'pdf-path', 'data-path': path, text: i18n.t('pdf.saved', { path }) }), ' ', open);
    result.hidden = false;
  } catch (e) {
    if (e.code === 'not_configured') { window.print(); return; }
    if (e.code === 'file_exists') button.dataset.replace = 'true';
    throw e;
  }
}
