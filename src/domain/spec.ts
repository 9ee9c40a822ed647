/**
 * The rollout specification: what to upgrade, where, and under which policy.
 *
 * One schema serves the client (before a start is sent), the workflow (again at start, because
 * histories outlive client versions) and the CLI (its rollout flags, their help lines, defaults and
 * bounds are derived from this schema through `spec-fields.ts`). Every default and bound lives here
 * and is documented with `@default`; durations are Go-style strings or milliseconds and come out of
 * parsing as milliseconds. Problems come out as data (`SpecIssue[]`), each with its field's path.
 */
import { z } from 'zod';
import { MAX_PARALLEL } from './budget.js';
import { parseCountOrPercent, parseDuration, type CountOrPercent } from './duration.js';
import { InstallSourceSchema } from './install-source.js';
import { UpgradeTargetSchema } from './upgrade-target.js';

const notADuration = (value: unknown): string =>
  `"${String(value)}" is not a duration; write it like 500ms, 30s, 15m or 1h30m`;

const durationMs = () =>
  z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: notADuration(value) });
      return z.NEVER;
    }
    return ms;
  });

const countOrPercent = () =>
  z.union([z.number(), z.string()]).transform((value, ctx): CountOrPercent => {
    const parsed = parseCountOrPercent(value);
    if (parsed === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${String(value)}" is neither a whole count (3) nor a percentage (25%)`,
      });
      return z.NEVER;
    }
    return parsed;
  });

/** Days of the week as written in a maintenance window. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a 24-hour time such as 02:00 or 22:30');

/**
 * A maintenance window: nodes are only *started* inside it; nodes already in flight finish.
 * `end` earlier than `start` means the window crosses midnight (22:00–04:00); `start == end` is a full day.
 */
export const WindowSchema = z.object({
  /** @default every day */
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1)
    .default([...WEEKDAYS]),
  start: clock,
  end: clock,
  /** IANA time zone, e.g. `Europe/Berlin`. @default "UTC" */
  timeZone: z
    .string()
    .default('UTC')
    .refine(isTimeZone, { message: 'unknown IANA time zone; use a name such as Europe/Berlin or UTC' }),
});
export type MaintenanceWindow = z.output<typeof WindowSchema>;

/** One node of an inventory file or of the inline inventory of a spec. */
export const InventoryNodeSchema = z.object({
  id: z.string().min(1, 'node id must not be empty'),
  name: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  /** Model replicas this node serves with the backend; unknown → asked with `models.running`. */
  replicas: z.number().int().nonnegative().optional(),
});
export type InventoryNode = z.output<typeof InventoryNodeSchema>;

export const OnFailure = { Halt: 'halt', Continue: 'continue', Revert: 'revert' } as const;
export type OnFailure = (typeof OnFailure)[keyof typeof OnFailure];

export const RolloutSpecSchema = z
  .object({
    /** Gallery name of the backend to upgrade, e.g. `llama-cpp`. */
    backend: z
      .string()
      .min(1, 'backend must name a backend, e.g. llama-cpp')
      .refine((b) => !/[\s*>]/.test(b), { message: 'backend must not contain spaces, * or >' }),
    ...InstallSourceSchema.shape,
    /** When set, verification also requires the node to report this version (or digest). */
    targetVersion: z.string().min(1).optional(),
    /** The manifest digest nodes must end up with (`sha256:…`); overrides the registry's answer. */
    targetDigest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'targetDigest must be sha256: followed by 64 hex digits')
      .optional(),
    /** Gallery index to resolve the target from (`file://` or `http(s)://`), read before `galleries`. */
    index: z.string().url('index must be a file:// or http(s):// URL of a gallery index').optional(),
    /** Upgrade nodes that already run the target too. @default false */
    force: z.boolean().optional(),
    /** The resolved target; set by the rollout itself (or a caller that resolved it already). */
    target: UpgradeTargetSchema.optional(),

    /** Explicit node ids. Ids absent from a given inventory are still targeted (with no labels). */
    nodes: z.array(z.string().min(1)).optional(),
    /** Label equality selector over the inventory, e.g. `{ zone: "eu" }`. */
    selector: z.record(z.string(), z.string()).optional(),
    /** Node ids never to touch. */
    exclude: z.array(z.string().min(1)).optional(),
    /** The known fleet. Targets are `nodes` ∪ (inventory ∩ selector) minus `exclude`. */
    inventory: z.array(InventoryNodeSchema).optional(),

    /** Nodes upgrading at once. @default 1 */
    maxParallel: z.number().int().min(1, 'maxParallel must be at least 1').max(MAX_PARALLEL).default(1),
    /**
     * Replicas of this backend allowed down at once, as a count or a percentage of all targeted
     * replicas (rounded down). A node whose replicas alone exceed the budget still starts when
     * nothing else is down, so a rollout always makes progress. @default "25%"
     */
    maxUnavailable: countOrPercent().default({ kind: 'percent', value: 25 }),
    /** Ramp of wave sizes, e.g. `[1, "10%", "50%"]`; percentages of all targets, rounded up; the last size repeats. */
    batches: z.array(countOrPercent()).min(1).optional(),
    /** Canary wave: upgraded first, then the rollout waits for `promote` ("manual") or for the duration. */
    canary: z
      .object({
        nodes: z.number().int().min(1, 'canary.nodes must be at least 1').max(MAX_PARALLEL),
        promote: z
          .union([z.number().int().nonnegative(), z.string()])
          .transform((value, ctx): 'manual' | number => {
            if (value === 'manual') return 'manual';
            const ms = typeof value === 'number' ? value : parseDuration(value);
            if (ms === undefined) {
              ctx.addIssue({ code: 'custom', message: `${notADuration(value)}, or manual` });
              return z.NEVER;
            }
            return ms;
          })
          .default('manual'),
      })
      .optional(),
    /** Per node: from the first request until the upgrade must be verified. @default "30m" */
    healthyDeadline: durationMs().default(30 * 60_000),
    /** Soak after a node verifies before it counts as succeeded. @default "10s" */
    minHealthyTime: durationMs().default(10_000),
    /** Halt when no node has finished for this long. @default "1h" */
    progressDeadline: durationMs().default(60 * 60_000),
    /**
     * Failures tolerated: the rollout acts (`onFailure`) when failures *exceed* this number.
     * A percentage is of all targeted nodes, rounded down. @default 0 (the first failure acts)
     */
    maxFailures: countOrPercent().default({ kind: 'count', value: 0 }),
    /** What exceeding `maxFailures` does. @default "halt" */
    onFailure: z.enum([OnFailure.Halt, OnFailure.Continue, OnFailure.Revert]).default(OnFailure.Halt),
    /** Maintenance window; absent → always open. */
    window: WindowSchema.optional(),
    /** NATS request timeout for `backend.upgrade` / the legacy install. @default "15m" */
    upgradeTimeout: durationMs().default(15 * 60_000),
    /**
     * After the new install verifies, start a probe process from it (`backend.install` with a probe
     * model id, which replies after the process passed its health check), then stop it; a failure
     * fails the node with the worker's output. @default true
     */
    startCheck: z.boolean().default(true),
    /** Per replica (and the probe): how long it may take to start and show in `models.running`. @default "5m" */
    replicaReadyTimeout: durationMs().default(5 * 60_000),
    /**
     * A node with no responders on both `backend.upgrade` and the legacy `backend.install` is
     * retried with backoff for this long (a restarting agent, a network blip) before it fails as
     * unreachable. @default "3m"
     */
    unreachableGrace: durationMs().default(3 * 60_000),
    /**
     * The LocalAI frontend that routes the fleet's requests: each node is drained there before its
     * upgrade and resumed after its start check and replicas. The orchestrator worker must be
     * started with the same `--localai-url` and an admin key. `leftOut` holds the frontend's
     * nodes that were not targets and why (shown by `status`). Absent: no drain.
     */
    frontend: z
      .object({
        url: z.string().url('frontend.url must be the URL of the LocalAI frontend, e.g. http://localai:8080'),
        leftOut: z.array(z.object({ id: z.string(), reason: z.string() })).optional(),
      })
      .strict()
      .optional(),
    /**
     * With a frontend: how long requests already running on a node may take to finish after its
     * drain. Waited only when the frontend showed requests in flight just before the drain. @default "30s"
     */
    drainGrace: durationMs().default(30_000),
    /** Upgrade requests sent to one node at most (re-sends only after verification shows the old install). @default 3 */
    maxAttempts: z.number().int().min(1).max(10).default(3),

    /** Who asked (audit trail; kept in the memo). */
    requestedBy: z.string().optional(),
    /** Why (audit trail; kept in the memo). */
    reason: z.string().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.targetVersion !== undefined && spec.uri !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['targetVersion'],
        message:
          'LocalAI records no version for a --uri install, so targetVersion can never be verified; pin the build with targetDigest (OCI images) or leave it out (the uri is verified)',
      });
    }
    if ((spec.name !== undefined || spec.alias !== undefined) && spec.uri === undefined) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'name and alias only apply together with uri' });
    }
    if (
      (spec.nodes === undefined || spec.nodes.length === 0) &&
      (spec.inventory === undefined || spec.inventory.length === 0)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodes'],
        message: 'no targets: give node ids (nodes) or an inventory (with an optional selector)',
      });
    }
    const seen = new Set<string>();
    for (const [index, node] of (spec.inventory ?? []).entries()) {
      if (seen.has(node.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['inventory', index, 'id'],
          message: `duplicate node id ${JSON.stringify(node.id)} in the inventory`,
        });
      }
      seen.add(node.id);
    }
    if (spec.selector !== undefined && spec.inventory === undefined) {
      ctx.addIssue({ code: 'custom', path: ['selector'], message: 'a selector needs an inventory to select from' });
    }
  });

/** The spec as callers write it (durations as strings, defaults optional). */
export type RolloutSpecInput = z.input<typeof RolloutSpecSchema>;
/** The spec after validation: defaults applied, durations in milliseconds. */
export type RolloutSpec = z.output<typeof RolloutSpecSchema>;

/** One problem of a spec: the field's path (`maxUnavailable`, `window.start`, `inventory[0].id`; empty for the whole spec) and what is wrong. */
export interface SpecIssue {
  path: string;
  message: string;
}

/** The result of validating a spec: the spec, or every problem as data plus one line naming them. */
export type SpecResult = { ok: true; spec: RolloutSpec } | { ok: false; issues: SpecIssue[]; message: string };

/** One line: `path: message; path: message` (a problem of the whole spec shows its message alone). */
export function formatSpecIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}

/** Validates a spec; every problem keeps its field's path. */
export function parseRolloutSpec(input: unknown): SpecResult {
  const result = RolloutSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  const issues = result.error.issues.map((i) => ({ path: z.core.toDotPath(i.path), message: i.message }));
  return { ok: false, issues, message: `invalid rollout spec: ${formatSpecIssues(issues)}` };
}
