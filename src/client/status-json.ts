/**
 * The documented output of `fleet-rollout status BACKEND --json` (and of {@link toStatusJson}):
 * a stable, versioned shape, independent of the workflow's internal status. Every key is always
 * present; unknown values are `null`. Times are ISO 8601 strings, durations milliseconds, waves
 * numbered from 1.
 */
import { z } from 'zod';
import { NodeState } from '../domain/node-state.js';
import { describeTarget, TargetSource, type Build, type UpgradeTarget } from '../domain/upgrade-target.js';
import { RolloutPhase, WaitReason } from '../domain/rollout-phase.js';
import { installName } from './install-name.js';
import { CountsJsonSchema } from './json-parts.js';
import type { RolloutSnapshot } from './status.js';

const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];
const isoTime = z.iso.datetime();

/** One node in `status --json`. */
export const NodeStatusJsonSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    zone: z.string(),
    /** Wave number, from 1. */
    wave: z.number().int().min(1),
    replicas: z.number().int().nonnegative(),
    state: z.enum(values(NodeState)),
    /** Upgrade requests sent (re-sends included). */
    attempts: z.number().int().nonnegative(),
    /** The node only knew the legacy `backend.install` with `force:true`. */
    fallback: z.boolean(),
    /** Latest progress (live from the heartbeat while in flight). */
    pct: z.number().min(0).max(100).nullable(),
    phase: z.string().nullable(),
    /** True when `pct`/`phase` come from a live heartbeat rather than the workflow's last record. */
    live: z.boolean(),
    error: z.string().nullable(),
    stoppedProcessKeys: z.array(z.string()),
    /** Replicas started again after the upgrade (null until the node restored them). */
    replicasRestored: z.number().int().nonnegative().nullable(),
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    durationMs: z.number().int().nonnegative().nullable(),
    opId: z.string().nullable(),
    installedBefore: z.string().nullable(),
    installedAfter: z.string().nullable(),
    /** The build this node must reach (version, else digest, else uri), when the target is known. */
    target: z.string().nullable(),
    /** The most recent steps, oldest first. */
    steps: z.array(z.string()),
  })
  .strict();

const BuildJsonSchema = z
  .object({ version: z.string().nullable(), digest: z.string().nullable(), uri: z.string().nullable() })
  .strict();

/** What the rollout upgrades to, and where that came from. */
export const TargetJsonSchema = BuildJsonSchema.extend({
  /** `gallery` (an index entry, its digest from the registry) or `explicit` (the operator's flags). */
  source: z.enum(values(TargetSource)),
  /** One readable line, as `status` prints it. */
  description: z.string(),
  /** The gallery index read (gallery targets). */
  gallery: z.string().nullable(),
  /** The gallery entry (gallery targets). */
  entry: z.string().nullable(),
  /** Meta backends: the build per concrete backend name. */
  concretes: z.record(z.string(), BuildJsonSchema).nullable(),
  resolvedAt: isoTime.nullable(),
}).strict();

/** The whole `status --json` document. */
export const StatusJsonSchema = z
  .object({
    schemaVersion: z.literal(1),
    backend: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    /** Temporal's execution status of the current run, lower case (`running`, `completed`, `failed`, `terminated`, …). */
    execution: z.string(),
    webUrl: z.string().nullable(),
    phase: z.enum(values(RolloutPhase)),
    waiting: z.enum(values(WaitReason)).nullable(),
    message: z.string(),
    /** When what it waits for happens by itself: the maintenance window opens, the canary promotes itself. */
    waitingUntil: isoTime.nullable(),
    progressPct: z.number().int().min(0).max(100),
    counts: CountsJsonSchema,
    wave: z.object({ current: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).strict(),
    maxParallel: z.number().int().nonnegative(),
    /** Replicas down now (from a node's upgrade request until its replicas are restored), the budget, and all targeted replicas. */
    replicas: z.object({ down: z.number().int(), budget: z.number().int(), total: z.number().int() }).strict(),
    allowedFailures: z.number().int().nonnegative(),
    startedAt: isoTime,
    finishedAt: isoTime.nullable(),
    etaMs: z.number().int().nonnegative().nullable(),
    requestedBy: z.string().nullable(),
    reason: z.string().nullable(),
    /** What the rollout upgrades to; null when nothing named a target (verified by a new install only). */
    target: TargetJsonSchema.nullable(),
    continueAsNewCount: z.number().int().nonnegative(),
    skippedAtDiscovery: z.array(z.object({ id: z.string(), reason: z.string() }).strict()),
    /** Nodes the rollout leaves drained in the LocalAI frontend (failed start check), and how to resume each. */
    heldDrained: z.array(z.object({ id: z.string(), reason: z.string(), resume: z.string() }).strict()).optional(),
    nodes: z.array(NodeStatusJsonSchema),
  })
  .strict();
/** The `status --json` document. */
export type StatusJson = z.output<typeof StatusJsonSchema>;
/** One node of the `status --json` document. */
export type NodeStatusJson = z.output<typeof NodeStatusJsonSchema>;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

const buildJson = (b: Build) => ({ version: b.version ?? null, digest: b.digest ?? null, uri: b.uri ?? null });

function targetJson(t: UpgradeTarget): z.output<typeof TargetJsonSchema> {
  return {
    ...buildJson(t),
    source: t.source,
    description: describeTarget(t),
    gallery: t.gallery ?? null,
    entry: t.entry ?? null,
    concretes:
      t.concretes === undefined
        ? null
        : Object.fromEntries(Object.entries(t.concretes).map(([name, b]) => [name, buildJson(b)])),
    resolvedAt: t.resolvedAt ?? null,
  };
}

/** Renders a snapshot as the documented JSON document. */
export function toStatusJson(snapshot: RolloutSnapshot, webUrl?: string): StatusJson {
  const s = snapshot.status;
  return {
    schemaVersion: 1,
    backend: s.backend,
    workflowId: snapshot.workflowId,
    runId: snapshot.runId,
    execution: snapshot.execution.toLowerCase(),
    webUrl: webUrl ?? null,
    phase: s.phase,
    waiting: s.waiting ?? null,
    message: s.message,
    waitingUntil: iso(s.waitingUntil),
    progressPct: s.progressPct,
    counts: { ...s.counts, upToDate: s.counts.upToDate ?? 0 },
    wave: { current: s.waves === 0 ? 0 : s.currentWave + 1, total: s.waves },
    maxParallel: s.maxParallel,
    replicas: {
      down: s.replicasDown,
      budget: s.replicaBudget,
      total: s.replicasTotal ?? s.nodes.reduce((sum, n) => sum + n.replicas, 0),
    },
    allowedFailures: s.allowedFailures,
    startedAt: new Date(s.startedAt).toISOString(),
    finishedAt: iso(s.finishedAt),
    etaMs: s.etaMs ?? null,
    requestedBy: s.requestedBy ?? null,
    reason: s.reason ?? null,
    target: s.target === undefined ? null : targetJson(s.target),
    continueAsNewCount: s.continueAsNewCount,
    skippedAtDiscovery: s.skippedAtDiscovery.map((n) => ({ id: n.id, reason: n.reason })),
    ...(s.heldDrained === undefined ? {} : { heldDrained: s.heldDrained.map((h) => ({ ...h })) }),
    nodes: s.nodes.map((n) => ({
      id: n.id,
      name: n.name,
      zone: n.zone,
      wave: n.wave + 1,
      replicas: n.replicas,
      state: n.state,
      attempts: n.attempts,
      fallback: n.fallback,
      pct: n.pct ?? null,
      phase: n.phase ?? null,
      live: snapshot.live[n.id] !== undefined,
      error: n.lastError ?? null,
      stoppedProcessKeys: n.stoppedProcessKeys ?? [],
      replicasRestored: n.replicasRestored ?? null,
      startedAt: iso(n.startedAt),
      finishedAt: iso(n.finishedAt),
      durationMs:
        n.startedAt !== undefined && n.finishedAt !== undefined ? Math.max(0, n.finishedAt - n.startedAt) : null,
      opId: n.opId ?? null,
      installedBefore: installName(n.before) ?? null,
      installedAfter: installName(n.after) ?? null,
      target: n.target === undefined ? null : (n.target.version ?? n.target.digest ?? n.target.uri ?? null),
      steps: n.steps ?? [],
    })),
  };
}
