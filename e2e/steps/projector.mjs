// Projector-first layout (issue #12): at 1280x720 with large text on (switched on as a user
// would), on every centre tab, with lesson 1 open and without, nothing scrolls sideways, the
// timeline's slider and step buttons and the log's first row are on screen and uncovered, a
// notice covers none of them nor the lesson nor the event detail, and the key text boxes do
// not clip their text. The essentials again at 1440x900 and 1920x1080. Also the skip link and
// the lesson's prediction giving ← and → back to the timeline.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TIMEOUT, fail, openApp, placeOrder, readNumber, tid, until } from '../lib/app.mjs';

const SHOTS = process.env.PROJECTOR_SHOTS ?? '/tmp/shots-projector';
const TABS = ['read-models', 'services', 'trace', 'compare', 'catalog', 'time', 'scripts'];
const ESSENTIAL = ['timeline-slider', 'timeline-step-back', 'timeline-step-forward', 'event-row'];
// Boxes whose text must be whole: tile summaries, column headers, totals, buttons, tabs.
const NOT_CLIPPED = '.model-tab, .model-name, .model-headline, .table-header span, th, .stats dd, .center-tab, .button, .icon-button, .panel-title, .log-row > *';

// Where each essential element stands, whether it is in the viewport and on top at its centre.
const layout = (page, ids) =>
  page.evaluate((ids) => {
    const rect = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const out = { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, essentials: {}, clipped: [], covers: [] };
    // Boxes that scroll sideways inside the page (a drawing wider than its frame once did). The
    // script editor is the one exception: it keeps each line whole, so its line numbers and error
    // markers stay true, and scrolls like every code editor.
    out.sideways = [...document.querySelectorAll('*')]
      .filter((el) => el.offsetParent !== null && el.tagName !== 'TEXTAREA' && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.dataset.testid ?? el.className} (${el.scrollWidth} > ${el.clientWidth})`);
    for (const id of ids) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (!el) { out.essentials[id] = { missing: true }; continue; }
      const r = rect(el);
      const inView = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
      out.essentials[id] = { ...r, inView, onTop: !!hit && (hit === el || el.contains(hit)) };
    }
    return out;
  }, ids);

const clipped = (page) =>
  page.evaluate((sel) => [...document.querySelectorAll(sel)]
    .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.dataset.testid ?? el.className}: "${el.textContent.trim().slice(0, 40)}" (${el.scrollWidth} > ${el.clientWidth})`), NOT_CLIPPED);

// Rects of the notices and of what they must never cover.
const overlaps = (page, ids) =>
  page.evaluate((ids) => {
    const toasts = [...document.querySelectorAll('.toast')].map((el) => el.getBoundingClientRect());
    const hits = [];
    for (const id of ids) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (!el) continue;
      // The part of it on screen: a box that scrolls inside a panel is clipped by the panel.
      const r = { ...el.getBoundingClientRect().toJSON() };
      for (let box = el.parentElement; box; box = box.parentElement) {
        if (getComputedStyle(box).overflowY === 'visible') continue;
        const b = box.getBoundingClientRect();
        r.left = Math.max(r.left, b.left); r.right = Math.min(r.right, b.right);
        r.top = Math.max(r.top, b.top); r.bottom = Math.min(r.bottom, b.bottom);
      }
      if (r.right <= r.left || r.bottom <= r.top) continue;
      for (const t of toasts) {
        if (t.left < r.right && t.right > r.left && t.top < r.bottom && t.bottom > r.top) hits.push(id);
      }
    }
    return { toasts: toasts.length, hits };
  }, ids);

async function check(page, where, { clipping = true } = {}) {
  const problems = [];
  const l = await layout(page, ESSENTIAL);
  if (l.scrollWidth > l.clientWidth) problems.push(`scrolls sideways (${l.scrollWidth} > ${l.clientWidth})`);
  for (const box of l.sideways) problems.push(`${box} scrolls sideways`);
  for (const [id, e] of Object.entries(l.essentials)) {
    if (e.missing) problems.push(`${id} missing`);
    else if (!e.inView) problems.push(`${id} off screen (${Math.round(e.top)}..${Math.round(e.bottom)})`);
    else if (!e.onTop) problems.push(`${id} covered`);
  }
  if (clipping) problems.push(...(await clipped(page)).map((c) => `clips ${c}`));
  const o = await overlaps(page, [...ESSENTIAL, 'lesson', 'event-detail']);
  if (o.hits.length) problems.push(`a notice covers ${[...new Set(o.hits)].join(', ')}`);
  if (problems.length) fail(`${where}: ${problems.join('; ')}`);
  return o.toasts;
}

async function largeText(page) {
  await page.locator(tid('large-text')).first().click({ timeout: TIMEOUT });
  await page.locator('.app.large-text').first().waitFor({ timeout: TIMEOUT });
}

// Shows or folds the commands where they fold (large text beside a lesson on a narrow screen).
async function commandsShown(page, shown) {
  const fold = page.locator(tid('commands-fold')).first();
  if (!(await fold.isVisible())) return false;
  if ((await fold.getAttribute('aria-expanded')) !== String(shown)) await fold.click({ timeout: TIMEOUT });
  return true;
}

// Places an order (a notice appears) so the log has a row and a notice is on screen. Where the
// commands fold, it unfolds them for the order and folds them again, as a teacher would.
async function withANotice(page) {
  const folds = await commandsShown(page, true);
  await placeOrder(page);
  // The newest: on a short screen only the newest notice shows (an earlier one is hidden).
  await page.locator('.toast').last().waitFor({ timeout: TIMEOUT });
  if (folds) await commandsShown(page, false);
}

async function everyTab(page, label, size, options) {
  let shown = 0;
  for (const tab of TABS) {
    await page.locator(tid(`center-${tab}`)).first().click({ timeout: TIMEOUT });
    // Two frames: drawings laid out for their frame's measured width re-flow in between.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    shown += await check(page, `${label} ${size}, ${tab} tab`, options);
    if (process.env.PROJECTOR_SHOTS !== 'none') {
      await mkdir(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `${size}-${label}-${tab}.png`) });
    }
  }
  return shown;
}

// On a projector's screen beside a lesson, the commands fold into a rail and, on a short
// screen, the jump fields behind a button: the live system gets the room. Both unfold on a click.
async function projectorFolds(page, size) {
  const fold = page.locator(tid('commands-fold')).first();
  await fold.waitFor({ timeout: TIMEOUT });
  if ((await fold.getAttribute('aria-expanded')) !== 'false') fail(`${size}: the commands are not folded beside the lesson`);
  if (await page.locator(tid('cmd-place-order')).first().isVisible()) fail(`${size}: a folded command is still shown`);
  const centre = await page.locator('.workspace > .center').first().boundingBox();
  const short = (await page.viewportSize()).height <= 820;
  if (short) {
    if (await page.locator(tid('jump-position')).first().isVisible()) fail(`${size}: the jump fields are not folded`);
    await page.locator(tid('jumps-fold')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('jump-position')).first().waitFor({ timeout: TIMEOUT });
    await page.locator(tid('jumps-fold')).first().click({ timeout: TIMEOUT });
  }
  await fold.click({ timeout: TIMEOUT });
  await page.locator(tid('cmd-place-order')).first().waitFor({ timeout: TIMEOUT });
  await fold.click({ timeout: TIMEOUT });
  return `; folded, the centre is ${Math.round(centre.width)}x${Math.round(centre.height)}`;
}

function layoutStep(width, height, large) {
  const size = `${width}x${height}${large ? '-large' : ''}`;
  return {
    name: `projector-${size}`,
    title: `at ${size}: the timeline, the log, the lesson and the detail stay in view on every tab`,
    viewport: { width, height },
    timeout: 120000,
    async run({ page, base }) {
      await openApp(page, base, '#lesson=immutable-facts');
      await page.locator(tid('lesson')).first().waitFor({ timeout: TIMEOUT });
      if (large) await largeText(page);
      let folds = '';
      if (large && width <= 1500) folds = await projectorFolds(page, size);
      await page.locator(tid('lesson-option')).first().check({ timeout: TIMEOUT });
      await withANotice(page);
      await page.locator(tid('event-row')).first().click({ timeout: TIMEOUT });
      await page.locator(tid('event-detail')).first().waitFor({ timeout: TIMEOUT });
      // No text box cuts its text at any size (a narrow centre beside a lesson once did).
      const clipping = true;
      await everyTab(page, 'lesson', size, { clipping });
      // The same system without the lesson panel (the Lessons button closes it).
      await page.locator(tid('lessons-button')).first().click({ timeout: TIMEOUT });
      await until(async () => (await page.locator(tid('lesson')).count()) === 0, 'the lesson panel to close');
      await withANotice(page);
      await everyTab(page, 'playground', size, { clipping });
      return `${TABS.length} tabs, with and without a lesson, fit ${size}${folds}`;
    },
  };
}

export const projectorLayouts = [
  layoutStep(1280, 720, true),
  layoutStep(1440, 900, false),
  layoutStep(1440, 900, true),
  layoutStep(1920, 1080, false),
  layoutStep(1920, 1080, true),
];

export const skipToTheTimeline = {
  name: 'projector-skip-link',
  title: 'the first Tab stop is a visible skip link; Enter puts the focus on the timeline',
  async run({ page, base }) {
    await openApp(page, base);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.dataset?.testid);
    if (first !== 'skip-to-timeline') fail(`the first Tab stop is ${first}, not the skip link`);
    const shown = await page.locator(tid('skip-to-timeline')).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && getComputedStyle(el).outlineStyle !== 'none';
    });
    if (!shown) fail('the skip link is not visible (with a focus ring) when it has the focus');
    await page.keyboard.press('Enter');
    const on = await page.evaluate(() => document.activeElement?.dataset?.testid);
    if (on !== 'timeline-slider') fail(`Enter on the skip link left the focus on ${on}`);
    // One more Tab reaches the timeline's own controls after the slider.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => document.activeElement?.closest('.timeline') !== null);
    if (!next) fail('Tab after the slider left the timeline');
    return 'Tab, Enter: the focus is on the timeline slider';
  },
};

export const answerThenArrows = {
  name: 'projector-answer-then-arrows',
  title: "after answering a lesson's prediction, ← steps the timeline and the answer stays",
  async run({ page, base }) {
    await openApp(page, base, '#lesson=immutable-facts');
    await page.locator(tid('lesson')).first().waitFor({ timeout: TIMEOUT });
    await placeOrder(page);
    // By keyboard, as a learner would: focus the first radio and choose it with Space.
    await page.locator(tid('lesson-option')).first().focus();
    await page.keyboard.press('Space');
    await until(async () => (await page.locator(tid('lesson-step')).count()) > 0, 'the steps to unlock');
    const before = await readNumber(page, 'cursor-position');
    await page.keyboard.press('ArrowLeft');
    await until(async () => (await readNumber(page, 'cursor-position')) === before - 1, '← to step the timeline back after answering');
    const checked = await page.locator(tid('lesson-option')).evaluateAll((els) => els.map((el) => el.checked));
    if (!checked[0] || checked.slice(1).some(Boolean)) fail(`the answer changed: ${JSON.stringify(checked)}`);
    return '← stepped the timeline; the answer stayed';
  },
};
