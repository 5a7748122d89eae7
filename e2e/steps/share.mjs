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

/** Opens `link` in a fresh context (its own storage) and fails unless it shows `before`. */
async function opensAsSeen(page, context, link, before) {
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
}

/** Copy link in the top bar (in reach with the commands folded), and the copied link. */
async function copyLink(page) {
  await page.locator(tid('header-copy-link')).first().click({ timeout: TIMEOUT });
  await until(async () => (await page.locator(tid('notices')).first().innerText()).includes('Link copied'), 'the link to be copied');
  return page.evaluate(() => navigator.clipboard.readText());
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

    const link = await copyLink(page);
    if (!link.includes('#recipe=')) fail(`the copied link is no recipe: ${link.slice(0, 80)}`);
    const said = await page.locator(tid('notices')).first().innerText();
    if (!said.includes(`Link copied: ${link.length} characters`)) fail(`the notice does not give the link's length: ${said}`);

    await opensAsSeen(page, context, link, before);
    return `a ${link.length}-character link opened ${before.events} events at cursor ${before.cursor}, the Catalog tab, large text and the lesson with ${before.stepsDone} step(s) done`;
  },
};

// A run of the services (a lesson's storefront, the clock at its default speed, a knob turned
// mid-run) shares as its recipe too, and opens to the same log and lesson.
export const servicesLinkOpensTheRun = {
  name: 'copy-link-services',
  title: 'a run of the services shares as a short link that opens the same run',
  timeout: 180_000,
  async run({ page, context, base }) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await openApp(page, base, '#lesson=idempotency');
    await page.locator(tid('lesson-option')).first().check({ timeout: TIMEOUT });
    await page.locator(tid('lesson-run')).first().click({ timeout: TIMEOUT });
    await until(async () => (await logSize(page)) >= 30, 'the run to make 30 events', 120_000);
    await page.locator(tid('idempotent')).first().click({ timeout: TIMEOUT });
    await until(async () => (await logSize(page)) >= 60, 'the run to make 60 events', 120_000);
    // Paused, so what the sharer sees holds still while it is shared.
    const run = page.locator(tid('sim-run')).first();
    if (((await run.getAttribute('class')) ?? '').includes('is-running')) await run.click({ timeout: TIMEOUT });
    const before = await seen(page);
    const link = await copyLink(page);
    if (!link.includes('#recipe=')) fail(`a run of the services shared as no recipe: ${link.slice(0, 80)}`);
    if (link.length > 4_000) fail(`a ${link.length}-character link is not short`);
    await opensAsSeen(page, context, link, before);
    return `a ${link.length}-character link opened the run's ${before.events} events and its lesson`;
  },
};
