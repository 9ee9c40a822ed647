/**
 * What a rollout upgrades to, and whether a node already runs it. Pure: the target is resolved
 * elsewhere (gallery index + registry, or the operator's `--uri`/`--target-*` flags) and recorded
 * in the rollout's input; these functions only compare.
 *
 * The comparison follows LocalAI's own upgrade check (core/gallery/upgrade.go): the version when
 * both sides have one; else the OCI manifest digest; else, for an explicit `--uri`, the uri.
 */
import { z } from 'zod';

/** The spec fields that say where the target comes from. */
export interface TargetRequest {
  backend: string;
  /** Galleries as on the wire (JSON string of `[{url, name}]`). */
  galleries?: string | undefined;
  /** A gallery index URL named by the operator (`--index`); read before the galleries. */
  index?: string | undefined;
  uri?: string | undefined;
  targetVersion?: string | undefined;
  targetDigest?: string | undefined;
}

/** The target request of a spec, as `plan` and the rollout's first step both send it. */
export function targetRequestOf(spec: TargetRequest): TargetRequest {
  return {
    backend: spec.backend,
    galleries: spec.galleries,
    index: spec.index,
    uri: spec.uri,
    targetVersion: spec.targetVersion,
    targetDigest: spec.targetDigest,
  };
}

/** Whether anything in the request names a target (an index, a gallery, a uri, a version or digest). */
export function namesTarget(req: TargetRequest): boolean {
  return (
    req.index !== undefined ||
    req.galleries !== undefined ||
    req.uri !== undefined ||
    req.targetVersion !== undefined ||
    req.targetDigest !== undefined
  );
}

/** Where the target came from. */
export const TargetSource = {
  /** A gallery index entry, its digest from the registry. */
  Gallery: 'gallery',
  /** The operator's `--uri` / `--target-version` / `--target-digest`. */
  Explicit: 'explicit',
} as const;
export type TargetSource = (typeof TargetSource)[keyof typeof TargetSource];

/** The build a node should end up with: any of version, uri, digest. */
export const BuildSchema = z
  .object({
    version: z.string().min(1).optional(),
    uri: z.string().min(1).optional(),
    digest: z
      .string()
      .regex(/^[a-z0-9]+:[A-Za-z0-9=_-]+$/, 'digest must look like sha256:<hex>')
      .optional(),
  })
  .strict();
export type Build = z.output<typeof BuildSchema>;

/** The resolved target of a rollout, recorded in its input and memo. */
export const UpgradeTargetSchema = BuildSchema.extend({
  source: z.enum([TargetSource.Gallery, TargetSource.Explicit]),
  /** The gallery index read (gallery targets). */
  gallery: z.string().optional(),
  /** The gallery entry (gallery targets). */
  entry: z.string().optional(),
  /** Meta backends: the build per concrete backend name a node may report. */
  concretes: z.record(z.string(), BuildSchema).optional(),
  /** When it was resolved (ISO 8601). */
  resolvedAt: z.string().optional(),
}).strict();
export type UpgradeTarget = z.output<typeof UpgradeTargetSchema>;

/** What a node reports for the backend (the fields `backend.list` may carry). */
export interface InstalledBuild {
  installedAt?: string;
  version?: string;
  uri?: string;
  digest?: string;
}

/** Which field decided a comparison. */
export const Evidence = {
  Version: 'version',
  Digest: 'digest',
  Uri: 'uri',
  InstalledAt: 'installed_at',
  None: 'none',
} as const;
export type Evidence = (typeof Evidence)[keyof typeof Evidence];

/** The outcome of comparing an install with a target. */
export interface Comparison {
  matches: boolean;
  /** The field that decided; `none` when no field could be compared. */
  decidedBy: Evidence;
  /** A readable sentence, e.g. `digest sha256:ab… = target`. */
  detail: string;
}

/** `sha256:0123456789ab` (12 hex digits), for tables and steps. */
export function shortDigest(digest: string | undefined): string {
  if (digest === undefined) return '-';
  const [algo, hex] = digest.split(':');
  return hex === undefined ? digest : `${algo}:${hex.slice(0, 12)}`;
}

/** The build a node must reach: the concrete's for a meta backend, else the target's own fields. */
export function buildFor(target: UpgradeTarget, concrete?: string): Build | undefined {
  if (target.concretes !== undefined) return concrete === undefined ? undefined : target.concretes[concrete];
  const build: Build = {};
  if (target.version !== undefined) build.version = target.version;
  if (target.uri !== undefined) build.uri = target.uri;
  if (target.digest !== undefined) build.digest = target.digest;
  return build;
}

/** True when the build names anything to compare against. */
export function isKnownBuild(build: Build | undefined): build is Build {
  return build !== undefined && (build.version !== undefined || build.digest !== undefined || build.uri !== undefined);
}

/**
 * Does `installed` already run `target`? Version when both have one; else digest when both have
 * one; else uri, but only for an explicit uri target (a gallery's mutable tag says nothing about
 * the build behind it).
 */
export function compareBuild(installed: InstalledBuild, target: Build, explicitUri = false): Comparison {
  if (installed.version !== undefined && target.version !== undefined) {
    const matches = installed.version === target.version;
    return {
      matches,
      decidedBy: Evidence.Version,
      detail: `version ${installed.version} ${matches ? '=' : '≠'} target ${target.version}`,
    };
  }
  if (installed.digest !== undefined && target.digest !== undefined) {
    const matches = installed.digest === target.digest;
    return {
      matches,
      decidedBy: Evidence.Digest,
      detail: `digest ${shortDigest(installed.digest)} ${matches ? '=' : '≠'} target ${shortDigest(target.digest)}`,
    };
  }
  if (explicitUri && installed.uri !== undefined && target.uri !== undefined) {
    const matches = stripOci(installed.uri) === stripOci(target.uri);
    return {
      matches,
      decidedBy: Evidence.Uri,
      detail: `uri ${installed.uri} ${matches ? '=' : '≠'} target ${target.uri}`,
    };
  }
  return { matches: false, decidedBy: Evidence.None, detail: missingEvidence(installed, target) };
}

function stripOci(uri: string): string {
  return uri.replace(/^oci:\/\//, '');
}

function missingEvidence(installed: InstalledBuild, target: Build): string {
  const has = (b: InstalledBuild | Build): string =>
    (['version', 'digest', 'uri'] as const).filter((k) => b[k] !== undefined).join('/') || 'nothing';
  return `cannot compare: the node reports ${has(installed)}, the target has ${has(target)}`;
}

/** One node's position relative to the target, for `plan` and the rollout's start. */
export interface NodeComparison extends Comparison {
  id: string;
  /** The node needs the upgrade (it does not match, or `force`). */
  upgrade: boolean;
}

/** Compares every node with the target; `force` marks all for upgrade but keeps the comparison. */
export function compareNodes(
  nodes: readonly { id: string; installed: InstalledBuild; concrete?: string | undefined }[],
  target: UpgradeTarget,
  force: boolean,
): NodeComparison[] {
  return nodes.map((node) => {
    const build = buildFor(target, node.concrete);
    if (!isKnownBuild(build)) {
      const detail =
        target.concretes !== undefined
          ? `the node reports no concrete backend of ${target.entry ?? 'the meta entry'} (${Object.keys(target.concretes).join(', ')})`
          : 'the target names no version, digest or uri';
      return { id: node.id, matches: false, decidedBy: Evidence.None, detail, upgrade: true };
    }
    const cmp = compareBuild(node.installed, build, target.source === TargetSource.Explicit);
    return { id: node.id, ...cmp, upgrade: force || !cmp.matches };
  });
}

/** Nodes whose build differs from what most nodes run. */
export interface Drift {
  /** The build most nodes run (`version …` or `digest …`), absent with no nodes. */
  majority?: string;
  majorityCount: number;
  /** Nodes that disagree with the majority, with what they run. */
  drifted: { id: string; build: string }[];
}

function buildKey(installed: InstalledBuild): string {
  if (installed.version !== undefined) return `version ${installed.version}`;
  if (installed.digest !== undefined) return `digest ${shortDigest(installed.digest)}`;
  if (installed.uri !== undefined) return `uri ${installed.uri}`;
  return 'unknown build';
}

/** The drift summary LocalAI's upgrade check reports: who disagrees with the majority. Ties break by name. */
export function summariseDrift(nodes: readonly { id: string; installed: InstalledBuild }[]): Drift {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(buildKey(n.installed), (counts.get(buildKey(n.installed)) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = ranked[0];
  if (top === undefined) return { majorityCount: 0, drifted: [] };
  const drifted = nodes
    .filter((n) => buildKey(n.installed) !== top[0])
    .map((n) => ({ id: n.id, build: buildKey(n.installed) }));
  return { majority: top[0], majorityCount: top[1], drifted };
}

/** One line describing the target, e.g. `digest sha256:ab… of quay.io/x:tag (gallery entry cpu-llama-cpp)`. */
export function describeTarget(target: UpgradeTarget): string {
  const parts: string[] = [];
  if (target.version !== undefined) parts.push(`version ${target.version}`);
  if (target.digest !== undefined) parts.push(`digest ${shortDigest(target.digest)}`);
  if (target.uri !== undefined) parts.push(`uri ${target.uri}`);
  if (target.concretes !== undefined) {
    for (const [name, b] of Object.entries(target.concretes))
      parts.push(
        `${name}: ${[b.version, shortDigest(b.digest)].filter((x) => x !== undefined && x !== '-').join(' ')}`,
      );
  }
  const from =
    target.source === TargetSource.Gallery
      ? `gallery entry ${target.entry ?? '?'}${target.gallery !== undefined ? ` of ${target.gallery}` : ''}`
      : 'given explicitly';
  return `${parts.join(', ') || 'nothing known'} (${from})`;
}
