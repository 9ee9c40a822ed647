/**
 * The node agent: the worker side of LocalAI's distributed-mode protocol, with a real installer
 * and process supervisor (`startAgent`) or a simulated fleet of any size (`startSimulatedFleet`).
 */
export { startAgent, type Agent, type AgentOptions } from './agent.js';
export {
  startSimulatedFleet,
  parseSimulatedNodes,
  type SimulatedFleet,
  type SimulatedFleetOptions,
} from './simulated-fleet.js';
export { serveNode, MAX_REQUEST_BYTES, type NodeService, type ServeNodeOptions } from './node-service.js';
export { serveUntilSignal } from './shutdown.js';
export { HANDLER_KINDS, type HandlerKind, type NodeStats } from './stats.js';
export {
  SimulatedNodeSchema,
  BackendAtVersionSchema,
  DurationRangeSchema,
  nextPatch,
  versionFromUri,
  versionMatches,
  seededRandom,
  type SimulatedNode,
  type SimulatedNodeInput,
} from './simulation-knobs.js';
export {
  GallerySchema,
  GalleryEntrySchema,
  decodeGalleries,
  type Gallery,
  type GalleryEntry,
} from './installer/gallery-types.js';
export type { Installer, InstallSpec, LaunchSpec } from './installer/types.js';
export type { ProcessInfo, ProcessTable, StartRequest } from './process-table.js';
export { SimulationStateDir, type SavedInstalls, type SimulatedInstall } from './simulated-state.js';
export { ProgressPublisher, formatIecBytes, type ProgressTick, type ProgressSink } from './progress-publisher.js';
export { OpDedup, DedupOutcome } from './op-dedup.js';
export { KeyedMutex } from './backend-lock.js';
