// Eventide's side of a room: the official NATS client (nats-core, jetstream), bundled into one
// module at build time (esbuild, see Trunk.toml) and imported by the app only when a page
// joins a room (src/room.rs). The room's log is one JetStream stream; every tab reads it from
// the start in order (an ordered consumer) and publishes its proposals to it, each with its
// event id as the message id, so a retried publish lands once (the duplicate window).

import { wsconnect } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, DeliverPolicy } from '@nats-io/jetstream';

const DUPLICATE_WINDOW_NANOS = 2 * 60 * 1e9; // JetStream's default: two minutes

/** The stream and subject of room `name` (validated by the app: letters, digits, - and _). */
export function names(name) {
  return { stream: `EVENTIDE_${name}`, subject: `eventide.${name}.events` };
}

/**
 * Joins room `name` on the NATS server at `url` (ws:// or wss://) with `token`.
 * `onEvent(text, storedAtMs, sequence)` gets each envelope of the room's stream, in order;
 * `onStatus(kind, detail)` hears "connected", "disconnected", "reconnecting", "reconnected"
 * and "closed". Resolves to { publish(text, id), close() }, or rejects with the server's reason
 * (a wrong token is "Authorization Violation").
 */
export async function join(url, token, name, onEvent, onStatus) {
  const nc = await wsconnect({
    servers: url,
    token,
    name: `eventide-${name}`,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
  const { stream, subject } = names(name);
  let js;
  let messages;
  try {
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: [subject], duplicate_window: DUPLICATE_WINDOW_NANOS });
    }
    js = jetstream(nc);
    const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    messages = await consumer.consume();
  } catch (err) {
    // Joined halfway: close the connection, or it would go on reconnecting for nobody.
    await nc.close().catch(() => {});
    throw err;
  }
  (async () => {
    for await (const status of nc.status()) {
      onStatus(status.type, String(status.data ?? status.server ?? ''));
    }
  })();
  (async () => {
    for await (const m of messages) {
      onEvent(m.string(), Number(m.timestampNanos / 1000000n), m.seq);
    }
  })();
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
    async close() {
      await messages.close();
      await nc.close();
    },
  };
}
