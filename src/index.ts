/**
 * fleet-rollout as a library: the typed client, the orchestrator worker and its activities, the
 * rollout spec and the pure domain core, the LocalAI-compatible node protocol, NATS helpers, and
 * the node agent (real or simulated).
 */
export * from './client/index.js';
export * from './domain/index.js';
export * from './addressing.js';
export * as protocol from './protocol/index.js';
export {
  encodeMessage,
  encodeMessageBytes,
  decodeMessage,
  decodeOrThrow,
  MessageType,
  subjects,
  nodeToken,
  sanitizeToken,
  SubjectTokenError,
  ProtocolDecodeError,
  ProtocolEncodeError,
} from './protocol/index.js';
export {
  connectNats,
  natsOptionsFromEnv,
  NatsOptionsSchema,
  NatsConnectError,
  type NatsOptions,
  type NatsOptionsInput,
} from './nats/index.js';
export {
  createOrchestratorWorker,
  installRuntimeLogger,
  workflowBundle,
  DEFAULT_TASK_QUEUE,
  type OrchestratorWorkerOptions,
} from './worker.js';
export { createActivities, type ActivityDeps, type RolloutActivities } from './activities/index.js';
export type { UpgradeHeartbeat, InstalledRecord } from './activities/types.js';
export {
  startAgent,
  startSimulatedFleet,
  type Agent,
  type AgentOptions,
  type SimulatedFleet,
  type SimulatedFleetOptions,
} from './agent/index.js';
export {
  rolloutWorkflowId,
  statusQuery,
  pauseUpdate,
  resumeUpdate,
  abortUpdate,
  promoteUpdate,
  setMaxParallelUpdate,
  skipNodeUpdate,
  retryNodeUpdate,
} from './workflows/messages.js';
export {
  RolloutPhase,
  WaitReason,
  FINAL_PHASES,
  type RolloutStatus,
  type NodeStatus,
  type RolloutCounts,
  type StatusQueryOptions,
} from './workflows/status.js';
export {
  RolloutBackendKey,
  RolloutPhaseKey,
  RolloutProgressPctKey,
  RolloutFailedNodesKey,
} from './workflows/search-attributes.js';
export type { ScheduledRolloutResult } from './workflows/scheduled.js';
export type { RolloutInput } from './workflows/rollout.js';
export { createLogger, type Logger } from './log.js';
