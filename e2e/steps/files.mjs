// Export the scenario, load a fresh page, import it back: the same log returns.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS, TIMEOUT, fail, generateOrders, openApp, readNumber, tid, until } from '../lib/app.mjs';

export const exportAndImport = {
  name: 'export-import',
  title: 'export the scenario and import it back into a fresh page',
  timeout: 180_000,
  async run({ page, context, base }) {
    await openApp(page, base);
    // Enough events that the import runs in several chunks.
    await generateOrders(page, 3000, { timeout: 90_000 });
    const events = await readNumber(page, 'event-count');
    if (events <= 20000) fail(`3000 orders made only ${events} events; the import needs more than 20,000 to run in chunks`);
    await mkdir(ARTIFACTS, { recursive: true });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.locator(tid('export-scenario')).first().click({ timeout: TIMEOUT }),
    ]);
    const saved = path.join(ARTIFACTS, 'scenario.json');
    await download.saveAs(saved);
    // A fresh page of the same browser (same storage; `#fresh` skips the autosave). A second
    // page rather than a reload: a reload would cut short what the first page was still
    // fetching (its favicon), and an aborted request fails the step.
    const fresh = await context.newPage();
    await openApp(fresh, base, '#fresh');
    await until(async () => (await readNumber(fresh, 'event-count')) === 0, 'a fresh page to start empty');
    await fresh.locator(tid('import-file')).first().setInputFiles(saved);
    await until(async () => (await readNumber(fresh, 'event-count')) === events, `the import to bring back ${events} events`);
    return `exported ${events} events as a scenario file and imported them, in chunks, into a fresh page`;
  },
};
