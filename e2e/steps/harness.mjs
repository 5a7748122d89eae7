// The harness checks itself: each kind of problem, made on purpose in a probe step of its own,
// must fail that probe (and name the problem), and a clean probe must pass. Probes run through
// the same runStep as every other step, without screenshots, and are not counted.

import { fail } from '../lib/app.mjs';
import { runStep } from '../lib/harness.mjs';

// An empty page of our own origin (so it may start workers), served by the probe itself.
async function blank(page, base) {
  const url = `${base}__probe.html`;
  await page.route(url, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>probe</title><p>probe</p>' }),
  );
  await page.goto(url);
}

const PROBES = [
  {
    name: 'clean',
    expect: null,
    run: async ({ page, base }) => {
      await blank(page, base);
      await page.evaluate(() => console.log('a log line is fine'));
    },
  },
  {
    name: 'console-error',
    expect: /console error: injected/,
    run: async ({ page, base }) => {
      await blank(page, base);
      await page.evaluate(() => console.error('injected'));
    },
  },
  {
    name: 'console-warning',
    expect: /console warning: injected/,
    run: async ({ page, base }) => {
      await blank(page, base);
      await page.evaluate(() => console.warn('injected'));
    },
  },
  {
    name: 'worker-console-error',
    expect: /console error: injected in a worker/,
    run: async ({ page, base }) => {
      await blank(page, base);
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const source = "console.error('injected in a worker'); postMessage('done');";
            const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
            worker.onmessage = () => resolve();
          }),
      );
      await page.waitForTimeout(100);
    },
  },
  {
    // Chromium's own message, made the way the old keyboard shortcuts made it.
    name: 'passive-prevent-default',
    expect: /Unable to preventDefault inside passive event listener/,
    run: async ({ page, base }) => {
      await blank(page, base);
      await page.evaluate(() => window.addEventListener('keydown', (event) => event.preventDefault(), { passive: true }));
      await page.keyboard.press('End');
    },
  },
  {
    name: 'page-error',
    expect: /page error: .*injected/,
    run: async ({ page, base }) => {
      await blank(page, base);
      await page.evaluate(() => setTimeout(() => { throw new Error('injected'); }, 0));
      await page.waitForTimeout(50);
    },
  },
  {
    name: 'http-404',
    expect: /HTTP 404 for GET .*no-such-file\.txt/,
    run: async ({ page, base }) => {
      await page.goto(`${base}no-such-file.txt`);
    },
  },
  {
    name: 'blocked-request',
    expect: /blocked a request that leaves the test server: https:\/\/example\.invalid\//,
    run: async ({ page, base }) => {
      await blank(page, base);
      await page.evaluate(() => fetch('https://example.invalid/').catch(() => {}));
    },
  },
  {
    name: 'worker-fetched-unasked',
    failure: /the script worker was fetched though nothing asked for it/,
    run: async ({ page, base }) => {
      await page.goto(`${base}eventide-script-worker_loader.js`);
    },
  },
];

export const harnessCatchesProblems = {
  name: 'harness-self-check',
  title: 'the harness fails a step for each kind of problem, and passes a clean one',
  async run({ page, base }) {
    const browser = page.context().browser();
    const seen = [];
    for (const probe of PROBES) {
      const result = await runStep(browser, base, { name: `probe-${probe.name}`, title: probe.name, run: probe.run }, { screenshots: false });
      const said = [result.failure, ...result.problems].filter(Boolean).join(' | ');
      const wanted = probe.expect ?? probe.failure;
      if (!wanted) {
        if (!result.ok) fail(`the clean probe failed: ${said}`);
      } else if (result.ok) {
        fail(`the probe "${probe.name}" passed, yet it should have failed with ${wanted}`);
      } else if (!wanted.test(probe.failure ? result.failure ?? '' : result.problems.join(' | '))) {
        fail(`the probe "${probe.name}" failed, but not with ${wanted}: ${said}`);
      }
      seen.push(probe.name);
    }
    return `probes behaved: ${seen.join(', ')} (each failed with its problem; clean passed)`;
  },
};
