// End-to-end test of the release build in headless Chromium.
//
//   trunk build --release && node e2e/run.mjs
//
// Serves dist/ from an in-process static server on 127.0.0.1 (ephemeral
// port), drives the app through its data-testid hooks only, and saves a
// full-page screenshot to e2e/artifacts/flow.png (e2e/artifacts/failure.png
// when a step fails). Uses playwright-core with the system Chromium: nothing
// is downloaded.
//
// Environment: CHROME_BIN (default /usr/bin/chromium), E2E_TIMEOUT_MS
// (default 20000, per wait), E2E_DIST (default dist), E2E_HEADED=1 to watch.

import { createServer } from 'node:http';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(ROOT, process.env.E2E_DIST ?? 'dist');
const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const CHROME = process.env.CHROME_BIN || '/usr/bin/chromium';
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 20000);
// The script worker's files (Trunk does not hash a worker's names): see src/scripting.rs.
const WORKER_NAME = 'eventide-script-worker';
const CHROME_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

// ---------------------------------------------------------------- reporting
let passed = 0;
const log = (msg) => console.log(`e2e: ${msg}`);
function ok(what) {
  passed += 1;
  log(`ok ${passed} - ${what}`);
}
class StepFailure extends Error {}
function fail(msg) {
  throw new StepFailure(msg);
}

// ------------------------------------------------------------ static server
function startServer(root) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      let file = path.resolve(root, '.' + rel);
      if (file !== root && !file.startsWith(root + path.sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      // Client-side routes (no extension) fall back to the app's index.html.
      if (!info && path.extname(file) === '') {
        file = path.join(root, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ------------------------------------------------------------------ helpers
const tid = (id) => `[data-testid="${id}"]`;

// First integer in a text ("1,234 events" -> 1234, "Cursor: 51 / 120" -> 51).
function parseCount(text) {
  const m = (text ?? '').match(/\d{1,3}(?:[,\u00a0\u202f]\d{3})+(?!\d)|\d+/);
  return m ? Number(m[0].replace(/[^\d]/g, '')) : NaN;
}

async function readNumber(page, id) {
  const loc = page.locator(tid(id)).first();
  const text = await loc.textContent({ timeout: TIMEOUT });
  const n = parseCount(text);
  if (Number.isNaN(n)) fail(`[data-testid=${id}] has no number in its text: ${JSON.stringify(text)}`);
  return n;
}

// Polls `probe` until it returns a truthy value or the timeout passes.
async function until(probe, description, timeout = TIMEOUT) {
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
async function setInputValue(page, id, valueOrFn) {
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

// --------------------------------------------------------------------- main
async function main() {
  const indexInfo = await stat(path.join(DIST, 'index.html')).catch(() => null);
  if (!indexInfo) fail(`${path.relative(ROOT, DIST) || DIST}/index.html not found: run \`trunk build --release\` first`);
  if (!(await stat(CHROME).catch(() => null))) fail(`Chromium not found at ${CHROME} (run scripts/setup.sh)`);

  const server = await startServer(DIST);
  const base = `http://127.0.0.1:${server.address().port}/`;
  log(`serving ${path.relative(ROOT, DIST)}/ at ${base}`);

  const browser = await chromium.launch({
    executablePath: CHROME,
    headless: process.env.E2E_HEADED !== '1',
    args: CHROME_ARGS,
  });
  const pageErrors = [];
  const consoleErrors = [];
  const badResponses = [];
  const blocked = [];
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // The app must be self-contained: refuse anything that is not our server.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      pageErrors.push(err);
      log(`PAGE ERROR: ${err.message}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        consoleErrors.push(msg.text());
        log(`console error: ${msg.text()}`);
      }
    });
    page.on('response', (resp) => {
      if (resp.status() >= 400) badResponses.push(`${resp.status()} ${resp.url()}`);
    });
    // Every request of every page load, to show that the script worker's files are fetched
    // only once a worker is made.
    const requested = [];
    page.on('request', (req) => requested.push(req.url()));

    // 1. load
    log('step: open the app');
    const started = Date.now();
    await page.goto(base, { waitUntil: 'load', timeout: TIMEOUT });
    await page.locator(tid('app')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.locator(tid('event-count')).first().waitFor({ state: 'attached', timeout: TIMEOUT });
    if (pageErrors.length) fail(`page error while loading: ${pageErrors[0].message}`);
    ok(`app mounted in ${Date.now() - started} ms (title: ${JSON.stringify(await page.title())})`);

    // 2. generate 50 orders
    log('step: generate 50 orders');
    const countBefore = await readNumber(page, 'event-count');
    const countInput = page.locator(tid('cmd-generate-count')).first();
    await countInput.fill('50', { timeout: TIMEOUT });
    await countInput.dispatchEvent('change');
    await page.locator(tid('cmd-generate')).first().click({ timeout: TIMEOUT });
    const afterGenerate = await until(async () => {
      const n = await readNumber(page, 'event-count');
      return n > 0 && n > countBefore ? n : 0;
    }, 'event-count to become > 0 after generating orders');
    ok(`generated orders: event-count ${countBefore} -> ${afterGenerate}`);

    // 3. place one order with the form's defaults
    log('step: place an order');
    await page.locator(tid('place-order')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
    const afterPlace = await until(async () => {
      const n = await readNumber(page, 'event-count');
      return n > afterGenerate ? n : 0;
    }, `event-count to grow beyond ${afterGenerate} after placing an order`);
    ok(`placed an order: event-count ${afterGenerate} -> ${afterPlace}`);

    // 4. travel to the middle of the timeline
    log('step: move the timeline slider to the middle');
    const slider = await setInputValue(page, 'timeline-slider', 'half');
    await page.locator(tid('past-banner')).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    const cursorMid = await until(async () => {
      const c = await readNumber(page, 'cursor-position');
      const n = await readNumber(page, 'event-count');
      return c < n ? { c, n } : null;
    }, 'cursor-position to be lower than event-count');
    ok(
      `viewing the past: slider ${slider.value} of [${slider.min}, ${slider.max}], ` +
        `cursor-position ${cursorMid.c} < event-count ${cursorMid.n}, past-banner visible`,
    );

    // 5. one step back
    log('step: step back one event');
    const beforeBack = await readNumber(page, 'cursor-position');
    await page.locator(tid('timeline-step-back')).first().click({ timeout: TIMEOUT });
    await until(
      async () => (await readNumber(page, 'cursor-position')) === beforeBack - 1,
      `cursor-position to go from ${beforeBack} to ${beforeBack - 1}`,
    );
    ok(`stepped back: cursor-position ${beforeBack} -> ${beforeBack - 1}`);

    // 6. back to live
    log('step: return to live');
    await page.locator(tid('timeline-live')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('past-banner')).first().waitFor({ state: 'hidden', timeout: TIMEOUT });
    ok(`live again: past-banner gone (cursor-position ${await readNumber(page, 'cursor-position')}, event-count ${await readNumber(page, 'event-count')})`);

    // 7. export the scenario, reload, import it back: the same log returns
    log('step: export the scenario and import it back');
    // Enough events that the import runs in several chunks.
    await page.locator(tid('cmd-generate-count')).first().fill('3000');
    await page.locator(tid('cmd-generate')).first().click({ timeout: TIMEOUT });
    await until(async () => (await readNumber(page, 'event-count')) > 20000, 'more than 20,000 events to export');
    await page.locator(tid('cmd-generate')).first().waitFor({ timeout: 60000 });
    const events = await readNumber(page, 'event-count');
    await mkdir(ARTIFACTS, { recursive: true });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.locator(tid('export-scenario')).first().click({ timeout: TIMEOUT }),
    ]);
    const saved = path.join(ARTIFACTS, 'scenario.json');
    await download.saveAs(saved);
    // A new hash alone does not reload the page: load it afresh.
    await page.goto(`${base}#fresh`);
    await page.reload({ waitUntil: 'load' });
    await page.locator(tid('app')).first().waitFor({ timeout: TIMEOUT });
    await until(async () => (await readNumber(page, 'event-count')) === 0, 'a fresh page to start empty');
    await page.locator(tid('import-file')).first().setInputFiles(saved);
    await until(async () => (await readNumber(page, 'event-count')) === events, `the import to bring back ${events} events`);
    ok(`exported ${events} events as a scenario file and imported them, in chunks, into a fresh page`);

    // 8. a lesson, opened by its address
    log('step: open a lesson by its address');
    await page.goto(`${base}#lesson=immutable-facts`);
    await page.reload({ waitUntil: 'load' });
    await page.locator(tid('lesson')).first().waitFor({ timeout: TIMEOUT });
    await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
    await until(
      async () => (await page.locator(`${tid('lesson-step')}.done`).count()) >= 1,
      'the lesson to notice the first step',
    );
    ok('the lesson noticed its first step');
    await page.goto(`${base}#fresh`);
    await page.reload({ waitUntil: 'load' });
    await page.locator(tid('app')).first().waitFor({ timeout: TIMEOUT });
    await page.locator(tid('cmd-generate-count')).first().fill('50');
    await page.locator(tid('cmd-generate')).first().click({ timeout: TIMEOUT });
    await until(async () => (await readNumber(page, 'event-count')) > 0, 'orders for the screenshot');

    // 9. screenshot
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'flow.png');
    await page.screenshot({ path: shot, fullPage: true });
    ok(`screenshot saved to ${path.relative(ROOT, shot)}`);

    // 10. the script worker: its own module, fetched only when a worker is made
    log('step: the script worker answers from its own module, fetched only on demand');
    const early = requested.filter((url) => url.includes(WORKER_NAME));
    if (early.length) fail(`the script worker was fetched before anything asked for it: ${early.join(', ')}`);
    const probe = await page.evaluate(
      async ({ loader, ready, timeout }) => {
        const fetchedSoFar = () =>
          performance
            .getEntriesByType('resource')
            .map((entry) => entry.name)
            .filter((name) => name.includes('eventide-script-worker'));
        const before = fetchedSoFar();
        const url = new URL(loader, document.baseURI).href;
        const served = await fetch(url, { cache: 'no-store' });
        const loaderText = await served.text();
        const worker = new Worker(url, { name: 'e2e-scripts' });
        const messages = [];
        let waiting = null;
        worker.onmessage = (event) => {
          messages.push(event.data);
          if (waiting) waiting();
        };
        worker.onerror = (event) => {
          messages.push({ error: event.message || 'the worker failed to load' });
          if (waiting) waiting();
        };
        // Waits for the next message that `accept` takes.
        const next = (accept) =>
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms: ${JSON.stringify(messages)}`)), timeout);
            const look = () => {
              const index = messages.findIndex((m) => m.error || accept(m));
              if (index < 0) return;
              const [message] = messages.splice(index, 1);
              clearTimeout(timer);
              waiting = null;
              if (message.error) reject(new Error(message.error));
              else resolve(message);
            };
            waiting = look;
            look();
          });
        try {
          await next((m) => m === ready);
          const ask = async (id, request) => {
            worker.postMessage(JSON.stringify({ id, request }));
            return JSON.parse(await next((m) => typeof m === 'string' && JSON.parse(m).id === id));
          };
          const compiled = await ask(7, {
            Compile: { kind: 'Projection', source: 'fn OrderPlaced(event) { }' },
          });
          const runaway = await ask(8, {
            Run: {
              kind: 'Projection',
              source: 'fn OrderPlaced(event) {\n    loop { }\n}',
              events: [{ event_type: 'OrderPlaced', position: 3, payload: {} }],
              time_limit_ms: 5000,
            },
          });
          return { before, status: served.status, loaderText, compiled, runaway };
        } finally {
          worker.terminate();
        }
      },
      { loader: `${WORKER_NAME}_loader.js`, ready: '{"ready":true}', timeout: TIMEOUT },
    );
    if (probe.before.length) fail(`the page fetched the worker's files before making a worker: ${probe.before.join(', ')}`);
    if (probe.status !== 200 || !probe.loaderText.includes('importScripts')) {
      fail(`${WORKER_NAME}_loader.js is not served from dist (HTTP ${probe.status}): ${probe.loaderText.slice(0, 200)}`);
    }
    const compiled = JSON.stringify(probe.compiled);
    if (compiled !== JSON.stringify({ id: 7, reply: { Compiled: { handles: ['OrderPlaced'] } } })) {
      fail(`the worker's answer to Compile is ${compiled}`);
    }
    const failure = probe.runaway?.reply?.Failed;
    if (probe.runaway?.id !== 8 || failure?.kind !== 'limit' || failure?.event_position !== 3) {
      fail(`the worker did not stop a runaway script at its limit: ${JSON.stringify(probe.runaway)}`);
    }
    const fetchedNow = [...new Set(requested.filter((url) => url.includes(WORKER_NAME)).map((url) => new URL(url).pathname))];
    ok(
      `the script worker compiled a script (handles ["OrderPlaced"]) and stopped a runaway one ` +
        `("${failure.message}"); nothing of it was fetched before (now: ${fetchedNow.join(', ') || 'not reported'})`,
    );

    // 11. the Scripts tab, through the real worker: dry run an example, deploy it, see it follow
    log('step: write, dry run and deploy a projection in the Scripts tab');
    await page.locator(tid('center-scripts')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('script-dry-run')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('script-table')).first().waitFor({ timeout: TIMEOUT });
    const dryRows = await page.locator(tid('script-table-row')).count();
    if (dryRows === 0) fail('the dry run of "Orders per customer" produced no rows');
    await page.locator(tid('script-deploy')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('deployed-table')).first().waitFor({ timeout: TIMEOUT });
    await page.locator(tid('timeline-start')).first().click({ timeout: TIMEOUT });
    await until(
      async () => ((await page.locator(tid('deployed-at')).first().textContent()) ?? '').includes('As of position 0'),
      'the deployed projection to follow the timeline to the start',
    );
    await page.locator(tid('timeline-live')).first().click({ timeout: TIMEOUT });
    ok(`dry ran a projection in the worker (${dryRows} rows), deployed it, and it followed the timeline`);

    // 8. no uncaught errors along the way
    if (pageErrors.length) {
      fail(`${pageErrors.length} page error(s):\n  ${pageErrors.map((e) => e.stack || e.message).join('\n  ')}`);
    }
    ok(`no page errors (${consoleErrors.length} console error(s))`);

    if (badResponses.length) log(`note: HTTP errors seen: ${badResponses.join(', ')}`);
    if (blocked.length) log(`note: blocked non-local requests: ${blocked.join(', ')}`);
  } catch (err) {
    if (page) {
      try {
        await mkdir(ARTIFACTS, { recursive: true });
        const shot = path.join(ARTIFACTS, 'failure.png');
        await page.screenshot({ path: shot, fullPage: true });
        log(`failure screenshot saved to ${path.relative(ROOT, shot)}`);
      } catch {
        /* the page may be gone */
      }
    }
    if (pageErrors.length) {
      log(`page errors: ${pageErrors.map((e) => e.message).join(' | ')}`);
    }
    if (badResponses.length) log(`HTTP errors seen: ${badResponses.join(', ')}`);
    throw err;
  } finally {
    await browser.close().catch(() => {});
    await new Promise((r) => server.close(r));
  }
}

try {
  await main();
  console.log(`${passed} passed, 0 failed`);
  process.exit(0);
} catch (err) {
  console.log(`e2e: FAILED after ${passed} passing step(s): ${err instanceof StepFailure ? err.message : err?.stack || err}`);
  console.log(`${passed} passed, 1 failed`);
  process.exit(1);
}
