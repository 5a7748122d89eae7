// The keyboard shortcuts (src/components/app.rs), with the focus on the page's body and on a
// button: each key does its job, none scrolls the page, and none logs anything (a passive
// listener that calls preventDefault makes Chromium log "Unable to preventDefault inside
// passive event listener invocation", which fails the step by the harness's console rule).
// Esc closes the shortcuts list and never opens it.

import { TIMEOUT, appWithOrders, fail, readNumber, tid, until } from '../lib/app.mjs';

// How long a key's default action (a smooth scroll) may take to show.
const SETTLE_MS = 300;

// Where the page and every scrolling box in it stand. A key's default scroll lands on the
// window or on the box the user last clicked in (the sidebar, after "Generate orders"). The
// event log is left out: it scrolls itself to keep the cursor's row in view (virtual_list.rs).
const scrollState = (page) =>
  page.evaluate(() => {
    const boxes = [...document.querySelectorAll('*')]
      .filter((el) => (el.scrollTop || el.scrollLeft) && !el.closest('[data-testid="event-log"]'))
      .map((el) => `${el.dataset.testid ?? el.className ?? el.tagName}@${el.scrollLeft},${el.scrollTop}`);
    return [`window@${window.scrollX},${window.scrollY}`, ...boxes].join(' ');
  });
const scrollY = (page) => page.evaluate(() => document.querySelector('.sidebar')?.scrollTop ?? 0);
const helpOpen = async (page) => (await page.locator(tid('help-overlay')).count()) > 0;
const playing = async (page) => (await page.locator(tid('timeline-play')).first().getAttribute('aria-pressed')) === 'true';
const inPast = async (page) => (await page.locator(tid('past-banner')).count()) > 0;

async function focusOn(page, target) {
  if (target === 'body') {
    await page.evaluate(() => document.activeElement?.blur());
  } else {
    // preventScroll: focusing must not move the page either, or the check below means nothing.
    await page.locator(tid(target)).first().evaluate((el) => el.focus({ preventScroll: true }));
  }
  const focused = await page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
  const wanted = target === 'body' ? 'BODY' : target;
  if (focused !== wanted) fail(`could not put the focus on ${wanted} (it is on ${focused})`);
  return wanted;
}

export const keyboardShortcuts = {
  name: 'keyboard-shortcuts',
  title: 'shortcuts on the body and on a button: they act, never scroll, log nothing; Esc only closes',
  // A projector's screen: the page itself fits it (static/style.css) and the sidebar scrolls
  // inside itself, so a key that scrolled it (or the page) would show.
  viewport: { width: 1280, height: 720 },
  async run({ page, base }) {
    await appWithOrders(page, base, 50);
    const events = await readNumber(page, 'event-count');
    const room = await page.evaluate(() => {
      const box = document.querySelector('.sidebar');
      return box ? box.scrollHeight - box.clientHeight : 0;
    });
    if (room < 100) fail(`the sidebar scrolls by only ${room} px at 1280x720: the scroll check would prove nothing`);
    // Without scroll anchoring, scrollY moves only when something scrolls the page, not when
    // the past banner comes or goes above the fold. From the middle, Space and End would scroll
    // down and Home up.
    await page.evaluate((y) => {
      document.documentElement.style.overflowAnchor = 'none';
      document.body.style.overflowAnchor = 'none';
      document.querySelector('.sidebar').scrollTop = y;
    }, Math.floor(room / 2));
    const pressed = [];

    for (const target of ['body', 'center-read-models']) {
      const focus = await focusOn(page, target);
      if ((await scrollY(page)) === 0) fail('the sidebar is at its top: the scroll check would not see Home');
      const y = await scrollState(page);
      const press = async (key, expect, description) => {
        await page.keyboard.press(key);
        await until(() => expect(), `${JSON.stringify(key)} with the focus on ${focus}: ${description}`, TIMEOUT);
        await page.waitForTimeout(SETTLE_MS);
        const now = await scrollState(page);
        if (now !== y) fail(`${JSON.stringify(key)} with the focus on ${focus} scrolled the page: from ${y} to ${now}`);
        const still = await page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
        if (still !== focus) fail(`${JSON.stringify(key)} moved the focus from ${focus} to ${still}`);
        pressed.push(`${key === ' ' ? 'Space' : key}@${focus === 'BODY' ? 'body' : 'button'}`);
      };
      const cursorIs = async (n) => (await readNumber(page, 'cursor-position')) === n;

      await press('ArrowLeft', async () => (await inPast(page)) && cursorIs(events - 1), `one step back, to ${events - 1}`);
      await press('Home', () => cursorIs(0), 'the start of the log');
      if (focus === 'BODY') {
        await press(' ', () => playing(page), 'play');
      } else {
        // On a button, Space presses the button (the tab that is already open) and does not play.
        await press(' ', async () => {
          const selected = await page.locator(tid('center-read-models')).first().getAttribute('aria-selected');
          return selected === 'true' && !(await playing(page));
        }, 'press the button, not play');
      }
      await press('End', async () => !(await inPast(page)) && !(await playing(page)) && cursorIs(events), 'back to live, paused');
      await press('?', () => helpOpen(page), 'show the shortcuts');
      await press('?', async () => !(await helpOpen(page)), 'hide the shortcuts');
      // Esc with nothing open: nothing opens.
      await press('Escape', async () => {
        await page.waitForTimeout(SETTLE_MS);
        return !(await helpOpen(page));
      }, 'leave the shortcuts closed');
      await press('?', () => helpOpen(page), 'show the shortcuts');
      await press('Escape', async () => !(await helpOpen(page)), 'close the shortcuts');
    }
    return `${pressed.length} key presses (${pressed.join(', ')}), the page stayed at its scroll position, Esc only closed`;
  },
};
