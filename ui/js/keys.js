// Keyboard first: Ctrl+Enter sends the form being typed in, `/` or Ctrl+F goes to the
// search, and ↑/↓ walk a list (Enter opens what the focused entry names).

/** The button Ctrl+Enter presses: the nearest `data-submit` (the intake's fieldsets name
 * their own ending), else the form's own submit. */
function submitFrom(target) {
  const form = target.closest?.('form');
  if (!form) return false;
  const named = target.closest('[data-submit]');
  if (named) {
    document.querySelector(`[data-testid="${named.dataset.submit}"]`)?.click();
  } else {
    form.requestSubmit();
  }
  return true;
}

/** Moves the focus to the next or previous entry of a `data-keylist` list. */
function walk(list, from, step) {
  const items = [...list.children].filter((x) => !x.hidden);
  const at = items.findIndex((x) => x.contains(from));
  const next = items[Math.min(items.length - 1, Math.max(0, at + step))];
  const target = next?.querySelector('button, a[href], [tabindex]');
  if (!target) return false;
  target.focus();
  next.scrollIntoView({ block: 'nearest' });
  return true;
}

const typing = (t) => t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);

/** `search` focuses the search box (showing the queue first). */
export function wireKeys({ search }) {
  document.addEventListener('keydown', (e) => {
    if (document.body.dataset.gate) return;
    const t = e.target;
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      if (submitFrom(t)) e.preventDefault();
    } else if (((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') || (e.key === '/' && !typing(t) && !e.ctrlKey && !e.metaKey)) {
      e.preventDefault();
      search();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const step = e.key === 'ArrowDown' ? 1 : -1;
      const list = t.closest?.('[data-keylist]');
      if (list && walk(list, t, step)) {
        e.preventDefault();
      } else if (t.type === 'search' && step === 1) {
        // From the search box into the results.
        const first = document.querySelector('#ticket-rows [data-testid="open-ticket"]');
        if (first) { e.preventDefault(); first.focus(); }
      }
    }
  });
}
