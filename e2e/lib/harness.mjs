// The step runner: every step in a fresh browser context (so a fresh page, fresh local storage,
// no state left by another step), its problems recorded and attributed to it, a screenshot when
// it fails, and the next step run regardless.
//
// What fails a step, besides its own checks (the rule, in one place):
//   - a page error (an uncaught exception or unhandled rejection in the page);
//   - a console message of type 'error' or 'assert', from the page or one of its workers;
//   - a console message of type 'warning', unless it matches ALLOWED_WARNINGS below (each entry
//     says why it is harmless). Chromium reports interventions ("Unable to preventDefault
//     inside passive event listener invocation.") and deprecations this way: they are real
//     problems, so a warning fails unless someone has written down why it does not matter;
//   - an HTTP response with status >= 400, or a request that failed (refused, aborted, or
//     blocked because it left our server: the app must be self-contained).
// Every other console type (log, info, debug, ...) is only shown when the step fails.

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS, ROOT, WORKER_NAME, log, StepFailure } from './app.mjs';

/** Warnings that do not fail a step: [pattern, why it is harmless]. Keep it short. */
export const ALLOWED_WARNINGS = [
  [
    /^The `integrity` attribute is currently ignored for preload destinations that do not support subresource integrity/,
    'Trunk puts an integrity hash on its <link rel="preload" as="fetch"> of the wasm; Chromium ' +
      'does not check SRI for that kind of preload, says so, and loads the module all the same',
  ],
  [
    /^using deprecated parameters for the initialization function; pass a single object instead$/,
    "wasm-bindgen's glue, when Trunk 0.21's worker loader shim (data-loader-shim) calls " +
      'wasm_bindgen("..._bg.wasm") with a string: generated code, not ours; it still works',
  ],
];

const DEFAULT_VIEWPORT = { width: 1440, height: 900 };
const DEFAULT_STEP_TIMEOUT = 90_000;

/** A console message that fails a step, as a sentence; null when it does not. */
export function consoleProblem(type, text) {
  if (type === 'error' || type === 'assert') return `console ${type}: ${text}`;
  if (type === 'warning' && !ALLOWED_WARNINGS.some(([pattern]) => pattern.test(text))) {
    return `console warning: ${text}`;
  }
  return null;
}

/**
 * Runs one step in its own context. Returns { name, ok, ms, detail, failure, problems }.
 * `step`: { name, title, run(t), viewport?, timeout?, usesWorker? }; `t` is
 * { page, context, base, requested, tolerate }: `tolerate(pattern, why)` excuses the console
 * messages matching `pattern` (a failure the step causes on purpose) until the function it
 * returns is called. `run` returns a one-line summary.
 * A step that is not marked `usesWorker` also fails if the script worker's files were fetched.
 */
export async function runStep(browser, base, step, { screenshots = true } = {}) {
  const started = Date.now();
  const at = () => `+${Date.now() - started} ms`;
  const problems = [];
  const notes = [];
  const requested = [];
  const problem = (text) => problems.push(`${text} (${at()})`);
  // Console messages a step causes on purpose (a broker it stopped), while it says so.
  const tolerated = new Set();
  const tolerate = (pattern, why) => {
    const entry = [pattern, why];
    tolerated.add(entry);
    return () => tolerated.delete(entry);
  };
  const context = await browser.newContext({ viewport: step.viewport ?? DEFAULT_VIEWPORT, acceptDownloads: true });
  // The app must be self-contained: refuse anything that is not our server.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problem(`blocked a request that leaves the test server: ${url}`);
    return route.abort('blockedbyclient');
  });
  const watch = (page) => {
    page.on('pageerror', (err) => problem(`page error: ${err.stack || err.message}`));
    page.on('console', (msg) => {
      // A worker's messages are taken from the worker (below), with its address.
      if (typeof msg.worker === 'function' && msg.worker()) return;
      notes.push(`console ${msg.type()}: ${msg.text()}`);
      const excused = [...tolerated].find(([pattern]) => pattern.test(msg.text()));
      if (excused) {
        notes.push(`  (tolerated: ${excused[1]})`);
        return;
      }
      const p = consoleProblem(msg.type(), msg.text());
      if (p) problem(p);
    });
    page.on('worker', (worker) => {
      worker.on('console', (msg) => {
        notes.push(`worker console ${msg.type()}: ${msg.text()}`);
        const p = consoleProblem(msg.type(), msg.text());
        if (p) problem(`in the worker ${worker.url()}: ${p}`);
      });
    });
    page.on('request', (req) => requested.push(req.url()));
    page.on('response', (resp) => {
      if (resp.status() >= 400) problem(`HTTP ${resp.status()} for ${resp.request().method()} ${resp.url()}`);
    });
    page.on('requestfailed', (req) => {
      const reason = req.failure()?.errorText ?? 'failed';
      // Already reported by the route above.
      if (reason === 'net::ERR_BLOCKED_BY_CLIENT') return;
      problem(`request failed (${reason}): ${req.method()} ${req.url()}`);
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  const shot = path.join(ARTIFACTS, `${step.name}.png`);
  await rm(shot, { force: true });

  let detail = '';
  let failure = null;
  let timer;
  try {
    const timeout = step.timeout ?? DEFAULT_STEP_TIMEOUT;
    const t = { page, context, base, requested, tolerate };
    const running = step.run(t);
    // If the step times out, it fails once its context closes: that is not news.
    running.catch(() => {});
    detail = await Promise.race([
      running,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new StepFailure(`the step took longer than ${timeout} ms`)), timeout);
      }),
    ]);
    // Let messages the page sent just before the step ended arrive.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100))).catch(() => {});
    if (!step.usesWorker) {
      const early = requested.filter((url) => url.includes(WORKER_NAME));
      if (early.length) failure = `the script worker was fetched though nothing asked for it: ${early.join(', ')}`;
    }
  } catch (err) {
    failure = err instanceof StepFailure ? err.message : err?.stack || String(err);
  } finally {
    clearTimeout(timer);
  }
  const ok = !failure && problems.length === 0;
  let saved = null;
  if (!ok && screenshots) {
    try {
      await mkdir(ARTIFACTS, { recursive: true });
      // The page the step opened last (a step may open a second one).
      const last = context.pages().at(-1) ?? page;
      await last.screenshot({ path: shot, fullPage: true, timeout: 10_000 });
      saved = shot;
    } catch {
      /* the page may be gone */
    }
  }
  await context.close().catch(() => {});
  return { name: step.name, title: step.title, ok, ms: Date.now() - started, detail, failure, problems, notes, shot: saved };
}

/** Runs the steps one after another, reports each, and returns [passed, failed]. */
export async function runSteps(browser, base, steps) {
  let passed = 0;
  let failed = 0;
  for (const [index, step] of steps.entries()) {
    log(`step ${index + 1}: ${step.title}`);
    const result = await runStep(browser, base, step);
    const where = `${index + 1} - ${step.name} (${(result.ms / 1000).toFixed(1)} s)`;
    if (result.ok) {
      passed += 1;
      log(`ok ${where}: ${result.detail ?? ''}`);
      continue;
    }
    failed += 1;
    log(`FAIL ${where}`);
    if (result.failure) log(`  check failed: ${result.failure}`);
    for (const p of result.problems) log(`  problem: ${p}`);
    if (result.notes.length) log(`  console, in order (last 30):\n    ${result.notes.slice(-30).join('\n    ')}`);
    log(`  screenshot: ${result.shot ? path.relative(ROOT, result.shot) : 'none (the page was gone)'}`);
  }
  return [passed, failed];
}
