/**
 * Reconnect notifications for a connection. NATS delivers at most once: a request published
 * around a server restart can be lost without any error, and its caller would wait out the whole
 * timeout. A caller whose request is safe to send again (an install of a process key returns the
 * running process) listens here and asks again as soon as the connection is back.
 */
import { Events, type NatsConnection } from 'nats';

/** One status reader per connection, shared by every listener; it ends when the connection closes. */
const listeners = new WeakMap<NatsConnection, Set<() => void>>();

function watch(nc: NatsConnection, set: Set<() => void>): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Reconnect) for (const listener of [...set]) listener();
    }
  })();
}

/** Calls `listener` each time `nc` reconnects; returns the function that stops it. */
export function onReconnect(nc: NatsConnection, listener: () => void): () => void {
  let set = listeners.get(nc);
  if (set === undefined) {
    set = new Set();
    listeners.set(nc, set);
    watch(nc, set);
  }
  set.add(listener);
  const own = set;
  return () => void own.delete(listener);
}
