// Search and filter the log (issue #16), as a user: type a query into the bar over the event
// log (the app's shortcuts must not take the keys), read the count and the filtered rows, see
// a bad query refused with its column, and open the share link elsewhere with the query kept.
// At 1280x720 with large text (a projector) and at 1440x900, the bar, the count, the rows and
// the timeline's histogram are on screen and whole; screenshots go to PROJECTOR_SHOTS.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TIMEOUT, fail, generateOrders, layoutProblems, logSize, openApp, readNumber, tid, until } from '../lib/app.mjs';
import { consoleProblem } from '../lib/harness.mjs';

const SHOTS = process.env.PROJECTOR_SHOTS ?? '/tmp/shots-projector';
const ON_SCREEN = ['query-input', 'log-count', 'event-row', 'match-histogram', 'timeline-slider'];

async function typeQuery(page, query) {
  const input = page.locator(tid('query-input')).first();
  await input.click({ timeout: TIMEOUT });
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  // Typed key by key: a space or an arrow here is text, never play or a step of the timeline.
  await page.keyboard.type(query);
  await page.keyboard.press('Enter');
}

/** "N of M events match" as numbers. */
async function matchCount(page) {
  const text = await page.locator(tid('log-count')).first().innerText();
  const found = /^([\d,]+) of ([\d,]+) events match/.exec(text);
  if (!found) return null;
  return { shown: Number(found[1].replace(/,/g, '')), of: Number(found[2].replace(/,/g, '')), text };
}

async function rowLabels(page) {
  return page.locator(tid('event-row')).evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label')));
}

// Each of `ids` on screen, and no text of the log's head cut short.
async function inView(page, where) {
  const problems = await layoutProblems(page, ON_SCREEN, () => {
    const clipped = [];
    for (const el of document.querySelectorAll('.event-log .panel-head *, .log-row > *')) {
      if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'INPUT' && !el.classList.contains('visually-hidden')) {
        clipped.push(`clips ${el.dataset.testid ?? el.className}: "${el.textContent.trim().slice(0, 40)}"`);
      }
    }
    return clipped;
  });
  if (problems.length) fail(`${where}: ${problems.join('; ')}`);
}

async function shot(page, name) {
  if (process.env.PROJECTOR_SHOTS === 'none') return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `search-${name}.png`) });
}

export const searchTheLog = {
  name: 'search-the-log',
  title: 'a typed query filters the log with a count and a histogram, a bad one is refused, the link keeps it',
  viewport: { width: 1280, height: 720 },
  timeout: 150_000,
  async run({ page, context, base }) {
    await openApp(page, base);
    await page.locator(tid('large-text')).first().click({ timeout: TIMEOUT });
    await page.locator('.app.large-text').first().waitFor({ timeout: TIMEOUT });
    await generateOrders(page, 40);
    const head = await logSize(page);

    // `/` puts the focus in the query bar, wherever it was.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('/');
    const focused = await page.evaluate(() => document.activeElement?.dataset?.testid);
    if (focused !== 'query-input') fail(`/ left the focus on ${focused}`);
    await typeQuery(page, 'type == OrderPlaced');
    const placed = await until(matchCount.bind(null, page), 'the count of matches');
    if (placed.shown !== 40 || placed.of !== head) fail(`expected 40 of ${head} events to match, read "${placed.text}"`);
    const labels = await rowLabels(page);
    if (!labels.length || labels.some((label) => !label.startsWith('OrderPlaced at position'))) fail(`rows other than OrderPlaced: ${labels.slice(0, 5)}`);
    if ((await readNumber(page, 'cursor-position')) !== head) fail('typing in the query bar moved the timeline');
    if ((await page.locator(tid('timeline-play')).first().getAttribute('aria-pressed')) !== 'false') fail('typing a space in the query bar started playing');

    // A payload predicate and a combination: fewer, and still only orders.
    await typeQuery(page, 'type == OrderPlaced and data.total > 5000 or data.customer == "C-001" and type == PaymentProcessed');
    const big = await until(async () => {
      const count = await matchCount(page);
      return count && count.text !== placed.text ? count : null;
    }, 'the count of the payload query');
    if (big.shown < 1 || big.shown > 40 + head) fail(`the payload query matched ${big.text}`);
    for (const label of await rowLabels(page)) {
      if (!/^(OrderPlaced|PaymentProcessed) at position/.test(label)) fail(`a row that should not match: ${label}`);
    }
    await inView(page, '1280x720 large');
    await shot(page, '1280x720-large');

    // A bad query: the column and what was expected, and the filter before stays.
    await typeQuery(page, 'data.total >');
    const error = page.locator(tid('query-error')).first();
    await error.waitFor({ state: 'visible', timeout: TIMEOUT });
    const said = await error.innerText();
    if (!said.includes('column 13: expected a value')) fail(`the refusal says: ${said}`);
    if ((await matchCount(page))?.text !== big.text) fail('a refused query changed the filtered log');
    await shot(page, '1280x720-large-refused');

    // The share link keeps the applied query; open it in a fresh context.
    await typeQuery(page, 'type == OrderPlaced');
    await until(async () => (await matchCount(page))?.text === placed.text, 'the order query again');
    await page.locator(tid('share-link')).first().click({ timeout: TIMEOUT });
    const link = await until(async () => {
      const hash = await page.evaluate(() => location.hash);
      return hash.length > 1 ? `${base}${hash}` : null;
    }, 'the share link in the address');
    const other = await context.browser().newContext({ viewport: { width: 1440, height: 900 } });
    const problems = [];
    try {
      const fresh = await other.newPage();
      fresh.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      fresh.on('console', (msg) => {
        const problem = consoleProblem(msg.type(), msg.text());
        if (problem) problems.push(problem);
      });
      await fresh.goto(link, { waitUntil: 'load', timeout: TIMEOUT });
      await fresh.locator(tid('app')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
      await until(async () => (await logSize(fresh)) === head, `the link to bring ${head} events`);
      const kept = await fresh.locator(tid('query-input')).first().inputValue();
      if (kept !== 'type == OrderPlaced') fail(`the link's query bar holds "${kept}"`);
      const count = await until(matchCount.bind(null, fresh), 'the count in the opened link');
      if (count.text !== placed.text) fail(`the link shows "${count.text}", the sharer saw "${placed.text}"`);
      await inView(fresh, '1440x900');
      await shot(fresh, '1440x900');
      // Clearing restores the whole log.
      await fresh.locator(tid('query-clear')).first().click({ timeout: TIMEOUT });
      await until(async () => (await fresh.locator(tid('log-count')).first().innerText()).includes('append-only'), 'the whole log again');
      if (await fresh.locator(tid('match-histogram')).count()) fail('the histogram stayed after Clear');
      if (problems.length) fail(problems.join('; '));
    } finally {
      await other.close().catch(() => {});
    }
    return `${placed.text}; the payload query: ${big.text}; refused: "${said.slice(0, 60)}…"; the link kept the query`;
  },
};
