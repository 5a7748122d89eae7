// Shared settings and helpers for the end-to-end steps: reading the app through its
// data-testid hooks, waiting, and building the state a step needs (open the app, generate
// orders, place an order, travel to the middle of the timeline).

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
/** Per wait, in milliseconds. */
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 20000);
// The script worker's files (Trunk does not hash a worker's names): see src/scripting.rs.
export const WORKER_NAME = 'eventide-script-worker';

export const log = (msg) => console.log(`e2e: ${msg}`);

/** A check that did not hold: the step fails with this message. */
export class StepFailure extends Error {}
export function fail(msg) {
  throw new StepFailure(msg);
}

export const tid = (id) => `[data-testid="${id}"]`;

// First integer in a text ("1,234 events" -> 1234, "Cursor: 51 / 120" -> 51).
export function parseCount(text) {
  const m = (text ?? '').match(/\d{1,3}(?:[,\u00a0\u202f]\d{3})+(?!\d)|\d+/);
  return m ? Number(m[0].replace(/[^\d]/g, '')) : NaN;
}

export async function readNumber(page, id) {
  const loc = page.locator(tid(id)).first();
  const text = await loc.textContent({ timeout: TIMEOUT });
  const n = parseCount(text);
  if (Number.isNaN(n)) fail(`[data-testid=${id}] has no number in its text: ${JSON.stringify(text)}`);
  return n;
}

/**
 * The log's length: the header counts what the cursor sees, and in the past adds the head's
 * count beside it ("of N", data-testid event-count-head).
 */
export async function logSize(page) {
  if (await page.locator(tid('event-count-head')).count()) return readNumber(page, 'event-count-head');
  return readNumber(page, 'event-count');
}

// Polls `probe` until it returns a truthy value or the timeout passes.
export async function until(probe, description, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? ` (last error: ${last.message})` : '';
      fail(`timed out after ${timeout} ms waiting for ${description}${detail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Sets an <input> (e.g. type=range, where fill() is not allowed) the way a
// user would: native value setter, then bubbling input and change events.
export async function setInputValue(page, id, valueOrFn) {
  return page.locator(tid(id)).first().evaluate((el, v) => {
    const min = el.min !== '' ? Number(el.min) : 0;
    const max = el.max !== '' ? Number(el.max) : 100;
    const value = v === 'half' ? Math.round((min + max) / 2) : v;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    setter.call(el, String(value));
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return { min, max, value: Number(el.value) };
  }, valueOrFn);
}

// ------------------------------------------------------------- state builders

/** Loads the app (at `hash`, e.g. '#lesson=...') in the step's fresh page and waits for it to mount. */
export async function openApp(page, base, hash = '') {
  await page.goto(`${base}${hash}`, { waitUntil: 'load', timeout: TIMEOUT });
  await page.locator(tid('app')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.locator(tid('event-count')).first().waitFor({ state: 'attached', timeout: TIMEOUT });
}

/**
 * Generates `orders` orders with the Generate panel and waits until the job is over.
 * Returns { before, after } (the event count on either side).
 */
export async function generateOrders(page, orders, { timeout = TIMEOUT } = {}) {
  const before = await readNumber(page, 'event-count');
  const countInput = page.locator(tid('cmd-generate-count')).first();
  await countInput.fill(String(orders), { timeout: TIMEOUT });
  await countInput.dispatchEvent('change');
  await page.locator(tid('cmd-generate')).first().click({ timeout: TIMEOUT });
  const after = await until(
    async () => {
      const n = await readNumber(page, 'event-count');
      const busy = await page.locator(tid('generate-progress')).count();
      return busy === 0 && n > before ? n : 0;
    },
    `generating ${orders} orders to finish with more than ${before} events`,
    timeout,
  );
  await page.locator(tid('cmd-generate')).first().waitFor({ timeout: TIMEOUT });
  return { before, after };
}

/** Places one order with the form's defaults. Returns { before, after } (event counts). */
export async function placeOrder(page) {
  await page.locator(tid('place-order')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  const before = await readNumber(page, 'event-count');
  await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
  const after = await until(async () => {
    const n = await readNumber(page, 'event-count');
    return n > before ? n : 0;
  }, `event-count to grow beyond ${before} after placing an order`);
  return { before, after };
}

/**
 * Moves the timeline slider to its middle and waits for the past banner and a cursor behind
 * the log's end. Returns { slider, cursor, events }.
 */
export async function seekToMiddle(page) {
  const slider = await setInputValue(page, 'timeline-slider', 'half');
  await page.locator(tid('past-banner')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  const { c, n } = await until(async () => {
    const c = await readNumber(page, 'cursor-position');
    const n = await logSize(page);
    return c < n ? { c, n } : null;
  }, "cursor-position to be lower than the log's length");
  return { slider, cursor: c, events: n };
}

/** The app with `orders` generated orders, in the step's fresh page. */
export async function appWithOrders(page, base, orders = 50) {
  await openApp(page, base);
  return generateOrders(page, orders);
}

/**
 * What is wrong with the layout: each of `ids` missing, without size or off screen, and the
 * page scrolling sideways; then whatever `extra` (run in the page) finds.
 */
export async function layoutProblems(page, ids, extra = () => []) {
  const problems = await page.evaluate((ids) => {
    const out = [];
    for (const id of ids) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (!el) { out.push(`${id} missing`); continue; }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) out.push(`${id} has no size`);
      if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 1 || r.right > innerWidth + 1) out.push(`${id} off screen`);
    }
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth) out.push('scrolls sideways');
    return out;
  }, ids);
  return problems.concat(await page.evaluate(extra));
}
