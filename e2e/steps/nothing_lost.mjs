// Nothing a user made is lost: links open beside the saved session, keeping a branch asks and
// keeps the main line reachable, an address's number is bounded with a message.

import { TIMEOUT, fail, generateOrders, logSize, openApp, readNumber, seekToMiddle, tid, until } from '../lib/app.mjs';

const SAVED = 'eventide.scenario';
// Past the autosave's debounce (1.5 s).
const PAST_AUTOSAVE_MS = 2000;

const savedText = (page) => page.evaluate((key) => window.localStorage.getItem(key), SAVED);
const ordersIn = (text) => (text ?? '').split('"event_type":"OrderPlaced"').length - 1;

export const linksKeepSavedWork = {
  name: 'links-keep-saved-work',
  title: 'links to a missing lesson, a damaged scenario or a bad benchmark leave the saved session as it was',
  timeout: 120_000,
  async run({ page, context, base }) {
    await openApp(page, base);
    for (let i = 0; i < 3; i += 1) {
      await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
    }
    await until(async () => ordersIn(await savedText(page)) === 3, 'three orders to be autosaved');
    const before = await savedText(page);
    await page.close();

    for (const [hash, says] of [
      ['#lesson=does-not-exist', 'no lesson'],
      ['#scenario=garbage', 'damaged'],
      ['#whatever', 'does not know'],
    ]) {
      const tab = await context.newPage();
      await openApp(tab, base, hash);
      await until(
        async () => (await tab.locator(tid('problems')).first().textContent()).includes(says),
        `${hash} to say "${says}"`,
      );
      await tab.waitForTimeout(PAST_AUTOSAVE_MS);
      if ((await savedText(tab)) !== before) fail(`${hash} changed the saved session`);
      await tab.close();
    }

    for (const hash of ['#bench=abc', '#bench=10000000']) {
      const tab = await context.newPage();
      await tab.goto(`${base}${hash}`, { waitUntil: 'load', timeout: TIMEOUT });
      await tab.locator(tid('bench-problem')).first().waitFor({ timeout: TIMEOUT });
      if ((await savedText(tab)) !== before) fail(`${hash} changed the saved session`);
      await tab.close();
    }

    const again = await context.newPage();
    await openApp(again, base);
    await until(async () => (await readNumber(again, 'event-count')) === 3, 'the saved session to come back whole');
    return 'three links and two benchmark addresses later, the saved session still holds its 3 orders';
  },
};

export const keepingABranchAsks = {
  name: 'keep-branch-asks',
  title: 'keeping a branch says what leaves the log, offers the export, and keeps the main line one click away',
  timeout: 120_000,
  async run({ page, base }) {
    await openApp(page, base, '#fresh');
    await generateOrders(page, 200, { timeout: 60_000 });
    const head = await readNumber(page, 'event-count');
    await seekToMiddle(page);
    const forkAt = await readNumber(page, 'cursor-position');
    await page.locator(tid('fork-here')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('branch-bar')).first().waitFor({ timeout: TIMEOUT });
    await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
    await until(async () => (await readNumber(page, 'event-count')) === forkAt + 1, 'the order on the branch');

    await page.locator(tid('branch-keep')).first().click({ timeout: TIMEOUT });
    const goes = await page.locator(tid('confirm-goes')).first().textContent({ timeout: TIMEOUT });
    const after = (head - forkAt).toLocaleString('en-US');
    if (!goes.includes(`${after} events after the fork`)) fail(`the question does not say what goes: ${goes}`);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.locator(tid('confirm-export')).first().click({ timeout: TIMEOUT }),
    ]);
    if (!download.suggestedFilename().includes('main-line')) fail(`exported ${download.suggestedFilename()}`);
    await page.locator(tid('confirm-cancel')).first().click({ timeout: TIMEOUT });
    if ((await readNumber(page, 'event-count')) !== forkAt + 1) fail('cancel changed the branch');

    await page.locator(tid('branch-keep')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('confirm-yes')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('set-aside-bar')).first().waitFor({ timeout: TIMEOUT });
    if ((await readNumber(page, 'event-count')) !== forkAt + 1) fail('the kept branch is not the main line');
    await page.locator(tid('set-aside-switch')).first().click({ timeout: TIMEOUT });
    // It comes back as it was left, its cursor at the fork: the header counts the head beside it.
    await until(async () => (await logSize(page)) === head, 'the old main line to come back whole');
    return `forked at ${forkAt} of ${head}, kept the branch after being asked (export offered), switched back to all ${head} events`;
  },
};
