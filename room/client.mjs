// Eventide's side of a room: the official NATS client (nats-core, jetstream), bundled into one
// module at build time (esbuild, see Trunk.toml) and imported by the app only when a page
// joins a room (src/room.rs). The room's log is one JetStream stream; every tab reads it from
// the start in order (an ordered consumer) and publishes its proposals to it, each with its
// event id as the message id, so a retried publish lands once (the duplicate window).

import { wsconnect } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } from '@nats-io/jetstream';

const DUPLICATE_WINDOW_NANOS = 2 * 60 * 1e9; // JetStream's default: two minutes
const NANOS_PER_MS = 1e6;
// How often a tab asks the server how each service's consumer stands (the teacher's view).
const CONSUMERS_EVERY_MS = 2000;

/**
 * The streams and subjects of room `name` (validated by the app: letters, digits, - and _):
 * the log, and the teacher's controls (the last value of each, kept for tabs that join later).
 */
export function names(name) {
  return {
    stream: `EVENTIDE_${name}`,
    subject: `eventide.${name}.events`,
    controls: `EVENTIDE_${name}_CONTROL`,
    control: `eventide.${name}.control`,
  };
}

async function ensureStream(jsm, config) {
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add(config);
  }
}

/**
 * Joins room `name` on the NATS server at `url` (ws:// or wss://) as `user` ("attendee" or
 * "teacher", see room/nats.conf) with `token` as the password.
 * `onEvent(text, storedAtMs, sequence)` gets each envelope of the room's stream, in order;
 * `onStatus(kind, detail)` hears "connected", "disconnected", "reconnecting", "reconnected"
 * and "closed"; `onRoom(kind, json)` hears "joined" ({ last_seq }), "control" ({ topic,
 * value }), "consumers" ([ConsumerInfo]) and "delivery" (one message to a service).
 * Resolves to { publish, serve, settle, unserve, control, close }, or rejects with the
 * server's reason (a wrong token is "Authorization Violation").
 */
export async function join(url, user, token, name, onEvent, onStatus, onRoom) {
  const nc = await wsconnect({
    servers: url,
    user,
    pass: token,
    name: `eventide-${name}`,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
  const { stream, subject, controls, control } = names(name);
  let js;
  let jsm;
  let messages;
  let controlled;
  try {
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: stream, subjects: [subject], duplicate_window: DUPLICATE_WINDOW_NANOS });
    await ensureStream(jsm, { name: controls, subjects: [`${control}.>`], max_msgs_per_subject: 1 });
    js = jetstream(nc);
    const { state } = await jsm.streams.info(stream);
    onRoom('joined', JSON.stringify({ last_seq: state.last_seq }));
    const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    messages = await consumer.consume();
    controlled = await (await js.consumers.get(controls, { deliver_policy: DeliverPolicy.All })).consume();
  } catch (err) {
    // Joined halfway: close the connection, or it would go on reconnecting for nobody.
    await nc.close().catch(() => {});
    throw err;
  }
  // Each loop hears one source; a message that does not read is skipped, never an end.
  const hearAll = (source, each) => {
    (async () => {
      for await (const item of source) {
        try {
          each(item);
        } catch {
          // Not ours to read (another tool's message): the next one is.
        }
      }
    })().catch(() => {});
  };
  let watch;
  hearAll(nc.status(), (status) => {
    if (status.type === 'close') clearInterval(watch);
    onStatus(status.type, String(status.data ?? status.server ?? ''));
  });
  hearAll(messages, (m) => onEvent(m.string(), Number(m.timestampNanos / 1000000n), m.seq));
  hearAll(controlled, (m) => {
    const topic = m.subject.slice(control.length + 1);
    onRoom('control', JSON.stringify({ topic, value: m.json() }));
  });
  // How every service's durable consumer stands: the ordered consumers of the tabs are not
  // services (they have no durable name) and are left out. One question at a time.
  let asking = false;
  watch = setInterval(async () => {
    if (asking || nc.isClosed()) return;
    asking = true;
    try {
      const listed = await jsm.consumers.list(stream).next();
      const services = listed
        .filter((c) => c.config.durable_name)
        .map((c) => ({
          name: c.name,
          description: c.config.description ?? '',
          num_pending: c.num_pending,
          num_ack_pending: c.num_ack_pending,
          num_redelivered: c.num_redelivered,
          delivered: c.delivered.stream_seq,
          ack_floor: c.ack_floor.stream_seq,
        }));
      onRoom('consumers', JSON.stringify(services));
    } catch {
      // Lost the connection: the status says so, and the next tick asks again.
    } finally {
      asking = false;
    }
  }, CONSUMERS_EVERY_MS);
  // Each service's messages (a promise of them, so a stop while starting finds it), by
  // consumer name; and the deliveries not yet settled, by handle, each kept alive with the
  // broker ("still working") until it is, so waiting for its event is not a redelivery.
  const serving = new Map();
  const unsettled = new Map();
  let lastHandle = 0;
  const settled = (handle) => {
    const held = unsettled.get(handle);
    unsettled.delete(handle);
    if (held) clearInterval(held.alive);
    return held?.m;
  };
  onStatus('connected', url);
  return {
    // Retried until the room has it, across lost connections: the message id makes a retry
    // that the server had received land once (and a tab admits an id once in any case).
    async publish(text, id) {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const ack = await js.publish(subject, text, { msgID: id, timeout: 5000 });
          return ack.duplicate === true;
        } catch (err) {
          if (nc.isClosed()) throw err;
          await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 5000)));
        }
      }
    },
    /**
     * Consumes the room's log through the durable consumer `consumer` (created on first use,
     * from the log's end, as a new service joins), one message at a time, with explicit acks:
     * a message not acknowledged within `ackWaitMs` is delivered again, at most `maxDeliver`
     * times. Each delivery is heard as "delivery" with a handle to settle it by.
     */
    async serve(consumer, description, ackWaitMs, maxDeliver) {
      if (serving.has(consumer)) return;
      const starting = (async () => {
        try {
          await jsm.consumers.info(stream, consumer);
        } catch {
          await jsm.consumers.add(stream, {
            durable_name: consumer,
            description,
            ack_policy: AckPolicy.Explicit,
            ack_wait: ackWaitMs * NANOS_PER_MS,
            max_deliver: maxDeliver,
            max_ack_pending: 1,
            deliver_policy: DeliverPolicy.New,
            filter_subject: subject,
          });
        }
        return (await js.consumers.get(stream, consumer)).consume({ max_messages: 1 });
      })();
      serving.set(consumer, starting);
      let delivered;
      try {
        delivered = await starting;
      } catch (err) {
        serving.delete(consumer);
        throw err;
      }
      hearAll(delivered, (m) => {
        lastHandle += 1;
        const alive = setInterval(() => m.working(), Math.max(500, ackWaitMs / 3));
        unsettled.set(lastHandle, { m, alive });
        onRoom('delivery', JSON.stringify({
          consumer,
          handle: lastHandle,
          seq: m.seq,
          count: m.info.deliveryCount,
          text: m.string(),
        }));
      });
    },
    /**
     * Settles a delivery: "ack", "nak" (delivered again after `delayMs`), or "forget" (no word
     * to the broker, which delivers it again once its ack wait is over: a lost ack).
     */
    settle(handle, kind, delayMs) {
      const m = settled(handle);
      if (!m) return;
      if (kind === 'ack') m.ack();
      else if (kind === 'nak') m.nak(delayMs);
    },
    /** Stops consuming; the durable consumer stays, and keeps its place for a return. */
    async unserve(consumer) {
      const starting = serving.get(consumer);
      serving.delete(consumer);
      if (starting) await (await starting).close();
    },
    /** The teacher's say over the room: refused by the server for anyone else. */
    async control(topic, value) {
      await js.publish(`${control}.${topic}`, JSON.stringify(value), { timeout: 5000 });
    },
    async close() {
      clearInterval(watch);
      for (const handle of [...unsettled.keys()]) settled(handle);
      await messages.close();
      await controlled.close();
      await nc.close();
    },
  };
}
