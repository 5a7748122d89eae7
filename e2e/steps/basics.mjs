// The app loads, generates orders, takes a command, and is photographed.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS, ROOT, appWithOrders, generateOrders, openApp, placeOrder } from '../lib/app.mjs';

export const openTheApp = {
  name: 'open-the-app',
  title: 'open the app',
  async run({ page, base }) {
    const started = Date.now();
    await openApp(page, base);
    return `app mounted in ${Date.now() - started} ms (title: ${JSON.stringify(await page.title())})`;
  },
};

export const generateSomeOrders = {
  name: 'generate-orders',
  title: 'generate 50 orders',
  async run({ page, base }) {
    await openApp(page, base);
    const { before, after } = await generateOrders(page, 50);
    return `generated orders: event-count ${before} -> ${after}`;
  },
};

export const placeAnOrder = {
  name: 'place-order',
  title: "place an order with the form's defaults, after 50 generated orders",
  async run({ page, base }) {
    await appWithOrders(page, base, 50);
    const { before, after } = await placeOrder(page);
    return `placed an order: event-count ${before} -> ${after}`;
  },
};

export const screenshot = {
  name: 'screenshot',
  title: 'a full-page screenshot of the app with 50 orders',
  async run({ page, base }) {
    await appWithOrders(page, base, 50);
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'flow.png');
    await page.screenshot({ path: shot, fullPage: true });
    return `screenshot saved to ${path.relative(ROOT, shot)}`;
  },
};
