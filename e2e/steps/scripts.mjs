// The script worker: its own module, fetched only when a worker is made; and the Scripts tab,
// through the real worker.

import { TIMEOUT, WORKER_NAME, appWithOrders, fail, tid, until } from '../lib/app.mjs';

export const scriptWorker = {
  name: 'script-worker',
  title: 'the script worker answers from its own module, fetched only on demand',
  usesWorker: true,
  async run({ page, base, requested }) {
    await appWithOrders(page, base, 50);
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
          // The runner's protocol: a copy of the log fed what was appended, a deployed script
          // kept by id, and a table asked for at a position.
          const copy = await ask(8, { NewCopy: { copy: 1, event_types: ['OrderPlaced'] } });
          const appended = await ask(9, {
            Append: { copy: 1, after: 0, through: 3, events: [{ event_type: 'OrderPlaced', position: 3, payload: {} }] },
          });
          const script = { id: 1, version: 1 };
          await ask(10, { Load: { script, kind: 'Projection', source: 'fn OrderPlaced(event) {\n    loop { }\n}' } });
          const runaway = await ask(11, {
            TableAt: { copy: 1, script, at: 3, rows: { first: 0, count: 10 }, time_limit_ms: 5000 },
          });
          const stale = await ask(12, {
            TableAt: { copy: 2, script, at: 3, rows: { first: 0, count: 10 }, time_limit_ms: 5000 },
          });
          return { before, status: served.status, loaderText, compiled, copy, appended, runaway, stale };
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
    // The handler reads no payload field: the Catalog's impact check counts on that list.
    const expected = {
      id: 7,
      reply: { Compiled: { handles: ['OrderPlaced'], reads: [{ event_type: 'OrderPlaced', reads: { fields: [] } }] } },
    };
    if (compiled !== JSON.stringify(expected)) {
      fail(`the worker's answer to Compile is ${compiled}`);
    }
    const synced = [probe.copy, probe.appended].map((m) => JSON.stringify(m?.reply?.Synced));
    if (synced[0] !== '{"copy":1,"through":0}' || synced[1] !== '{"copy":1,"through":3}') {
      fail(`the worker did not keep the copy of the log it was sent: ${JSON.stringify([probe.copy, probe.appended])}`);
    }
    // The failure's kind is typed (FailureKind in shop/src/scripting.rs); `limit` is its name.
    const failure = probe.runaway?.reply?.Failed;
    if (probe.runaway?.id !== 11 || failure?.kind !== 'limit' || failure?.event_position !== 3) {
      fail(`the worker did not stop a runaway script at its limit: ${JSON.stringify(probe.runaway)}`);
    }
    if (!probe.stale?.reply?.OutOfStep) {
      fail(`the worker answered a request about a copy it does not hold: ${JSON.stringify(probe.stale)}`);
    }
    const fetchedNow = [...new Set(requested.filter((url) => url.includes(WORKER_NAME)).map((url) => new URL(url).pathname))];
    return (
      `the script worker compiled a script (handles ["OrderPlaced"]) and stopped a runaway one ` +
      `("${failure.message}"); nothing of it was fetched before (now: ${fetchedNow.join(', ') || 'not reported'})`
    );
  },
};

export const scriptsTab = {
  name: 'scripts-tab',
  title: 'write, dry run and deploy a projection in the Scripts tab',
  usesWorker: true,
  async run({ page, base }) {
    await appWithOrders(page, base, 50);
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
    return `dry ran a projection in the worker (${dryRows} rows), deployed it, and it followed the timeline`;
  },
};
