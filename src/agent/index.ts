/**
 * The node agent: the worker side of LocalAI's distributed-mode protocol, with a real installer
 * and process supervisor (`startAgent`) or a simulated fleet of any size (`startSimulatedFleet`).
 */
export { startAgent, type Agent, type AgentOptions } from './real/agent.js';
export {
  startSimulatedFleet,
  parseSimulatedNodes,
  type SimulatedFleet,
  type SimulatedFleetOptions,
} from './simulated/fleet.js';
export { serveNode, MAX_REQUEST_BYTES, type NodeService, type ServeNodeOptions } from './node/node-service.js';
export { serveUntilSignal } from './node/shutdown.js';
export { HANDLER_KINDS, type HandlerKind, type NodeStats } from './node/stats.js';
export {
  SimulatedNodeSchema,
  BackendAtVersionSchema,
  DurationRangeSchema,
  nextPatch,
  versionMatches,
  seededRandom,
  type SimulatedNode,
  type SimulatedNodeInput,
} from './simulated/knobs.js';
export { versionFromUri } from './node/uri-version.js';
export {
  GallerySchema,
  GalleryEntrySchema,
  decodeGalleries,
  type Gallery,
  type GalleryEntry,
} from './node/installer/gallery-types.js';
export type { Installer, InstallSpec, LaunchSpec } from './node/installer/types.js';
export type { ProcessInfo, ProcessTable, StartRequest } from './node/process-table.js';
export { SimulationStateDir, type SavedInstalls, type SimulatedInstall } from './simulated/state.js';
export { ProgressPublisher, formatIecBytes, type ProgressTick, type ProgressSink } from './node/progress-publisher.js';
export { OpDedup, DedupOutcome } from './node/op-dedup.js';
export { KeyedMutex } from './node/backend-lock.js';
