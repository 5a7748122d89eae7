// Explore any event log (issue #16), as a user: open a third-party CloudEvents batch from a
// file, map its stream to a payload field and see the preview follow, open it, read the
// summary, pick an event and read its payload and stream, filter it, step the cursor back,
// read the diff and the streams, go back to the shop and find it unchanged. Then the shipped
// example log, its catalog and a flow, with screenshots at 1280x720 with large text and at
// 1440x900 (to PROJECTOR_SHOTS).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';
import path from 'node:path';
import { ARTIFACTS, TIMEOUT, fail, generateOrders, layoutProblems, openApp, readNumber, tid, until } from '../lib/app.mjs';

const SHOTS = process.env.PROJECTOR_SHOTS ?? '/tmp/shots-projector';

/** A billing system's log, nothing like the shop: invoices issued, paid and voided. */
function billingBatch() {
  const events = [];
  const start = Date.parse('2025-06-01T08:00:00Z');
  for (let i = 0; i < 60; i += 1) {
    const invoice = `INV-${String(i % 12).padStart(3, '0')}`;
    const kind = i < 12 ? 'issued' : i % 5 === 0 ? 'voided' : 'paid';
    events.push({
      specversion: '1.0',
      id: `bill-${i}`,
      source: '/billing',
      type: `com.example.billing.invoice.${kind}`,
      time: new Date(start + i * 45_000).toISOString(),
      datacontenttype: 'application/json',
      data: { invoice, total: 40 + (i % 12) * 20, currency: 'EUR', step: i },
    });
  }
  return events;
}

const text = (page, id) => page.locator(tid(id)).first().innerText({ timeout: TIMEOUT });

/** "N events · T types · S streams ..." as numbers. */
async function summary(page) {
  const found = /^([\d,]+) events · (\d+) types · ([\d,]+) streams/.exec(await text(page, 'explore-summary'));
  if (!found) return null;
  const number = (s) => Number(s.replace(/,/g, ''));
  return { events: number(found[1]), types: number(found[2]), streams: number(found[3]) };
}

async function shot(page, name) {
  if (process.env.PROJECTOR_SHOTS === 'none') return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `explore-${name}.png`) });
}

/** The workspace's parts on screen, and nothing scrolls sideways. */
async function laidOut(page, where) {
  const problems = await layoutProblems(page, ['explore-summary', 'explore-close', 'explore-slider', 'explore-query', 'explore-row', 'explore-detail-pane']);
  if (problems.length) fail(`${where}: ${problems.join('; ')}`);
}

export const exploreAForeignLog = {
  name: 'explore-a-foreign-log',
  title: "a third-party CloudEvents file is mapped, explored, filtered and diffed, and the shop is untouched",
  viewport: { width: 1440, height: 900 },
  timeout: 150_000,
  async run({ page, base }) {
    await openApp(page, base);
    await generateOrders(page, 5);
    const shopEvents = await readNumber(page, 'event-count');

    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'billing.json');
    await writeFile(file, JSON.stringify(billingBatch()));
    await page.locator(tid('explore-file')).first().setInputFiles(file);
    await page.locator(tid('mapping-dialog')).first().waitFor({ timeout: TIMEOUT });

    // Each event its own stream by default (the subject is missing): map the stream to the invoice.
    const stream = page.locator(tid('mapping-stream')).first();
    const offered = await stream.locator('option').allInnerTexts();
    const invoice = offered.find((label) => label.includes('data.invoice'));
    if (!invoice) fail(`the stream choices do not offer data.invoice: ${offered.join(', ')}`);
    await stream.selectOption({ label: invoice });
    await until(async () => (await text(page, 'mapping-preview')).includes('INV-000'), 'the preview to show the invoice as the stream');

    await page.locator(tid('mapping-open')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-workspace')).first().waitFor({ timeout: TIMEOUT });
    const opened = await summary(page);
    if (!opened || opened.events !== 60 || opened.types !== 3 || opened.streams !== 12) {
      fail(`the summary reads "${await text(page, 'explore-summary')}", not 60 events of 3 types in 12 streams`);
    }
    await laidOut(page, 'the billing log at 1440x900');
    await shot(page, 'billing-1440');

    // Pick the first event: its payload and its stream are in the detail.
    await page.locator(tid('explore-row')).first().click({ timeout: TIMEOUT });
    const data = await text(page, 'explore-data');
    if (!/"invoice": "INV-0\d\d"/.test(data)) fail(`the selected event's payload reads ${data.slice(0, 80)}`);

    // Filter: invoices over 100, counted by the cursor and in all.
    const query = page.locator(tid('explore-query')).first();
    await query.fill('data.total > 100');
    await query.press('Enter');
    const over = billingBatch().filter((event) => event.data.total > 100).length;
    await until(async () => (await text(page, 'explore-count')).includes(`${over} in all`), `the count to say ${over} match in all`);
    await query.fill('data.total >');
    await query.press('Enter');
    await page.locator(tid('explore-refusal')).first().waitFor({ timeout: TIMEOUT });
    await query.fill('');
    await query.press('Enter');

    // Step back ten events with the keyboard, from the slider.
    await page.locator(tid('explore-slider')).first().focus();
    for (let i = 0; i < 10; i += 1) await page.keyboard.press('ArrowLeft');
    await until(async () => (await text(page, 'explore-cursor')).startsWith('After 50 of 60 events'), 'the cursor to stand at 50 of 60');

    // The diff from 40 to the cursor: ten events, in at most ten streams.
    await page.locator(tid('explore-tab-diff')).first().click({ timeout: TIMEOUT });
    const from = page.locator(tid('explore-diff-from')).first();
    await from.fill('40');
    await from.press('Enter');
    await until(async () => /^\d+ streams had events between 40 and the cursor \(50\)/.test(await text(page, 'explore-diff-count')), 'the diff to run from 40 to 50');
    const changed = Number(/^(\d+)/.exec(await text(page, 'explore-diff-count'))[1]);
    if (changed < 1 || changed > 10) fail(`${changed} streams changed in ten events`);
    if ((await page.locator(tid('explore-diff-field')).count()) === 0) fail('the diff lists no field');

    // The streams as of the cursor, one opened field by field with its blame.
    await page.locator(tid('explore-tab-streams')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-stream-row')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-stream-state')).first().waitFor({ timeout: TIMEOUT });
    if ((await page.locator(tid('explore-blame')).count()) === 0) fail('the stream state names no event that set a field');

    // Back to the shop: what it held is still there.
    await page.locator(tid('explore-close')).first().click({ timeout: TIMEOUT });
    await until(async () => (await page.locator(tid('explore-workspace')).count()) === 0, 'the explorer to close');
    const after = await readNumber(page, 'event-count');
    if (after !== shopEvents) fail(`the shop held ${shopEvents} events before exploring and ${after} after`);

    // The same file again: the mapping starts from the choice made for it.
    await page.locator(tid('explore-file')).first().setInputFiles(file);
    await page.locator(tid('mapping-dialog')).first().waitFor({ timeout: TIMEOUT });
    if (!(await text(page, 'mapping-origin')).includes('you chose when you last opened this file')) {
      fail(`reopened, the mapping step says: ${await text(page, 'mapping-origin')}`);
    }
    if (!(await text(page, 'mapping-preview')).includes('INV-000')) fail('reopened, the stream is not the invoice chosen before');
    await page.locator(tid('mapping-cancel')).first().click({ timeout: TIMEOUT });
    return `a 60-event billing batch mapped by data.invoice into 12 streams, filtered (${over} over 100), diffed (${changed} streams from 40 to 50); the shop kept its ${shopEvents} events`;
  },
};

/** A store's export as plain NDJSON (KurrentDB-like names), `count` events, about 250 bytes each. */
export function ordersExport(count, brokenLine = 0) {
  const lines = [];
  const start = Date.parse('2025-09-01T00:00:00Z');
  for (let i = 1; i <= count; i += 1) {
    const stream = `order-${i % 997}`;
    const kind = i % 3 === 0 ? 'OrderShipped' : i % 3 === 1 ? 'OrderPlaced' : 'OrderPaid';
    lines.push(i === brokenLine ? '{"eventType": "OrderPaid", "streamId": ' : JSON.stringify({
      eventId: `e-${i}`, eventType: kind, streamId: stream, created: new Date(start + i * 1000).toISOString(),
      data: { order: stream, amount: (i * 37) % 1000, note: 'x'.repeat(120) },
    }));
  }
  return `${lines.join('\n')}\n`;
}

export const exploreABigFile = {
  name: 'explore-a-big-file',
  title: 'a 12 MB NDJSON export is read from the file a slice at a time and filtered; a broken line deep in another is named and nothing is kept',
  viewport: { width: 1440, height: 900 },
  timeout: 150_000,
  async run({ page, base }) {
    await openApp(page, base);
    await mkdir(ARTIFACTS, { recursive: true });
    const events = 45_000;
    const big = path.join(ARTIFACTS, 'orders-export.ndjson');
    const content = ordersExport(events);
    await writeFile(big, content);
    const megabytes = Buffer.byteLength(content) / (1 << 20);
    if (megabytes < 9) fail(`the export is ${megabytes.toFixed(1)} MiB, not more than two of the explorer's 4 MiB slices`);
    await page.locator(tid('explore-file')).first().setInputFiles(big);
    await page.locator(tid('mapping-dialog')).first().waitFor({ timeout: TIMEOUT });
    await until(async () => (await text(page, 'mapping-preview')).includes('OrderPlaced'), 'the preview to show the first events');
    await page.locator(tid('mapping-open')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-workspace')).first().waitFor({ timeout: 60_000 });
    const opened = await summary(page);
    if (!opened || opened.events !== events || opened.types !== 3 || opened.streams !== 997) {
      fail(`the summary reads "${await text(page, 'explore-summary')}", not ${events} events of 3 types in 997 streams`);
    }
    const query = page.locator(tid('explore-query')).first();
    await query.fill('type == OrderPaid and data.amount > 900');
    await query.press('Enter');
    let over = 0;
    for (let i = 1; i <= events; i += 1) if (i % 3 === 2 && (i * 37) % 1000 > 900) over += 1;
    await until(async () => (await text(page, 'explore-count')).includes(`${over.toLocaleString('en-US')} in all`), `the count to say ${over} match in all`);
    await page.locator(tid('explore-close')).first().click({ timeout: TIMEOUT });
    await until(async () => (await page.locator(tid('explore-workspace')).count()) === 0, 'the explorer to close');

    // A line broken past the first slices: named, and nothing is opened.
    const broken = path.join(ARTIFACTS, 'orders-broken.ndjson');
    const at = events - 2;
    await writeFile(broken, ordersExport(events, at));
    await page.locator(tid('explore-file')).first().setInputFiles(broken);
    await page.locator(tid('mapping-open')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-refused')).first().waitFor({ timeout: 60_000 });
    const why = await text(page, 'explore-refused-why');
    if (!why.includes(`line ${at}`) || !why.includes('nothing was kept')) fail(`the refusal reads "${why}"`);
    await page.locator(tid('explore-refused-close')).first().click({ timeout: TIMEOUT });
    if ((await page.locator(tid('explore-workspace')).count()) !== 0) fail('a refused log opened');
    return `${megabytes.toFixed(1)} MiB, ${events} events read in 4 MiB slices, ${over} matched; line ${at} of the broken copy named`;
  },
};

export const exploreTheExample = {
  name: 'explore-the-example',
  title: "the lending library's log opens, its catalog and a flow read well on a projector and at 1440x900",
  viewport: { width: 1280, height: 720 },
  // Its Scripts tab runs a projection in the script worker.
  usesWorker: true,
  timeout: 150_000,
  async run({ page, base }) {
    await openApp(page, base);
    await page.locator(tid('large-text')).first().click({ timeout: TIMEOUT });
    await page.locator('.app.large-text').first().waitFor({ timeout: TIMEOUT });
    await page.locator(tid('explore-example')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('mapping-dialog')).first().waitFor({ timeout: TIMEOUT });
    await shot(page, 'mapping-1280-large');
    await page.locator(tid('mapping-open')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-workspace')).first().waitFor({ timeout: TIMEOUT });
    const opened = await summary(page);
    if (!opened || opened.events !== 3131) fail(`the example's summary reads "${await text(page, 'explore-summary')}"`);

    await page.locator(tid('explore-row')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-flow')).first().waitFor({ timeout: TIMEOUT });
    await laidOut(page, 'the example at 1280x720 with large text');
    await shot(page, 'log-1280-large');

    await page.locator(tid('explore-tab-catalog')).first().click({ timeout: TIMEOUT });
    const types = await page.locator(tid('explore-type')).count();
    if (types !== opened.types) fail(`the catalog lists ${types} types of ${opened.types}`);
    // The schema is folded away until asked for, as a reader would open it.
    await page.locator(`${tid('explore-type')} summary`).first().click({ timeout: TIMEOUT });
    const schema = await text(page, 'explore-schema');
    if (!schema.includes('book')) fail(`the first type's schema reads ${schema.slice(0, 80)}`);
    await shot(page, 'catalog-1280-large');
    // The catalog as an AsyncAPI document, from the tab: valid, a channel per type.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.locator(tid('explore-asyncapi')).first().click({ timeout: TIMEOUT }),
    ]);
    if (download.suggestedFilename() !== 'the-lending-library-s-log-asyncapi.json') fail(`downloaded as ${download.suggestedFilename()}`);
    const asyncapiText = await readFile(await download.path(), 'utf8');
    const asyncapi = JSON.parse(asyncapiText);
    const invalid = (await new Parser().validate(asyncapiText)).filter((d) => d.severity === 0);
    if (invalid.length) fail(`the AsyncAPI parser reports ${invalid.length} error(s), the first: ${invalid[0].message} at ${JSON.stringify(invalid[0].path)}`);
    if (Object.keys(asyncapi.channels).length !== opened.types) fail(`the AsyncAPI document has ${Object.keys(asyncapi.channels).length} channels for ${opened.types} types`);

    await page.locator(tid('explore-tab-minutes')).first().click({ timeout: TIMEOUT });
    if ((await page.locator(tid('explore-minute-row')).count()) === 0) fail('the minutes table is empty');
    await shot(page, 'minutes-1280-large');

    // When did a fine of more than two euros first happen? The query, its histogram on the
    // timeline, and the first match.
    const query = page.locator(tid('explore-query')).first();
    await query.fill('data.cents > 200');
    await query.press('Enter');
    await until(async () => /in all/.test(await text(page, 'explore-count')), 'the query to count its matches');
    const histogram = page.locator(tid('explore-histogram')).first();
    await histogram.waitFor({ timeout: TIMEOUT });
    if (Number(await histogram.getAttribute('data-minutes')) < 1) fail('the histogram draws no minute');
    await page.locator(tid('explore-match-first')).first().click({ timeout: TIMEOUT });
    const first = await text(page, 'explore-data');
    const cents = Number((/"cents": (\d+)/.exec(first) || [])[1]);
    if (!(cents > 200)) fail(`the first match's payload reads ${first.slice(0, 120)}`);
    const firstAt = await text(page, 'explore-cursor');

    // What if those fines had not been charged: every stream folded again beside the real one.
    await page.locator(tid('explore-what-if-matches')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-what-if')).first().waitFor({ timeout: TIMEOUT });
    await page.locator(tid('explore-match-last')).first().click({ timeout: TIMEOUT });
    await until(async () => (await page.locator(tid('explore-what-if-field')).count()) > 0, 'a field that reads differently without the fines');
    const changedTypes = await page.locator(`${tid('explore-what-if-type')}.changed`).count();
    if (changedTypes !== 2) fail(`${changedTypes} types lose events without the fines, not 2 (charged and paid)`);
    await shot(page, 'what-if-1280-large');

    // A read model of one's own, in Rhai, over this log: the example runs as it is, and with
    // What if leaving the fines out it runs again and says what differs.
    await page.locator(tid('explore-tab-scripts')).first().click({ timeout: TIMEOUT });
    const script = await page.locator(tid('explore-script')).first().inputValue({ timeout: TIMEOUT });
    if (!script.includes('fn OrgExampleLibraryFineCharged(event)')) fail(`the example script has no handler for fine.charged:\n${script.slice(0, 400)}`);
    await page.locator(tid('explore-script-run')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-script-result')).first().waitFor({ timeout: 60_000 });
    const rows = await page.locator(tid('explore-script-table-row')).count();
    if (rows < 100) fail(`the example read model has ${rows} rows, not one per stream`);
    const changes = await text(page, 'explore-script-what-if');
    if (!/\d+ changed/.test(changes) || /^\D*0 changed/.test(changes)) fail(`without the fines the read model reads: ${changes.slice(0, 200)}`);
    await shot(page, 'scripts-1280-large');
    // A mistake is named by its line.
    await page.locator(tid('explore-script')).first().fill('fn init() { #{} }\nfn OrgExampleLibraryBookLent(event) { this[event.nope.x] = 1; }');
    await page.locator(tid('explore-script-run')).first().click({ timeout: TIMEOUT });
    await until(async () => (await page.locator(tid('explore-script-error')).count()) > 0, 'the script error to be shown');
    if (!(await text(page, 'explore-script-error')).includes('line 2')) fail(`the script error reads ${await text(page, 'explore-script-error')}`);

    await page.locator(tid('explore-tab-what-if')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-what-if-back')).first().click({ timeout: TIMEOUT });
    const summaryAfter = await summary(page);
    if (summaryAfter.events !== opened.events) fail('what if changed the log');

    // As of a time: the cursor goes to the last event by then; a bad time is refused.
    const jump = page.locator(tid('explore-jump-time')).first();
    await jump.fill('2024-03-10 19:35:00');
    await jump.press('Enter');
    await until(async () => (await text(page, 'explore-cursor')).includes('2024-03-10 19:35'), 'the cursor to stand at 2024-03-10 19:35');
    await jump.fill('tomorrow-ish');
    await jump.press('Enter');
    await page.locator(tid('explore-jump-problem')).first().waitFor({ timeout: TIMEOUT });

    // A stream as of each of its versions.
    await page.locator(tid('explore-tab-streams')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-row')).first().click({ timeout: TIMEOUT });
    await page.locator(tid('explore-version-latest')).first().click({ timeout: TIMEOUT });
    const latest = /at version (\d+) of (\d+)/.exec(await text(page, 'explore-stream-version'));
    if (!latest || latest[1] !== latest[2]) fail(`the latest version reads ${latest && latest[0]}`);
    await page.locator(tid('explore-version-before')).first().click({ timeout: TIMEOUT });
    await until(async () => (await text(page, 'explore-stream-version')).includes(`at version ${Number(latest[1]) - 1} of`), 'the stream to stand at the version before');

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator(tid('explore-tab-streams')).first().click({ timeout: TIMEOUT });
    await laidOut(page, 'the example at 1440x900');
    await shot(page, 'streams-1440');
    return `${opened.events} events of ${opened.types} types in ${opened.streams} streams; ${types} types in the catalog; the first fine over 200 cents ${firstAt}; what if drew them out; as of a time and a stream's versions`;
  },
};
