// A room on a real broker: a nats-server with JetStream and WebSocket started from the
// repository's room/nats.conf on free ports, two pages joined to one room, and a third with a
// wrong token. An order placed in page A lands in page B's log at the same position; the
// wrong token is refused on screen; a room link with a wrong server is refused with a message.

import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, TIMEOUT, fail, log, openApp, tid, until } from '../lib/app.mjs';

const NATS = process.env.NATS_SERVER || '/usr/sbin/nats-server';

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A nats-server for this step alone, from the repository's config. `restart()` stops it and
 * starts it again on the same ports and store (JetStream keeps the log on disk); `stop()` ends
 * it and removes its store.
 */
export async function startNats() {
  const store = await mkdtemp(path.join(tmpdir(), 'eventide-room-'));
  const [listen, ws] = [await freePort(), await freePort()];
  const token = `e2e${Math.random().toString(36).slice(2, 12)}`;
  const teacherToken = `e2eteacher${Math.random().toString(36).slice(2, 12)}`;
  let server;
  let said = '';
  const start = async () => {
    server = spawn(NATS, ['-c', path.join(ROOT, 'room', 'nats.conf')], {
      env: {
        ...process.env,
        EVENTIDE_ROOM_LISTEN: `127.0.0.1:${listen}`,
        EVENTIDE_ROOM_WS: `127.0.0.1:${ws}`,
        EVENTIDE_ROOM_STORE: store,
        EVENTIDE_ROOM_TOKEN: token,
        EVENTIDE_ROOM_TEACHER_TOKEN: teacherToken,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr.on('data', (chunk) => {
      said = (said + chunk).slice(-2000);
      // NATS_LOG=<file> keeps the server's log, for when a step fails.
      if (process.env.NATS_LOG) appendFileSync(process.env.NATS_LOG, chunk);
    });
    await until(() => accepts(ws), `nats-server to listen for WebSockets on ${ws} (${said.slice(-300)})`);
  };
  const halt = async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve).once('error', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `ws://127.0.0.1:${ws}`,
    token,
    teacherToken,
    halt,
    start,
    async stop() {
      await halt();
      await rm(store, { recursive: true, force: true });
    },
  };
}

export async function join(page, base, room, token, { name = 'e2e', as, teacher = false } = {}) {
  const attendee = as ? `&as=${as}` : '';
  const role = teacher ? '&role=teacher' : '';
  await openApp(page, base, `#room=${room}&token=${token}&name=${name}${attendee}${role}`);
  await page.locator(tid('room-badge')).first().waitFor({ timeout: TIMEOUT });
}

async function status(page) {
  return page.locator(tid('room-badge')).first().getAttribute('data-status');
}

/** The log's rows, as the screen shows them (position, time, type, ...). */
async function rows(page) {
  return page.locator(`${tid('event-log')} ${tid('event-row')}`).allInnerTexts();
}

export const roomSharesOneLog = {
  name: 'room-shares-one-log',
  title: 'two pages in one room on a real nats-server share one log, through an outage; a wrong token is refused',
  timeout: 90_000,
  async run({ page, context, base, tolerate }) {
    const nats = await startNats();
    const other = await context.browser().newContext({ viewport: page.viewportSize() });
    try {
      await join(page, base, nats.url, nats.token, { as: 'Ada' });
      await until(async () => (await status(page)) === 'connected', 'page A to be connected to the room');
      const b = await other.newPage();
      const problems = [];
      b.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      await join(b, base, nats.url, nats.token);
      await until(async () => (await status(b)) === 'connected', 'page B to be connected to the room');

      await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
      const landed = await until(async () => {
        const a = await rows(page);
        return a.length === 1 && a[0].includes('OrderPlaced') ? a : null;
      }, 'the order to land in page A from the room');
      const seenByB = await until(async () => {
        const got = await rows(b);
        return got.length === 1 ? got : null;
      }, "the order to reach page B's log");
      if (seenByB[0] !== landed[0]) fail(`page B shows ${JSON.stringify(seenByB[0])}, page A ${JSON.stringify(landed[0])}`);
      if (!seenByB[0].includes('Ada')) fail(`page B does not show who placed the order: ${JSON.stringify(seenByB[0])}`);

      // And back: B's command lands in A after A's, at position 2 in both.
      await b.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
      await until(async () => (await rows(page)).length === 2 && (await rows(b)).length === 2, 'two events in both logs');
      const [a2, b2] = [await rows(page), await rows(b)];
      if (a2.join('\n') !== b2.join('\n')) fail(`the logs differ:\nA ${a2.join(' | ')}\nB ${b2.join(' | ')}`);
      if (!/guest-\d{4}/.test(a2[1])) fail(`an unnamed tab proposes as a guest: ${JSON.stringify(a2[1])}`);

      // The broker goes away: both pages say so; an order placed meanwhile waits, and lands in
      // both once the broker is back (JetStream kept the log on disk), nothing lost or doubled.
      // Chromium logs each refused reconnection itself: expected while the broker is down.
      const excused = tolerate(/^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/' failed/, 'the step stopped the broker');
      await nats.halt();
      await until(async () => (await status(page)) === 'reconnecting' && (await status(b)) === 'reconnecting', 'both pages to notice the lost connection');
      const lost = await page.locator(tid('notices')).first().innerText();
      if (!lost.includes('Lost the room')) fail(`no notice of the lost connection: ${lost}`);
      await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
      await until(async () => /on its way/.test(await page.locator(tid('room-badge')).first().innerText()), 'the order to wait for the room');
      await nats.start();
      await until(async () => (await status(page)) === 'connected' && (await status(b)) === 'connected', 'both pages to reconnect', 30_000);
      excused();
      await until(async () => (await rows(page)).length === 3 && (await rows(b)).length === 3, 'the waiting order to land in both logs', 30_000);
      const [a3, b3] = [await rows(page), await rows(b)];
      if (a3.join('\n') !== b3.join('\n')) fail(`after the outage the logs differ:\nA ${a3.join(' | ')}\nB ${b3.join(' | ')}`);
      if (/on its way/.test(await page.locator(tid('room-badge')).first().innerText())) fail('the badge still says an event is on its way');

      // A wrong token is refused, on screen.
      const c = await other.newPage();
      await join(c, base, nats.url, 'wrongtoken');
      await until(async () => (await status(c)) === 'refused', 'the wrong token to be refused');
      const said = await c.locator(tid('room-badge')).first().innerText();
      if (!/refused/i.test(said)) fail(`the badge says ${JSON.stringify(said)}`);
      if ((await rows(c)).length !== 0) fail('a refused tab shows the room\'s events');

      // A room link that names no WebSocket server is refused with a message, and joins nothing.
      const d = await other.newPage();
      await openApp(d, base, '#room=http://127.0.0.1:1&token=abc');
      const notices = await until(async () => {
        const text = await d.locator(tid('notices')).first().innerText();
        return text.includes('WebSocket address') ? text : null;
      }, 'the wrong server to be named');
      if (await d.locator(tid('room-badge')).count()) fail(`a refused link joined a room: ${notices}`);
      if (problems.length) fail(problems.join('; '));
      log(`room: ${landed[0].split('\n').join(' ')} in both pages`);
      return 'an order placed in either page lands in both at the same position, one placed during an outage too; wrong token and wrong server refused';
    } finally {
      // The pages go before the server does: a joined page would try to reconnect, and say so.
      await other.close().catch(() => {});
      await page.goto('about:blank').catch(() => {});
      await nats.stop();
    }
  },
};

/** Page errors and console errors of a page the harness does not watch itself. */
function watch(page, problems) {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  return page;
}

/** The deliveries a room service card shows, newest first: { count, text }. */
async function deliveries(page) {
  const items = page.locator(`${tid('room-service')} ${tid('room-delivery')}`);
  const n = await items.count();
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const item = items.nth(i);
    out.push({ count: Number(await item.getAttribute('data-count')), text: await item.innerText() });
  }
  return out;
}

async function reactions(page) {
  const counted = page.locator(tid('service-reactions')).first();
  return {
    reactions: Number(await counted.getAttribute('data-reactions')),
    causes: Number(await counted.getAttribute('data-causes')),
  };
}

const emails = async (page) => (await rows(page)).filter((row) => row.includes('EmailSent')).length;

export const roomServicesRedeliver = {
  name: 'room-services-redeliver',
  title: "a service deployed in one page of a room reacts to another's order on its own durable consumer; closed before its ack, it gets the redelivery on return and, idempotent, reacts once; the teacher pauses the storefront and injects a failure",
  timeout: 180_000,
  async run({ page, context, base, tolerate }) {
    const nats = await startNats();
    const problems = [];
    const bea = await context.browser().newContext({ viewport: page.viewportSize() });
    const teacher = await context.browser().newContext({ viewport: page.viewportSize() });
    try {
      await join(page, base, nats.url, nats.token, { as: 'Ada' });
      let b = watch(await bea.newPage(), problems);
      await join(b, base, nats.url, nats.token, { as: 'Bea' });
      await until(async () => (await status(page)) === 'connected' && (await status(b)) === 'connected', 'both pages in the room');

      // Bea deploys the confirmation policy: a service of the room on its own consumer.
      await b.locator(tid('center-scripts')).first().click({ timeout: TIMEOUT });
      await b.locator(tid('script-example')).first().selectOption('4', { timeout: TIMEOUT });
      await b.locator(tid('script-deploy')).first().click({ timeout: TIMEOUT });
      await b.locator(tid('policy-in-room')).first().waitFor({ timeout: TIMEOUT });
      await b.locator(tid('center-services')).first().click({ timeout: TIMEOUT });
      await until(async () => (await b.locator(`${tid('room-consumer')}[data-name^="svc-Bea-Confirmation-an-email-for-each-order-"]`).count()) === 1,
        "Bea's consumer to be listed by the server");

      // Ada's order reaches Bea's service, which reacts in the room and holds its ack.
      await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
      await until(async () => {
        const got = await deliveries(b);
        return got.length === 1 && got[0].count === 1 && /ack held/.test(got[0].text);
      }, "Bea's service to react to the order and hold its ack");
      // Closed before the ack: the broker has the delivery as unacknowledged.
      await b.close();
      await until(async () => (await emails(page)) === 1, "the service's email to land in Ada's log");

      // The teacher sees Bea's consumer with one message awaiting its ack.
      const t = watch(await teacher.newPage(), problems);
      await join(t, base, nats.url, nats.teacherToken, { teacher: true });
      await until(async () => (await status(t)) === 'connected', 'the teacher to join');
      await t.locator(tid('center-services')).first().click({ timeout: TIMEOUT });
      const beaRow = `${tid('room-consumer')}[data-name^="svc-Bea-Confirmation-an-email-for-each-order-"]`;
      await until(async () => (await t.locator(`${beaRow} ${tid('consumer-unacked')}`).innerText()) === '1',
        "the teacher to see Bea's unacknowledged delivery");

      // Bea comes back: her service with her, and the broker delivers the order again.
      b = watch(await bea.newPage(), problems);
      await join(b, base, nats.url, nats.token, { as: 'Bea' });
      await b.locator(tid('center-services')).first().click({ timeout: TIMEOUT });
      await until(async () => {
        const got = await deliveries(b);
        return got.length >= 1 && got[0].count === 2 && /already reacted/.test(got[0].text);
      }, 'the redelivery (delivery 2) to reach the returning service, which finds its reaction', 30_000);
      const once = await reactions(b);
      if (once.reactions !== 1 || once.causes !== 1) fail(`an idempotent service reacted ${once.reactions} time(s) to ${once.causes} event(s)`);
      if ((await emails(page)) !== 1) fail(`Ada's log holds ${await emails(page)} emails for one order`);
      await until(async () => (await t.locator(`${beaRow} ${tid('consumer-unacked')}`).innerText()) === '0',
        'the teacher to see the redelivery acknowledged');

      // The teacher pauses the storefront: Ada's command is not sent; then opens it again.
      await t.locator(tid('room-pause')).first().click({ timeout: TIMEOUT });
      await until(async () => /paused/.test(await page.locator(tid('notices')).first().innerText()), 'Ada to hear of the pause');
      await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
      await until(async () => /not sent: the teacher has paused/.test(await page.locator(tid('notices')).first().innerText()), 'the paused command to be refused');
      await t.locator(tid('room-pause')).first().click({ timeout: TIMEOUT });
      await until(async () => /opened the room's storefront/.test(await page.locator(tid('notices')).first().innerText()), 'the storefront to open again');

      // The teacher injects a failure into Bea's service: the next order is nakked and
      // delivered again; once the failure stops, the service reacts to it, once.
      await t.locator(`${beaRow} ${tid('consumer-fail')}`).click({ timeout: TIMEOUT });
      await until(async () => /injected a failure/.test(await b.locator(tid('notices')).first().innerText()), 'Bea to hear of the failure');
      await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
      await until(async () => {
        const got = await deliveries(b);
        return got.length >= 2 && got[0].count >= 2 && /failed: the teacher injected/.test(got[0].text);
      }, 'the failing service to be delivered the order again', 30_000);
      await t.locator(`${beaRow} ${tid('consumer-fail')}`).click({ timeout: TIMEOUT });
      await until(async () => (await emails(page)) === 2, 'the healed service to react to the second order', 30_000);
      const healed = await reactions(b);
      if (healed.reactions !== 2 || healed.causes !== 2) fail(`after the failure: ${healed.reactions} reaction(s) to ${healed.causes} event(s)`);

      // Naive, the same close before the ack lands a duplicate on return (kept naive: the
      // browser kept the service's setting for the room).
      await b.locator(tid('room-service-idempotent')).first().click({ timeout: TIMEOUT });
      await until(async () => /naive/.test(await b.locator(tid('room-service')).first().innerText()), 'Bea to make her service naive');
      const before = (await deliveries(b)).length;
      await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
      await until(async () => {
        const got = await deliveries(b);
        return got.length > before && got[0].count === 1 && /ack held/.test(got[0].text);
      }, "the naive service to react to the third order and hold its ack");
      await b.close();
      await until(async () => (await emails(page)) === 3, "the third order's email to land in Ada's log");
      b = watch(await bea.newPage(), problems);
      await join(b, base, nats.url, nats.token, { as: 'Bea' });
      await b.locator(tid('center-services')).first().click({ timeout: TIMEOUT });
      await until(async () => {
        const got = await deliveries(b);
        return got.length >= 1 && got[0].count === 2 && /reacted: 1 event/.test(got[0].text);
      }, 'the returning naive service to react to the redelivery again', 30_000);
      await until(async () => (await emails(page)) === 4, "the duplicate email to land in Ada's log");
      const doubled = await reactions(b);
      if (doubled.reactions !== 4 || doubled.causes !== 3) fail(`naive: ${doubled.reactions} reaction(s) to ${doubled.causes} event(s)`);
      if (!/1 duplicate/.test(await b.locator(tid('service-reactions')).first().innerText())) fail('the naive service does not show its duplicate');

      // Chaos reaches every tab; and an attendee's own client may not set a control: the
      // server refuses it, not just the page.
      await t.locator(tid('room-chaos')).first().click({ timeout: TIMEOUT });
      await until(async () => /turned on chaos/.test(await page.locator(tid('notices')).first().innerText()), 'Ada to hear of the chaos');
      await page.locator(tid('center-services')).first().click({ timeout: TIMEOUT });
      const said = await page.locator(tid('room-controls')).first().innerText({ timeout: TIMEOUT });
      if (!/chaos on/.test(said)) fail(`Ada's room panel says ${JSON.stringify(said)}`);
      // nats-server 2.9 closes a WebSocket with a status Chromium calls reserved, and says so.
      const excused = tolerate(/failed: Received a broken close frame/, "the step's own client closes");
      const refused = await page.evaluate(async ({ url, token }) => {
        const client = await import('./nats-room.js');
        const joined = await client.join(url, 'attendee', token, 'e2e', () => {}, () => {}, () => {});
        try {
          await joined.control('chaos', false);
          return 'allowed';
        } catch (err) {
          return String(err && err.message);
        } finally {
          await joined.close().catch(() => {});
        }
      }, { url: nats.url, token: nats.token });
      excused();
      if (!/Permissions Violation/.test(refused)) fail(`an attendee's client setting a control: ${refused}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const still = await page.locator(tid('room-controls')).first().innerText({ timeout: TIMEOUT });
      if (!/chaos on/.test(still)) fail(`an attendee turned chaos off: the panel says ${JSON.stringify(still)}`);
      if (problems.length) fail(problems.join('; '));
      log(`room services: redelivered with count 2 and handled once; the teacher's controls held (an attendee's control: ${refused})`);
      return "a room service reacted on its durable consumer, got its unacked delivery again on return (count 2) and, idempotent, reacted once, naive twice; pause, injected failure and chaos reached the room, and the server refused an attendee's control";
    } finally {
      await bea.close().catch(() => {});
      await teacher.close().catch(() => {});
      await page.goto('about:blank').catch(() => {});
      await nats.stop();
    }
  },
};
