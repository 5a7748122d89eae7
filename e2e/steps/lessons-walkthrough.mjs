// Every lesson walked through as an attendee would, in the release bundle: the question comes
// first (the steps are locked until it is answered), each step is not done before its action
// and done after it, the reveal follows the steps, and the lesson says it is complete.
//
// One e2e step per lesson, plus `lessonsAllWalked`, which reads the lesson slugs from the
// page's own list and fails if one has no walk-through here: a new lesson needs one.
//
// Services lessons run a simulation: the walk-through sets the virtual clock to its fastest
// speed so waiting for an order to ship takes a second, not a minute.

import { TIMEOUT, fail, openApp, setInputValue, tid, until } from '../lib/app.mjs';

const SLOW = 60_000;

// ------------------------------------------------------------------ helpers

async function stepDone(page, index) {
  const steps = page.locator(tid('lesson-step'));
  const classes = (await steps.nth(index).getAttribute('class', { timeout: TIMEOUT })) ?? '';
  return classes.split(/\s+/).includes('done');
}

async function click(page, id) {
  await page.locator(tid(id)).first().click({ timeout: TIMEOUT });
}

/** The virtual clock at its fastest, so a simulated checkout takes a blink. */
async function fastClock(page) {
  const speed = page.locator('select[aria-label="Virtual time per tick"]').first();
  const options = await speed.locator('option').evaluateAll((all) => all.map((o) => o.value));
  await speed.selectOption(options.at(-1), { timeout: TIMEOUT });
}

/** Clicks the first row of the event log whose type is `kind` (scrolling the virtual list). */
async function clickLogRow(page, kind, { last = false } = {}) {
  const row = () => page.locator(`${tid('event-row')}[aria-label^="${kind} at position"]`);
  await page.locator(tid('event-row')).first().waitFor({ timeout: TIMEOUT });
  // The log's scrolling element is the nearest ancestor of a row that scrolls.
  const scroll = (to) =>
    page.locator(tid('event-row')).first().evaluate((el, to) => {
      let box = el.parentElement;
      while (box && !(box.scrollHeight > box.clientHeight && getComputedStyle(box).overflowY !== 'visible')) box = box.parentElement;
      if (!box) return { done: true };
      if (to === 'top') box.scrollTop = 0;
      else if (to === 'bottom') box.scrollTop = box.scrollHeight;
      else box.scrollTop += box.clientHeight * 0.8;
      return { done: box.scrollTop + box.clientHeight >= box.scrollHeight - 1 };
    }, to);
  // One pass from the top of the log to its end; a simulated event may still be on its way,
  // so passes repeat until one is found.
  const pass = async () => {
    await scroll(last ? 'bottom' : 'top');
    for (let i = 0; i < 400; i += 1) {
      await page.waitForTimeout(30);
      if ((await row().count()) > 0) {
        await row().first().click({ timeout: TIMEOUT });
        return true;
      }
      const { done } = await scroll('down');
      if (done && i > 0) return false;
    }
    return false;
  };
  await until(pass, `a ${kind} row in the event log`, SLOW);
}

/** Replaces the catalog's schema draft by `change(schema)` (JSON), as typing would. */
async function editSchema(page, change) {
  const draft = page.locator(tid('schema-draft')).first();
  const schema = JSON.parse(await draft.inputValue({ timeout: TIMEOUT }));
  await draft.fill(JSON.stringify(change(schema)), { timeout: TIMEOUT });
}

const wait = () => {};

// -------------------------------------------------------- the walk-throughs

/**
 * For each lesson: `before` (set-up that is not a step, e.g. a faster clock) and one action per
 * step, in order. An action only acts; the runner checks the step before and after.
 */
export const WALKS = {
  'immutable-facts': [
    (page) => click(page, 'cmd-place-order'),
    (page) => click(page, 'cmd-cancel'),
    async (page) => {
      await clickLogRow(page, 'OrderPlaced');
      // The envelope is there to read beside the lesson.
      await page.locator(tid('event-detail')).first().getByText('OrderPlaced').first().waitFor({ timeout: TIMEOUT });
    },
  ],
  'event-sourcing': [
    (page) => setInputValue(page, 'timeline-slider', 'half'),
    async (page) => {
      // As after a drag: the slider has the focus, and ← is the timeline's step back.
      await page.locator(tid('timeline-slider')).first().focus({ timeout: TIMEOUT });
      await page.keyboard.press('ArrowLeft');
    },
  ],
  cqrs: [
    async (page) => {
      const order = await page.locator(tid('order-id')).first().inputValue({ timeout: TIMEOUT });
      if (order !== 'O-0051') fail(`the order field offers ${order}, not the open order O-0051`);
      await click(page, 'cmd-pay');
    },
    (page) => click(page, 'cmd-restock'),
  ],
  'temporal-queries': [
    async (page) => {
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
      await page.locator(tid('backdate-input')).first().fill(hourAgo, { timeout: TIMEOUT });
      await page.locator(tid('backdate-input')).first().dispatchEvent('change');
      await click(page, 'backdate-apply');
      await click(page, 'cmd-place-order');
    },
  ],
  choreography: [wait, wait],
  orchestration: [wait],
  'eventual-consistency': [wait],
  tracing: [(page) => clickLogRow(page, 'ShipmentDispatched')],
  ordering: [
    wait,
    (page) => click(page, 'knob-ordering'),
    async (page) => {
      await page.locator(tid('storefront-count')).first().fill('20', { timeout: TIMEOUT });
      await click(page, 'storefront-open');
      await click(page, 'center-services');
    },
    async (page) => {
      await click(page, 'knob-ordering');
      await page.locator(tid('knob-partitions')).first().selectOption('2', { timeout: TIMEOUT });
      await page.locator(tid('storefront-count')).first().fill('5', { timeout: TIMEOUT });
      await click(page, 'storefront-open');
      await page.locator(tid('partitions')).first().waitFor({ timeout: TIMEOUT });
    },
  ],
  idempotency: [wait, (page) => click(page, 'idempotent')],
  'schema-evolution': [
    async (page) => {
      await click(page, 'center-catalog');
      // Readers of old events survive `total` becoming optional: compatible, no upcaster.
      await editSchema(page, (schema) => ({ ...schema, required: schema.required.filter((f) => f !== 'total') }));
      await click(page, 'schema-register');
    },
    async (page) => {
      await editSchema(page, (schema) => ({
        ...schema,
        properties: { ...schema.properties, channel: { type: 'string', default: 'web' } },
        required: [...schema.required, 'channel'],
      }));
      await click(page, 'upcaster-suggest');
      await click(page, 'schema-register');
    },
    (page) => clickLogRow(page, 'OrderPlaced'),
  ],
  'impact-analysis': [
    async (page) => {
      await click(page, 'cmd-place-order');
      await clickLogRow(page, 'OrderPlaced');
    },
  ],
  nordstrom: [wait, wait],
  'netflix-chaos': [(page) => click(page, 'chaos'), wait],
  'your-own-read-model': [
    async (page) => {
      await click(page, 'center-scripts');
      await click(page, 'script-dry-run');
    },
    (page) => click(page, 'script-deploy'),
    (page) => click(page, 'timeline-start'),
    async (page) => {
      const source = page.locator(tid('script-source')).first();
      await source.fill(`${await source.inputValue()}\n// v2: the same fold, redeployed`, { timeout: TIMEOUT });
      await click(page, 'script-dry-run');
      await page.locator(tid('script-result')).first().waitFor({ timeout: TIMEOUT });
      await click(page, 'script-deploy');
    },
  ],
};

/** Lessons whose scenario runs a simulation (their clock is sped up first). */
const SIMULATED = new Set([
  'choreography', 'orchestration', 'eventual-consistency', 'tracing', 'ordering', 'idempotency',
  'nordstrom', 'netflix-chaos',
]);

// LESSON_PACE=1 walks at a newcomer's pace instead: the virtual clock left at its default
// speed, and each lesson's time reported from what was measured (the words on its panel, the
// actions it asks for, the wall time its simulation took) with a stated reading model.
const PACE = process.env.LESSON_PACE === '1';
const WORDS_PER_MINUTE = 200; // a careful first read of technical prose
const SECONDS_PER_ACTION = 15; // find the control, use it, look at what changed
const SECONDS_PER_PREDICTION = 45; // read the options, think, answer (a room discusses longer)

async function pace(page, slug, actions, simulatedMs) {
  const text = await page.locator(tid('lesson')).first().innerText({ timeout: TIMEOUT });
  const words = text.split(/\s+/).filter(Boolean).length;
  // The answer, the reveal, the Run button of a services lesson, and each step that acts.
  const acts = actions.filter((act) => act !== wait).length + 2 + (SIMULATED.has(slug) ? 1 : 0);
  const reading = (words / WORDS_PER_MINUTE) * 60;
  const seconds = reading + acts * SECONDS_PER_ACTION + SECONDS_PER_PREDICTION + simulatedMs / 1000;
  return `; pace: ${words} words (${Math.round(reading)} s), ${acts} actions, ${Math.round(simulatedMs / 1000)} s of simulation: ${(seconds / 60).toFixed(1)} min`;
}

async function walk(page, base, slug) {
  await openApp(page, base, `#lesson=${slug}`);
  await page.locator(`${tid('lesson')}[data-slug="${slug}"]`).first().waitFor({ timeout: TIMEOUT });
  const actions = WALKS[slug];
  // The question comes first: no step to do, and no reveal, before it is answered.
  await page.locator(tid('lesson-steps-locked')).first().waitFor({ timeout: TIMEOUT });
  if (await page.locator(tid('lesson-step')).count()) fail('steps are shown before the question is answered');
  if (await page.locator(tid('lesson-reveal')).count()) fail('the answer is revealed before the question is answered');
  if (!(await page.locator(tid('lesson-reveal-button')).first().isDisabled())) fail('the reveal can be pressed before answering');
  await page.locator(tid('lesson-option')).first().check({ timeout: TIMEOUT });
  const count = await page.locator(tid('lesson-step')).count();
  if (count !== actions.length) fail(`${slug} has ${count} steps, its walk-through ${actions.length}`);
  let started = 0;
  for (const [index, act] of actions.entries()) {
    // A step whose action is to let the simulation run may be done by the time the one before
    // it is: only the first is checked before (time passes while the learner reads).
    const checkBefore = act !== wait || index === 0;
    if (checkBefore && (await stepDone(page, index))) fail(`step ${index + 1} of ${slug} is done before its action`);
    if (index + 1 < count && !(await page.locator(tid('lesson-reveal-button')).first().isDisabled())) {
      fail(`the reveal can be pressed before step ${index + 1} of ${slug}`);
    }
    // A services lesson waits, paused, for the learner: start its clock (at full speed).
    if (index === 0 && SIMULATED.has(slug)) {
      if (!PACE) await fastClock(page);
      await click(page, 'lesson-run');
      started = Date.now();
    }
    await act(page);
    await until(() => stepDone(page, index), `step ${index + 1} of ${slug} to be done after its action`, PACE ? 10 * SLOW : SLOW);
  }
  const simulatedMs = started ? Date.now() - started : 0;
  await click(page, 'lesson-reveal-button');
  await page.locator(tid('lesson-reveal')).first().waitFor({ timeout: TIMEOUT });
  await page.locator(tid('lesson-finished')).first().waitFor({ timeout: TIMEOUT });
  const paced = PACE ? await pace(page, slug, actions, simulatedMs) : '';
  return `${slug}: ${count} steps, each done only after its action, then the reveal${paced}`;
}

export const lessonWalkthroughs = Object.keys(WALKS).map((slug) => ({
  name: `lesson-walk-${slug}`,
  title: `walk through the lesson "${slug}" as an attendee`,
  usesWorker: slug === 'your-own-read-model',
  timeout: PACE ? 900_000 : 120_000,
  run: ({ page, base }) => walk(page, base, slug),
}));

export const lessonsAllWalked = {
  name: 'lesson-walk-coverage',
  title: 'every lesson in the page has a walk-through',
  async run({ page, base }) {
    await openApp(page, base, '#fresh');
    await click(page, 'lessons-button');
    const slugs = await page.locator(tid('lesson-start')).evaluateAll((all) => all.map((b) => b.dataset.slug));
    if (!slugs.length) fail('the lessons list is empty');
    const missing = slugs.filter((slug) => !WALKS[slug]);
    if (missing.length) fail(`no walk-through for the lessons ${missing.join(', ')} (add one to e2e/steps/lessons-walkthrough.mjs)`);
    const stale = Object.keys(WALKS).filter((slug) => !slugs.includes(slug));
    if (stale.length) fail(`walk-throughs for lessons the page does not have: ${stale.join(', ')}`);
    return `${slugs.length} lessons, each with a walk-through`;
  },
};
