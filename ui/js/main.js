// The desk window: sign-in first, then routing between the queue, intake, detail and
// settings views, the language, keyboard shortcuts and live updates.
import { api, listen } from './api.js';
import * as i18n from './i18n.js';
import { setZone, time, wireDateFields } from './format.js';
import { $, shared, showError, loadReference, loadVocabulary, notice } from './state.js';
import * as queue from './queue.js';
import * as intake from './intake.js';
import * as detail from './detail.js';
import * as settings from './settings.js';
import * as inbox from './inbox.js';
import * as session from './session.js';
import * as admin from './admin.js';
import * as connection from './connection.js';
import * as offline from './offline.js';
import * as presence from './presence.js';
import * as incidents from './incidents.js';
import * as qa from './qa.js';
import * as training from './training.js';
import * as kb from './kb.js';
import * as appeals from './appeals.js';
import { wireKeys } from './keys.js';

const VIEWS = ['queue', 'intake', 'detail', 'settings', 'notifications', 'incidents', 'incident', 'qa', 'training', 'kb', 'appeals'];
let view = 'queue';

function show(name) {
  if (view !== name) window.scrollTo(0, 0);
  // Leaving the intake keeps the call being typed (saved now, restored on return).
  if (view === 'intake' && name !== 'intake') intake.flush();
  view = name;
  if (name !== 'detail') presence.watch(null);
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== name;
  document.body.dataset.view = name;
}

async function openTicket(id) {
  try {
    await detail.show(id);
    show('detail');
    $('#back').focus();
  } catch (e) {
    showError($('[data-testid="error"]'), e);
  }
}


async function reloadInfo() {
  shared.info = await api.appInfo();
  setZone(shared.info.timezone);
  $('#db-path').textContent = shared.info.db_path;
}

function translateAll() {
  i18n.apply();
  session.applyPerms();
  queue.fillFilters();
  intake.fill();
  incidents.fill();
  settings.render();
  connection.translate();
  offline.render();
  presence.render();
}

async function setLang(lang) {
  // The ticket shown when the language changed is drawn again in it; one opened meanwhile
  // is already drawn in it (drawing it again would close a form just opened).
  const shown = view === 'detail' ? detail.currentId() : null;
  await i18n.load(lang);
  localStorage.setItem('lang', lang);
  api.setSetting('ui_language', lang).catch(() => {});
  $('#lang-select').value = lang;
  translateAll();
  await queue.refresh();
  if (shown && view === 'detail' && detail.currentId() === shown) await detail.show(shown);
}

async function onChange() {
  await queue.refresh({ listToo: view === 'queue' });
  if (view === 'detail') await detail.refreshIfChanged();
}

function wire() {
  $('#lang-select').addEventListener('change', (e) => setLang(e.target.value));
  const newCall = () => {
    if (!session.can('create_tickets')) return;
    const again = view === 'intake';
    show('intake');
    intake.open({ again });
  };
  $('#new-call').addEventListener('click', newCall);
  $('#intake-cancel').addEventListener('click', () => show('queue'));
  $('#open-settings').addEventListener('click', async () => {
    settings.render();
    show('settings');
    await settings.load();
    await admin.load();
  });
  $('#open-reports').addEventListener('click', () => api.openReports().catch((e) => showError($('[data-testid="error"]'), e)));
  $('#bell').addEventListener('click', async () => { show('notifications'); await inbox.open(); });
  $('#back').addEventListener('click', () => { show('queue'); queue.refresh(); });
  document.addEventListener('show-queue', () => show('queue'));
  document.addEventListener('ticket-changed', () => queue.refresh({ listToo: false }));
  document.addEventListener('reference-changed', () => { queue.fillFilters(); intake.fill(); });
  wireKeys({
    search: () => {
      if (view !== 'queue') { show('queue'); queue.refresh(); }
      const box = $('#search');
      box.focus();
      box.select();
    },
  });
  document.addEventListener('keydown', (e) => {
    if (document.body.dataset.gate) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'n') {
      e.preventDefault();
      newCall();
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'r') {
      e.preventDefault();
      api.openReports().catch((err) => showError($('[data-testid="error"]'), err));
    } else if (e.key === 'Escape' && view !== 'queue') {
      show('queue');
      queue.refresh();
    }
  });
  $('[data-testid="load-demo"]').addEventListener('click', async (e) => {
    const b = e.currentTarget;
    b.disabled = true;
    b.textContent = i18n.t('empty.loading');
    try {
      await api.seedDemo();
      await loadReference();
      translateAll();
    } catch (err) {
      showError($('[data-testid="error"]'), err);
    }
    b.disabled = false;
    b.textContent = i18n.t('empty.load');
    queue.refresh();
  });
}

async function start() {
  const lang = i18n.detect(localStorage.getItem('lang'), navigator.languages || [navigator.language]);
  await i18n.load(lang);
  $('#lang-select').value = lang;
  i18n.apply();
  queue.init({ open: openTicket });
  intake.init({
    open: openTicket,
    saved: async (t) => {
      show('queue');
      // Kept on this desk while the centre server cannot be reached: sent when it can be.
      if (t.offline) {
        await offline.refresh();
        notice(i18n.t('offline.kept', { time: time(t.taken_at) }));
        return;
      }
      await queue.refresh();
      notice(i18n.t('intake.saved', { number: t.number, status: i18n.t(`status.${t.status}`) }));
    },
  });
  detail.init();
  incidents.init({ show, openTicket, view: () => view });
  qa.init({ show });
  training.init({ show });
  kb.init({ show });
  appeals.init({ show, openTicket });
  wireDateFields();
  settings.init();
  admin.init();
  wire();
  await connection.init(() => session.regate());
  try {
    // Public, and needed by any screen that lists values (even before sign-in).
    await loadVocabulary();
    await session.start(() => enter(lang));
    // "Change connection" in the settings signs out and comes back here.
    if (window.location.hash === '#connection') connection.open();
  } catch (e) {
    // The data file could not be opened (e.g. written by a newer version): say why.
    document.body.dataset.gate = 'error';
    $('#login-form').hidden = false;
    showError($('[data-testid="login-error"]'), e);
  }
}

/** Everything after sign-in: the signed-in user's desk. */
async function enter(lang) {
  try {
    await reloadInfo();
    await loadReference();
  } catch (e) {
    showError($('[data-testid="error"]'), e);
    return;
  }
  translateAll();
  await queue.refresh();
  document.body.dataset.actingUser = String(shared.info.user.id);
  inbox.init({ open: openTicket, incident: (id) => incidents.openIncident(id), training: () => training.open() });
  await inbox.refreshCount();
  await incidents.refreshActive();
  if (session.can('create_tickets')) await intake.restore();
  api.setSetting('ui_language', lang).catch(() => {});
  listen('tickets-changed', onChange).catch((e) => showError($('[data-testid="error"]'), e));
  // Incidents are looked at again only when they may have changed (not on every ticket).
  listen('incidents-changed', () => incidents.refresh()).catch(() => {});
  await offline.init();
  listen('notifications-changed', () => (view === 'notifications' ? inbox.open() : inbox.refreshCount())).catch(() => {});
  document.body.dataset.ready = 'true';
  performance.mark('hotline:ready');
}

start();
