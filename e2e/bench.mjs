// The in-browser benchmark: the release bundle in headless Chromium. Prints one line of JSON:
// the engine's figures for the wasm build (the page behind #bench), a plain-JavaScript fold of
// the same events into the same read models in the same page (e2e/js-fold.mjs, five runs, the
// median; `replay_vs_js_fold` is how many times faster the engine's replay is), and the frame
// time while scrubbing the timeline across a million events (one slider move a frame); then a
// foreign log (the page behind #bench-log: the library's NDJSON imported and filtered) beside a
// plain-JavaScript reader of the same file in the same page (e2e/js-log-reader.mjs), under `log`.
//
//   node e2e/bench.mjs [EVENTS] [TAB_EVENTS]   (after `trunk build --release`; scripts/bench-browser.sh
//                                              does both; TAB_EVENTS, EVENTS unless given, is what the
//                                              app generates for the scrub and the longest-task figures)
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { foldInPage } from './js-fold.mjs';
import { readInPage } from './js-log-reader.mjs';
import { ordersExport } from './steps/explore.mjs';
import { generateOrders } from './lib/app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const events = Number(process.argv[2] || 1000000);
const tabEvents = Number(process.argv[3] || events);
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = http.createServer((req, res) => {
  let file = path.join(dist, decodeURIComponent(req.url.split('?')[0]));
  if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dist, 'index.html');
  res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
});
// BENCH_ONLY=log runs the foreign log's part alone.
const onlyLog = process.env.BENCH_ONLY === 'log';
try {
  const log = await foreignLog();
  if (onlyLog) console.log(JSON.stringify({ target: 'wasm32 in headless Chromium', log }));
  else await shopAndScrub(log);
} finally {
  await browser.close();
  server.close();
}

// A foreign log: the import and the query bar in wasm, and the plain-JavaScript reader of the
// same file in the same page.
async function foreignLog() {
  const logPage = await browser.newPage();
  await logPage.goto(`${base}#bench-log=${events}`);
  await logPage.waitForSelector('[data-testid=bench-result]', { timeout: 600000 });
  const logFigures = JSON.parse(await logPage.textContent('[data-testid=bench-result]'));
  if (logFigures.error) throw new Error(`the log benchmark page failed: ${logFigures.error}`);
  const reader = await logPage.evaluate(readInPage, 5);
  if (reader.events !== logFigures.events) {
    throw new Error(`the JavaScript reader read ${reader.events} events, the store ${logFigures.events}`);
  }
  const round2 = (value) => Math.round(value * 100) / 100;
  const log = {
    ...logFigures,
    js_import_ms: round2(reader.import_ms),
    js_bytes_per_event_all_in: reader.bytes_per_event_all_in,
    import_vs_js: round2(reader.import_ms / logFigures.import_ms),
    filter: logFigures.filter.map((figure, index) => {
      const js = reader.filters[index];
      if (js.matches !== figure.matches) {
        throw new Error(`${figure.query}: the query bar found ${figure.matches} events, the JavaScript reader ${js.matches}`);
      }
      return { ...figure, js_ms: round2(js.ms), vs_js: round2(js.ms / Math.max(figure.ms, 1e-6)) };
    }),
  };
  await logPage.close();
  return { ...log, through_the_page: await importThroughThePage() };
}

// The same size of file opened as a user opens one: the file input, the mapping step, Open;
// timed from the click to the workspace, with the longest task the page ran meanwhile.
async function importThroughThePage() {
  const file = path.join(root, 'e2e', 'artifacts', 'bench-export.ndjson');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, ordersExport(events));
  const bytes = fs.statSync(file).size;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    await page.goto(base);
    await page.waitForSelector('[data-testid=app]');
    await page.locator('[data-testid=explore-file]').first().setInputFiles(file);
    await page.waitForSelector('[data-testid=mapping-dialog]', { timeout: 600000 });
    await page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
    });
    const started = Date.now();
    await page.locator('[data-testid=mapping-open]').first().click();
    await page.waitForSelector('[data-testid=explore-workspace]', { timeout: 1800000 });
    const seconds = (Date.now() - started) / 1000;
    const summary = await page.textContent('[data-testid=explore-summary]');
    const longest = await page.evaluate(() => Math.max(0, ...window.__longTasks));
    const memory = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null));
    return {
      file_mb: Math.round((bytes / (1 << 20)) * 10) / 10,
      import_s: Math.round(seconds * 10) / 10,
      longest_task_ms: Math.round(longest),
      js_heap_mb: memory === null ? null : Math.round(memory / (1 << 20)),
      summary: summary.trim(),
    };
  } finally {
    await page.close();
    fs.rmSync(file, { force: true });
  }
}

// The shop's workload beside the plain-JavaScript fold, then scrubbing the real app.
async function shopAndScrub(log) {
  // 1. The engine's figures, in wasm.
  const page = await browser.newPage();
  await page.goto(`${base}#bench=${events}`);
  await page.waitForSelector('[data-testid=bench-result]', { timeout: 600000 });
  const figures = JSON.parse(await page.textContent('[data-testid=bench-result]'));
  if (figures.error) throw new Error(`the benchmark page failed: ${figures.error}`);
  // 1b. The peer, in the same page: a plain-JavaScript fold of the same events (five runs).
  const js = await page.evaluate(foldInPage, 5);
  const same = JSON.stringify(js.summary) === JSON.stringify(figures.fold_summary);
  if (!same) {
    throw new Error(`the JavaScript fold ended elsewhere than the engine's reference fold:\n` +
      `js:   ${JSON.stringify(js.summary)}\nrust: ${JSON.stringify(figures.fold_summary)}`);
  }
  await page.close();

  // 2. Scrubbing the real app across the log: one slider move per animation frame.
  const app = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await app.goto(base);
  await app.waitForSelector('[data-testid=app]');
  const orders = Math.max(1, Math.round(tabEvents / 8.3));
  // Every task over 50 ms the page runs while generating (Chromium's long tasks): generation
  // runs in chunks with progress, so the longest says how long the tab stopped answering.
  await app.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const generateStarted = Date.now();
  // Generation runs in chunks with progress: wait for it to finish, not for the button.
  // The form takes at most a million orders a time: a larger tab is generated in rounds.
  let eventsInApp = 0;
  for (let left = orders; left > 0; left -= 1000000) {
    ({ after: eventsInApp } = await generateOrders(app, Math.min(left, 1000000), { timeout: 1800000 }));
  }
  const generateSeconds = (Date.now() - generateStarted) / 1000;
  const longTasks = await app.evaluate(() => window.__longTasks.slice().sort((a, b) => b - a));
  const frames = await app.evaluate(async () => {
    const slider = document.querySelector('[data-testid=timeline-slider]');
    const max = Number(slider.max);
    const steps = 300;
    const stamps = [];
    await new Promise((resolve) => {
      let i = 0;
      const tick = (t) => {
        stamps.push(t);
        if (i > steps) return resolve();
        // Back and forth across the whole log, large jumps and small steps mixed.
        const fraction = i % 50 < 25 ? (i % 50) / 25 : 1 - ((i % 50) - 25) / 25;
        slider.value = String(Math.round(fraction * max) - (i % 3));
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        i += 1;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    return stamps.slice(2).map((t, k) => t - stamps[k + 1]);
  });
  await app.close();


  frames.sort((a, b) => a - b);
  const at = (q) => frames[Math.min(frames.length - 1, Math.round((frames.length - 1) * q))];
  console.log(JSON.stringify({
    ...figures,
    target: 'wasm32 in headless Chromium',
    js_fold_ms: Math.round(js.median_ms * 1000) / 1000,
    js_fold_runs: js.times.map((t) => Math.round(t * 10) / 10),
    replay_vs_js_fold: Math.round((js.median_ms / figures.replay_ms) * 100) / 100,
    reference_vs_js_fold: Math.round((js.median_ms / figures.reference_fold_ms) * 100) / 100,
    scrub_events: eventsInApp,
    tab_generate_s: Math.round(generateSeconds * 10) / 10,
    tab_long_tasks: longTasks.length,
    tab_longest_task_ms: Math.round((longTasks[0] || 0) * 10) / 10,
    scrub_frames: frames.length,
    scrub_frame_p50_ms: Math.round(at(0.5) * 100) / 100,
    scrub_frame_p95_ms: Math.round(at(0.95) * 100) / 100,
    log,
  }));
}
