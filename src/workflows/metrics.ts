/**
 * Workflow-side metrics: one-line recording helpers called where a rollout event happens. They
 * go out through the `fleetMetrics` sink (`src/metrics/workflow-sinks.ts`), which the worker runs
 * on non-replay only, so a replayed history never counts twice, and which records on the
 * runtime's meter with snake_case labels (the SDK's workflow `metricMeter` would add camelCase
 * `workflowType`/`taskQueue` labels that Prometheus' naming rules reject). Label values are
 * bounded: backend, phase, state, verdict; never node or op ids.
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';
import { NodeState } from '../domain/node-state.js';
import { WorkerMetric } from '../metrics/definitions.js';
import { RolloutPhase, type NodeStatus } from './status.js';

/** Labels of one sample. */
export type MetricLabels = Record<string, string>;

/** The sink the workflow records its metrics through. */
export interface FleetMetricsSinks extends Sinks {
  fleetMetrics: {
    /** Adds `value` to counter `metric`. */
    count(metric: WorkerMetric, value: number, labels: MetricLabels): void;
    /** Records `value` on histogram `metric`. */
    observe(metric: WorkerMetric, value: number, labels: MetricLabels): void;
    /** Sets gauge `metric` to `value`. */
    gauge(metric: WorkerMetric, value: number, labels: MetricLabels): void;
  };
}

// An immutable proxy, as the SDK's own metric sink is: calls are queued per activation.
const { fleetMetrics } = proxySinks<FleetMetricsSinks>();

function counter(metric: WorkerMetric) {
  return { add: (value: number, labels: MetricLabels) => fleetMetrics.count(metric, value, labels) };
}

function gauge(metric: WorkerMetric) {
  return { set: (value: number, labels: MetricLabels) => fleetMetrics.gauge(metric, value, labels) };
}

/** The rollout of `backend` is in `phase`; `nodes` are its nodes now (gauges). */
export function recordRolloutState(backend: string, phase: RolloutPhase, nodes: readonly NodeStatus[]): void {
  const rollouts = gauge(WorkerMetric.Rollouts);
  for (const p of Object.values(RolloutPhase)) rollouts.set(p === phase ? 1 : 0, { backend, phase: p });
  const byState = new Map<string, number>(Object.values(NodeState).map((s) => [s, 0]));
  for (const node of nodes) byState.set(node.state, (byState.get(node.state) ?? 0) + 1);
  const gaugeOfNodes = gauge(WorkerMetric.Nodes);
  for (const [state, count] of byState) gaugeOfNodes.set(count, { backend, state });
}

/** The rollout ended in `phase`. */
export function recordRolloutFinished(backend: string, phase: RolloutPhase): void {
  counter(WorkerMetric.RolloutsFinished).add(1, { backend, phase });
}

/** `node` left the runner in its end state (succeeded, failed, or unknown when aborted mid-upgrade). */
export function recordNodeFinished(backend: string, node: NodeStatus): void {
  counter(WorkerMetric.NodesFinished).add(1, { backend, state: node.state });
  if (node.startedAt !== undefined && node.finishedAt !== undefined)
    fleetMetrics.observe(WorkerMetric.NodeUpgradeDuration, Math.max(0, node.finishedAt - node.startedAt) / 1000, {
      backend,
      outcome: node.state,
    });
}

/** An upgrade request is being sent; `attempt` counts from 1 (above 1 is a re-send). */
export function recordUpgradeAttempt(backend: string, attempt: number): void {
  counter(WorkerMetric.UpgradeAttempts).add(1, { backend });
  if (attempt > 1) counter(WorkerMetric.UpgradeResends).add(1, { backend });
}

/** One `backend.list` poll of the verify-before-resend loop answered `verdict`. */
export function recordVerificationPoll(backend: string, verdict: string): void {
  counter(WorkerMetric.VerificationPolls).add(1, { backend, verdict });
}

/** A node's backend did not start after its upgrade. */
export function recordStartCheckFailure(backend: string): void {
  counter(WorkerMetric.StartCheckFailures).add(1, { backend });
}

/** `replicas` replicas of a node could not be brought back after its upgrade. */
export function recordReplicaRestoreFailure(backend: string, replicas = 1): void {
  counter(WorkerMetric.ReplicaRestoreFailures).add(replicas, { backend });
}
