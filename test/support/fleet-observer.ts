/**
 * A passive NATS observer of upgrade traffic: records every `backend.upgrade` / `backend.install`
 * request (with its op id) and the time its reply went out, so tests can check what nodes were
 * sent and how many upgrades overlapped at any instant.
 */
import type { NatsConnection, Subscription } from 'nats';
import { decodeMessage, MessageType } from '../../src/protocol/index.js';

export interface ObservedRequest {
  nodeToken: string;
  kind: 'upgrade' | 'install';
  opId: string | undefined;
  at: number;
  repliedAt?: number;
}

export class FleetObserver {
  /** Upgrade requests: `backend.upgrade`, and `backend.install` with `force` (the legacy fallback) or without a model id. */
  readonly requests: ObservedRequest[] = [];
  /** `backend.install` requests that start a process (a model id, no force): start checks and replica restores. */
  readonly starts: ObservedRequest[] = [];
  private readonly byInbox = new Map<string, ObservedRequest>();
  private readonly subs: Subscription[] = [];

  /**
   * Starts observing. A passive subscriber is still a responder to NATS: observing
   * `backend.upgrade` hides the *no responders* of legacy nodes, so leave it out where they matter.
   */
  static async start(
    nc: NatsConnection,
    kinds: readonly ('upgrade' | 'install')[] = ['upgrade', 'install'],
  ): Promise<FleetObserver> {
    const observer = new FleetObserver();
    for (const kind of kinds) {
      observer.subs.push(
        nc.subscribe(`nodes.*.backend.${kind}`, {
          callback: (_err, msg) => {
            const type = kind === 'upgrade' ? MessageType.BackendUpgradeRequest : MessageType.BackendInstallRequest;
            const decoded = decodeMessage(type, msg.data);
            const request: ObservedRequest = {
              nodeToken: msg.subject.split('.')[1] ?? '',
              kind,
              opId: decoded.ok ? decoded.value.opId : undefined,
              at: Date.now(),
            };
            const startsProcess =
              kind === 'install' &&
              decoded.ok &&
              'modelId' in decoded.value &&
              decoded.value.modelId !== undefined &&
              decoded.value.modelId !== '' &&
              decoded.value.force !== true;
            if (startsProcess) {
              observer.starts.push(request);
              return;
            }
            observer.requests.push(request);
            if (msg.reply !== undefined && msg.reply !== '') observer.byInbox.set(msg.reply, request);
          },
        }),
      );
    }
    // Replies are observed on _INBOX.>, which also suppresses the server's no-responders status
    // for requests of this connection: only do it where no-responders does not matter either.
    if (kinds.includes('upgrade'))
      observer.subs.push(
        nc.subscribe('_INBOX.>', {
          callback: (_err, msg) => {
            const request = observer.byInbox.get(msg.subject);
            if (request !== undefined) {
              request.repliedAt = Date.now();
              observer.byInbox.delete(msg.subject);
            }
          },
        }),
      );
    await nc.flush();
    return observer;
  }

  /** The largest number of requests that were awaiting their reply at the same instant. */
  maxConcurrent(): number {
    const edges = this.requests.flatMap((r) => [
      { t: r.at, d: 1 },
      { t: r.repliedAt ?? Infinity, d: -1 },
    ]);
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let max = 0;
    for (const e of edges) {
      now += e.d;
      max = Math.max(max, now);
    }
    return max;
  }

  forNode(token: string): ObservedRequest[] {
    return this.requests.filter((r) => r.nodeToken === token);
  }

  stop(): void {
    for (const sub of this.subs) sub.unsubscribe();
  }
}
