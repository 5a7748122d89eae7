// Time travel: the slider, one step back, and back to live. Each step builds its own log
// (50 generated orders and one placed by hand, as a user would have).

import { TIMEOUT, appWithOrders, fail, placeOrder, readNumber, seekToMiddle, tid, until } from '../lib/app.mjs';

async function ordersAndOnePlaced(page, base) {
  await appWithOrders(page, base, 50);
  await placeOrder(page);
}

export const travelToTheMiddle = {
  name: 'timeline-middle',
  title: 'move the timeline slider to the middle',
  async run({ page, base }) {
    await ordersAndOnePlaced(page, base);
    const { slider, cursor, events } = await seekToMiddle(page);
    return (
      `viewing the past: slider ${slider.value} of [${slider.min}, ${slider.max}], ` +
      `cursor-position ${cursor} < event-count ${events}, past-banner visible`
    );
  },
};

export const stepBack = {
  name: 'timeline-step-back',
  title: 'step back one event (from the middle of the timeline)',
  async run({ page, base }) {
    await ordersAndOnePlaced(page, base);
    await seekToMiddle(page);
    const beforeBack = await readNumber(page, 'cursor-position');
    await page.locator(tid('timeline-step-back')).first().click({ timeout: TIMEOUT });
    await until(
      async () => (await readNumber(page, 'cursor-position')) === beforeBack - 1,
      `cursor-position to go from ${beforeBack} to ${beforeBack - 1}`,
    );
    return `stepped back: cursor-position ${beforeBack} -> ${beforeBack - 1}`;
  },
};

export const backToLive = {
  name: 'timeline-live',
  title: 'return to live (from one step before the middle)',
  async run({ page, base }) {
    await ordersAndOnePlaced(page, base);
    await seekToMiddle(page);
    await page.locator(tid('timeline-step-back')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('timeline-live')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('past-banner')).first().waitFor({ state: 'hidden', timeout: TIMEOUT });
    const cursor = await readNumber(page, 'cursor-position');
    const events = await readNumber(page, 'event-count');
    if (cursor !== events) fail(`live, yet cursor-position ${cursor} != event-count ${events}`);
    return `live again: past-banner gone (cursor-position ${cursor}, event-count ${events})`;
  },
};
