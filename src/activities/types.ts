/**
 * Inputs and outputs of the rollout activities. Workflows import these as types only.
 */
import type { InstallSource } from '../domain/install-source.js';
import type { DiscoveryAnswers, DiscoveryRequest } from '../domain/plan.js';
import type { InstalledRecord, TargetCheck, VerifyVerdict } from '../domain/verification.js';

export type { InstalledRecord, TargetCheck } from '../domain/verification.js';

/** What `discoverTargets` asks: the domain's discovery request. */
export type DiscoverInput = DiscoveryRequest;

export { DiscoverySkip, type DiscoveredNode } from '../domain/plan.js';

/** What `discoverTargets` answers: the domain's discovery answers. */
export type DiscoverOutput = DiscoveryAnswers;

/** One upgrade request to one node: what to install ({@link InstallSource}) and how long to wait. */
export interface UpgradeInput extends InstallSource {
  nodeId: string;
  backend: string;
  opId: string;
  /** NATS request timeout (ms) for `backend.upgrade` and for the legacy fallback. */
  timeoutMs: number;
  /** After a successful reply, check `backend.list` against this baseline in the same activity. */
  verifyAfter?: { before: InstalledRecord; targetVersion?: string } & TargetCheck;
}

export interface UpgradeOutput {
  /** True when the node only knew the legacy `backend.install` with `force:true`. */
  fallback: boolean;
  stoppedProcessKeys: string[];
  reportsStoppedProcesses: boolean;
  /** The last progress percentage seen, if any event arrived. */
  lastProgressPct?: number;
  /** The `backend.list` check after the reply (absent when not asked for, or when the list failed). */
  verification?: { verdict: VerifyVerdict; detail: string; installed?: InstalledRecord; decidedBy?: string };
}

export type { UpgradeHeartbeat } from '../domain/heartbeat.js';

export interface VerifyInput extends TargetCheck {
  nodeId: string;
  backend: string;
  before: InstalledRecord;
  targetVersion?: string;
  /** Op id of the upgrade: the worker may still publish progress for it. */
  opId?: string;
  /** Listen for progress on the op for this long before asking `backend.list`. @default 0 */
  listenMs?: number;
}

export { VerifyVerdict } from '../domain/verification.js';

export interface VerifyOutput {
  verdict: VerifyVerdict;
  installed?: InstalledRecord;
  /** Progress events seen on the op while listening. */
  progressEvents: number;
  lastProgressPct?: number;
  detail: string;
  /** The field of `backend.list` that decided the verdict (`version`, `digest`, `uri`, `installed_at`). */
  decidedBy?: string;
  /** The upgrade's reply, when it arrived after its request timed out (and this worker sent the request). */
  lateReply?: LateUpgradeReply;
}

/**
 * A reply to `backend.upgrade` that arrived after the request timed out. `stoppedProcessKeys` is
 * present only when the worker reports them (`reports_stopped_processes`).
 */
export type LateUpgradeReply =
  | { kind: 'replied'; success: boolean; error?: string; stoppedProcessKeys?: string[] }
  | { kind: 'malformed'; error: string };

export interface StartCheckInput {
  nodeId: string;
  backend: string;
  /** The upgrade's op id: the probe's model id is derived from it, so it is unique to the op. */
  opId: string;
  /** How long the worker may take to start and health-check the probe, and to stop it. */
  readyTimeoutMs: number;
}

export interface StartCheckOutput {
  /** The probe's process key, `<probe model id>#0`. */
  probeKey: string;
  /** Address the probe listened on, when the worker said. */
  address?: string;
  /** False when the node serves no `models.running` (a legacy worker): the stop was sent but not confirmed. */
  stopConfirmed: boolean;
}

export interface RestoreInput {
  nodeId: string;
  backend: string;
  /** `modelID#replica` keys of the processes to start again. */
  keys: string[];
  /** How long each replica may take to start, and all of them to show in `models.running`. */
  readyTimeoutMs: number;
}

export interface RestoreOutput {
  restored: string[];
  /** False when the node serves no `models.running`: the replies said started, nothing listed them. */
  listed: boolean;
}
