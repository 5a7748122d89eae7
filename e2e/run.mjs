// End-to-end test of the release build in headless Chromium.
//
//   trunk build --release && node e2e/run.mjs
//
// Serves dist/ from an in-process static server on 127.0.0.1 (ephemeral port) and drives the
// app through its data-testid hooks only. Uses playwright-core with the system Chromium:
// nothing is downloaded.
//
// The steps are independent: the browser is launched once, and each step gets a fresh
// context (a fresh page, fresh local storage) and builds the state it needs itself (helpers in
// e2e/lib/app.mjs). A step fails on its own checks and on any page error, console error or
// warning, HTTP status >= 400 or failed request during it (the rule: e2e/lib/harness.mjs).
// A failed step saves e2e/artifacts/<step>.png and the run goes on with the next step. The
// last line is `N passed, M failed`; the exit code is non-zero if any step failed.
//
// Environment: CHROME_BIN (default /usr/bin/chromium), E2E_TIMEOUT_MS (default 20000, per
// wait), E2E_DIST (default dist), E2E_HEADED=1 to watch, E2E_ONLY=name,name to run only the
// steps whose names contain one of these.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, log } from './lib/app.mjs';
import { runSteps } from './lib/harness.mjs';
import { startServer } from './lib/server.mjs';
import { generateSomeOrders, openTheApp, placeAnOrder, screenshot } from './steps/basics.mjs';
import { exploreABigFile, exploreAForeignLog, exploreTheExample } from './steps/explore.mjs';
import { exportAndImport } from './steps/files.mjs';
import { harnessCatchesProblems } from './steps/harness.mjs';
import { keyboardShortcuts } from './steps/keyboard.mjs';
import { lessonByAddress } from './steps/lessons.mjs';
import { keepingABranchAsks, linksKeepSavedWork } from './steps/nothing_lost.mjs';
import { lessonWalkthroughs, lessonsAllWalked } from './steps/lessons-walkthrough.mjs';
import { answerThenArrows, projectorLayouts, skipToTheTimeline } from './steps/projector.mjs';
import { scriptWorker, scriptsTab } from './steps/scripts.mjs';
import { catalogExportsAsyncapi } from './steps/catalog.mjs';
import { searchTheLog } from './steps/search.mjs';
import { roomServicesRedeliver, roomSharesOneLog } from './steps/room.mjs';
import { copyLinkOpensWhatWasSeen, servicesLinkOpensTheRun } from './steps/share.mjs';
import { backToLive, stepBack, travelToTheMiddle } from './steps/timeline.mjs';

const STEPS = [
  harnessCatchesProblems,
  openTheApp,
  generateSomeOrders,
  placeAnOrder,
  travelToTheMiddle,
  stepBack,
  backToLive,
  exportAndImport,
  copyLinkOpensWhatWasSeen,
  servicesLinkOpensTheRun,
  roomSharesOneLog,
  roomServicesRedeliver,
  searchTheLog,
  exploreAForeignLog,
  exploreABigFile,
  exploreTheExample,
  catalogExportsAsyncapi,
  lessonByAddress,
  screenshot,
  scriptWorker,
  scriptsTab,
  keyboardShortcuts,
  skipToTheTimeline,
  answerThenArrows,
  ...projectorLayouts,
  linksKeepSavedWork,
  keepingABranchAsks,
  lessonsAllWalked,
  ...lessonWalkthroughs,
];

const DIST = path.resolve(ROOT, process.env.E2E_DIST ?? 'dist');
const CHROME = process.env.CHROME_BIN || '/usr/bin/chromium';
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

function chosen(steps) {
  const only = (process.env.E2E_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return only.length ? steps.filter((step) => only.some((name) => step.name.includes(name))) : steps;
}

async function main() {
  if (!(await stat(path.join(DIST, 'index.html')).catch(() => null))) {
    throw new Error(`${path.relative(ROOT, DIST) || DIST}/index.html not found: run \`trunk build --release\` first`);
  }
  if (!(await stat(CHROME).catch(() => null))) throw new Error(`Chromium not found at ${CHROME} (run scripts/setup.sh)`);
  const steps = chosen(STEPS);
  if (!steps.length) throw new Error(`E2E_ONLY=${process.env.E2E_ONLY} names no step`);

  const server = await startServer(DIST);
  const base = `http://127.0.0.1:${server.address().port}/`;
  log(`serving ${path.relative(ROOT, DIST)}/ at ${base}`);
  const browser = await chromium.launch({
    executablePath: CHROME,
    headless: process.env.E2E_HEADED !== '1',
    args: CHROME_ARGS,
  });
  const started = Date.now();
  try {
    const [passed, failed] = await runSteps(browser, base, steps);
    log(`${steps.length} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return [passed, failed];
  } finally {
    await browser.close().catch(() => {});
    await new Promise((r) => server.close(r));
  }
}

try {
  const [passed, failed] = await main();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
} catch (err) {
  // The run could not start (no build, no browser): nothing ran.
  console.log(`e2e: could not run: ${err?.message ?? err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
