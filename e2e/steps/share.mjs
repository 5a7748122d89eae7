// Copy link, then open the copied link in a fresh context (its own storage: nothing of the
// sharer's is there): the same events, cursor, tab, lesson step and large text.

import { TIMEOUT, fail, generateOrders, logSize, openApp, placeOrder, readNumber, setInputValue, tid, until } from '../lib/app.mjs';

/** What the screen says the sharer (or the recipient) sees. */
async function seen(page) {
  const selected = async (id) => (await page.locator(tid(id)).first().getAttribute('aria-selected')) === 'true';
  return {
    events: await logSize(page),
    cursor: await readNumber(page, 'cursor-position'),
    log: await page.locator(tid('event-log')).first().innerText(),
    catalog: await selected('center-catalog'),
    large: ((await page.locator(tid('app')).first().getAttribute('class')) ?? '').split(/\s+/).includes('large-text'),
    lesson: await page.locator(tid('lesson')).first().innerText(),
    stepsDone: await page.locator(`${tid('lesson-step')}.done`).count(),
  };
}

export const copyLinkOpensWhatWasSeen = {
  name: 'copy-link',
  title: 'Copy link, then open it in a fresh context: what the sharer saw',
  timeout: 120_000,
  async run({ page, context, base }) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await openApp(page, base, '#lesson=immutable-facts');
    await page.locator(tid('lesson-option')).first().check({ timeout: TIMEOUT });
    await placeOrder(page);
    await until(async () => (await page.locator(`${tid('lesson-step')}.done`).count()) >= 1, 'the first step done');
    await generateOrders(page, 20);
    await page.locator(tid('center-catalog')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('large-text')).first().click({ timeout: TIMEOUT });
    await setInputValue(page, 'timeline-slider', 'half');
    await page.locator(tid('past-banner')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    const before = await seen(page);

    await page.locator(tid('copy-link')).first().click({ timeout: TIMEOUT });
    await until(async () => (await page.locator(tid('notices')).first().innerText()).includes('Link copied'), 'the link to be copied');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    if (!link.includes('#recipe=')) fail(`the copied link is no recipe: ${link.slice(0, 80)}`);
    const said = await page.locator(tid('notices')).first().innerText();
    if (!said.includes(`Link copied: ${link.length} characters`)) fail(`the notice does not give the link's length: ${said}`);

    // A fresh context: its own storage, so large text can only come from the link.
    const other = await context.browser().newContext({ viewport: page.viewportSize() });
    const problems = [];
    try {
      const fresh = await other.newPage();
      fresh.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      fresh.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      await fresh.goto(link, { waitUntil: 'load', timeout: TIMEOUT });
      await fresh.locator(tid('app')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
      await until(async () => (await logSize(fresh)) === before.events, `the link to bring ${before.events} events`);
      const after = await seen(fresh);
      for (const key of Object.keys(before)) {
        if (after[key] !== before[key]) fail(`${key} differs: the sharer saw ${JSON.stringify(before[key]).slice(0, 200)}, the link opened ${JSON.stringify(after[key]).slice(0, 200)}`);
      }
      if (problems.length) fail(problems.join('; '));
    } finally {
      await other.close().catch(() => {});
    }
    return `a ${link.length}-character link opened ${before.events} events at cursor ${before.cursor}, the Catalog tab, large text and the lesson with ${before.stepsDone} step(s) done`;
  },
};
