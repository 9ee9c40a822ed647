/**
 * Failure types that cross the activity → workflow boundary as `ApplicationFailure.type`.
 * Workflows branch on these strings (never on `instanceof`), and retry policies name the
 * non-retryable ones.
 */
export const FailureType = {
  /** The upgrade request timed out or its outcome is unknown: the worker is probably still installing. */
  WorkerStillInstalling: 'WorkerStillInstalling',
  /** No responder for `backend.upgrade` nor for the legacy `backend.install`: the node is gone. */
  NodeUnreachable: 'NodeUnreachable',
  /** The worker answered `success:false`; the message carries the worker's text. */
  UpgradeRejected: 'UpgradeRejected',
  /** The worker's reply did not decode; the message names the field. */
  InvalidReply: 'InvalidReply',
  /** The rollout spec is invalid; the message names the field. */
  InvalidSpec: 'InvalidSpec',
  /** Two node ids address the same subject token, or a node id cannot be a token. */
  InvalidTargets: 'InvalidTargets',
  /** The new build did not start on the node (the start check's probe process failed); the message carries its output. */
  StartCheckFailed: 'StartCheckFailed',
  /** A replica the upgrade stopped could not be started again, or did not show in `models.running` in time. */
  ReplicaRestoreFailed: 'ReplicaRestoreFailed',
  /** The rollout's target could not be resolved (gallery index, entry, registry, tag); the message names which. */
  TargetUnresolved: 'TargetUnresolved',
  /** Our own NATS connection is down; transient, retried. */
  ConnectionLost: 'ConnectionLost',
  /** The LocalAI frontend refused a call (bad key, unknown node) or is not configured; the message says which. */
  FrontendRefused: 'FrontendRefused',
  /** The LocalAI frontend did not answer, or answered 5xx; transient, retried. */
  FrontendUnavailable: 'FrontendUnavailable',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types an activity retry must never repeat blindly. */
export const NON_RETRYABLE_FAILURES: readonly FailureType[] = [
  FailureType.WorkerStillInstalling,
  FailureType.NodeUnreachable,
  FailureType.UpgradeRejected,
  FailureType.InvalidReply,
  FailureType.InvalidSpec,
  FailureType.InvalidTargets,
  FailureType.FrontendRefused,
  FailureType.StartCheckFailed,
  FailureType.ReplicaRestoreFailed,
  FailureType.TargetUnresolved,
];
