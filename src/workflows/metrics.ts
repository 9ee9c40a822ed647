/**
 * Workflow-side metrics: one-line recording helpers called where a rollout event happens. They go
 * through the workflow `metricMeter`, which the runtime forwards to the worker's Prometheus
 * exporter on non-replay only, so a replayed history never counts twice. Metric objects are made
 * per call (they are cheap handles): no module-level state. Label values are bounded: backend,
 * phase, state, verdict; never node or op ids.
 */
import { metricMeter } from '@temporalio/workflow';
import { NodeState } from '../domain/node-state.js';
import { METRIC_HELP, WorkerMetric } from '../metrics/definitions.js';
import { RolloutPhase, type NodeStatus } from './status.js';

function counter(metric: WorkerMetric) {
  // The exporter appends `_total` to counters itself.
  return metricMeter.createCounter(metric.replace(/_total$/, ''), undefined, METRIC_HELP[metric]);
}

function gauge(metric: WorkerMetric) {
  return metricMeter.createGauge(metric, 'int', undefined, METRIC_HELP[metric]);
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
    metricMeter
      .createHistogram(
        WorkerMetric.NodeUpgradeDuration,
        'float',
        undefined,
        METRIC_HELP[WorkerMetric.NodeUpgradeDuration],
      )
      .record(Math.max(0, node.finishedAt - node.startedAt) / 1000, { backend, outcome: node.state });
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
