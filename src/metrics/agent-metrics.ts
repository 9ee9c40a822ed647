/**
 * The node agent's metrics, kept in a prom-client registry: installs by outcome with their
 * duration, bytes fetched, requests by handler, invalid requests. prom-client because the agent
 * runs without the Temporal runtime (whose exporter serves the worker's metrics) and a
 * hand-written exposition would re-implement its escaping and histogram bookkeeping. One
 * registry per process: the simulated fleet's nodes add up (no node ids as labels).
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { HandlerKind } from '../agent/node/stats.js';
import { AgentMetric, METRIC_HELP, UPGRADE_SECONDS_BUCKETS } from './definitions.js';

const HANDLER_OF_REQUEST: Readonly<Record<string, HandlerKind>> = {
  BackendListRequest: 'list',
  BackendUpgradeRequest: 'upgrade',
  BackendInstallRequest: 'install',
  BackendStopRequest: 'stop',
  BackendDeleteRequest: 'delete',
  ModelsRunningRequest: 'modelsRunning',
};

/** Why a request was refused before it was handled. */
export type InvalidReason = 'undecodable' | 'oversized';

/** The agent's counters and histogram on their own registry. */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly installs = new Counter({
    name: AgentMetric.Installs,
    help: METRIC_HELP[AgentMetric.Installs],
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly installSeconds = new Histogram({
    name: AgentMetric.InstallDuration,
    help: METRIC_HELP[AgentMetric.InstallDuration],
    labelNames: ['outcome'] as const,
    buckets: [...UPGRADE_SECONDS_BUCKETS],
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: AgentMetric.BytesFetched,
    help: METRIC_HELP[AgentMetric.BytesFetched],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: AgentMetric.Requests,
    help: METRIC_HELP[AgentMetric.Requests],
    labelNames: ['handler'] as const,
    registers: [this.registry],
  });
  private readonly invalid = new Counter({
    name: AgentMetric.InvalidRequests,
    help: METRIC_HELP[AgentMetric.InvalidRequests],
    labelNames: ['handler', 'reason'] as const,
    registers: [this.registry],
  });

  /** A request arrived on `handler`'s subject. */
  request(handler: HandlerKind): void {
    this.requests.inc({ handler });
  }

  /** A request to `handler` was refused as invalid. */
  invalidRequest(handler: HandlerKind, reason: InvalidReason): void {
    this.invalid.inc({ handler, reason });
  }

  /** A request of wire type `messageType` did not decode. */
  undecodableRequest(messageType: string): void {
    const handler = HANDLER_OF_REQUEST[messageType];
    if (handler !== undefined) this.invalidRequest(handler, 'undecodable');
  }

  /** `count` bytes were downloaded by an install. */
  bytesFetched(count: number): void {
    if (count > 0) this.bytes.inc(count);
  }

  /** Runs one install, counting it by outcome and timing it. */
  async timeInstall<T>(install: () => Promise<T>): Promise<T> {
    const end = this.installSeconds.startTimer();
    try {
      const result = await install();
      end({ outcome: 'success' });
      this.installs.inc({ outcome: 'success' });
      return result;
    } catch (err) {
      end({ outcome: 'failure' });
      this.installs.inc({ outcome: 'failure' });
      throw err;
    }
  }
}

/** The agent metrics of this process. */
export const agentMetrics = new AgentMetrics();
