/**
 * The names, help texts, labels and histogram buckets of fleet-rollout's own Prometheus metrics.
 * Pure constants, shared by the worker (activities and workflows), the agent, the Grafana
 * dashboard and the tests. Label values are bounded: backends, phases, states, outcomes and
 * subject kinds, never node ids or op ids.
 */

/** Metrics of the orchestrator worker, recorded through the Temporal runtime's metric meter. */
export const WorkerMetric = {
  /** Gauge: 1 for the phase a rollout of a backend is in, 0 for the others. Labels: backend, phase. */
  Rollouts: 'fleet_rollout_rollouts',
  /** Counter: rollouts that ended. Labels: backend, phase (succeeded, failed, aborted). */
  RolloutsFinished: 'fleet_rollout_rollouts_finished_total',
  /** Gauge: nodes of the current rollout of a backend per state. Labels: backend, state. */
  Nodes: 'fleet_rollout_nodes',
  /** Counter: nodes that reached an end state. Labels: backend, state. */
  NodesFinished: 'fleet_rollout_nodes_finished_total',
  /** Histogram (seconds): from a node's start to its end state. Labels: backend, outcome. */
  NodeUpgradeDuration: 'fleet_rollout_node_upgrade_duration_seconds',
  /** Counter: upgrade requests sent (first sends and re-sends). Labels: backend. */
  UpgradeAttempts: 'fleet_rollout_upgrade_attempts_total',
  /** Counter: upgrade requests sent again after an unknown outcome. Labels: backend. */
  UpgradeResends: 'fleet_rollout_upgrade_resends_total',
  /** Counter: legacy `backend.install` with force after no responders for `backend.upgrade`. Labels: backend. */
  LegacyFallbacks: 'fleet_rollout_legacy_fallbacks_total',
  /** Counter: `backend.list` polls of the verify-before-resend loop. Labels: backend, verdict. */
  VerificationPolls: 'fleet_rollout_verification_polls_total',
  /** Counter: nodes whose backend did not start after the upgrade. Labels: backend. */
  StartCheckFailures: 'fleet_rollout_start_check_failures_total',
  /** Counter: replicas that could not be brought back after the upgrade. Labels: backend. */
  ReplicaRestoreFailures: 'fleet_rollout_replica_restore_failures_total',
  /** Counter: NATS requests to nodes. Labels: subject_kind, result. */
  NatsRequests: 'fleet_rollout_nats_requests_total',
  /** Histogram (seconds): NATS request latency. Labels: subject_kind, result. */
  NatsRequestDuration: 'fleet_rollout_nats_request_duration_seconds',
} as const;
export type WorkerMetric = (typeof WorkerMetric)[keyof typeof WorkerMetric];

/** Metrics of the node agent, recorded with prom-client. */
export const AgentMetric = {
  /** Counter: installs run by the installer. Labels: outcome (success, failure). */
  Installs: 'fleet_rollout_agent_installs_total',
  /** Counter: bytes downloaded by installs. */
  BytesFetched: 'fleet_rollout_agent_bytes_fetched_total',
  /** Histogram (seconds): install duration. Labels: outcome. */
  InstallDuration: 'fleet_rollout_agent_install_duration_seconds',
  /** Counter: requests received. Labels: handler. */
  Requests: 'fleet_rollout_agent_requests_total',
  /** Counter: requests refused as invalid (undecodable or oversized). Labels: handler, reason. */
  InvalidRequests: 'fleet_rollout_agent_invalid_requests_total',
} as const;
export type AgentMetric = (typeof AgentMetric)[keyof typeof AgentMetric];

/** Help texts, as `# HELP` lines show them. */
export const METRIC_HELP: Readonly<Record<WorkerMetric | AgentMetric, string>> = {
  [WorkerMetric.Rollouts]: 'Rollouts per backend: 1 for the phase the latest rollout is in, 0 for the others',
  [WorkerMetric.RolloutsFinished]: 'Rollouts that ended, by backend and final phase',
  [WorkerMetric.Nodes]: 'Nodes of the latest rollout of each backend, by state',
  [WorkerMetric.NodesFinished]: 'Nodes that reached an end state, by backend and state',
  [WorkerMetric.NodeUpgradeDuration]: 'Seconds from a node starting its upgrade to its end state, by outcome',
  [WorkerMetric.UpgradeAttempts]: 'Upgrade requests sent to nodes, first sends and re-sends',
  [WorkerMetric.UpgradeResends]: 'Upgrade requests re-sent after an unknown outcome was verified as not applied',
  [WorkerMetric.LegacyFallbacks]: 'Legacy backend.install with force sent after no responders for backend.upgrade',
  [WorkerMetric.VerificationPolls]:
    'backend.list polls while verifying an upgrade whose outcome was unknown, by verdict',
  [WorkerMetric.StartCheckFailures]: 'Nodes whose backend did not start after the upgrade',
  [WorkerMetric.ReplicaRestoreFailures]: 'Replicas that could not be brought back after the upgrade',
  [WorkerMetric.NatsRequests]: 'NATS requests to nodes, by subject kind and result',
  [WorkerMetric.NatsRequestDuration]: 'Seconds from sending a NATS request to its reply or failure',
  [AgentMetric.Installs]: 'Installs run by this agent, by outcome',
  [AgentMetric.BytesFetched]: 'Bytes downloaded by installs',
  [AgentMetric.InstallDuration]: 'Seconds an install took, by outcome',
  [AgentMetric.Requests]: 'Requests received, by handler',
  [AgentMetric.InvalidRequests]: 'Requests refused as invalid, by handler and reason',
};

/** Upgrade and install durations: a second to an hour. */
export const UPGRADE_SECONDS_BUCKETS: readonly number[] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** NATS request latency: 5 ms to the 15-minute upgrade timeout. */
export const NATS_SECONDS_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900,
];

/** Histogram buckets by metric name, for the Temporal runtime's Prometheus exporter. */
export const HISTOGRAM_BUCKETS: Readonly<Record<string, readonly number[]>> = {
  [WorkerMetric.NodeUpgradeDuration]: UPGRADE_SECONDS_BUCKETS,
  [WorkerMetric.NatsRequestDuration]: NATS_SECONDS_BUCKETS,
  [AgentMetric.InstallDuration]: UPGRADE_SECONDS_BUCKETS,
};

/** The `result` label of NATS requests. */
export const NatsResult = {
  Ok: 'ok',
  NoResponders: 'no-responders',
  Timeout: 'timeout',
  Malformed: 'malformed',
  ConnectionLost: 'connection-lost',
} as const;
export type NatsResult = (typeof NatsResult)[keyof typeof NatsResult];

/** The `subject_kind` label: what follows `nodes.<node>.` in a node subject, or `other`. */
export const SUBJECT_KINDS = [
  'backend.upgrade',
  'backend.install',
  'backend.list',
  'backend.delete',
  'backend.stop',
  'models.running',
] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number] | 'other';

/** The bounded kind of a node subject (`nodes.gpu-1.backend.upgrade` → `backend.upgrade`). */
export function subjectKind(subject: string): SubjectKind {
  const parts = subject.split('.');
  if (parts[0] !== 'nodes' || parts.length < 4) return 'other';
  const kind = parts.slice(2).join('.');
  return (SUBJECT_KINDS as readonly string[]).includes(kind) ? (kind as SubjectKind) : 'other';
}
