/**
 * Did an upgrade land? Judged from one `backend.list` entry against the pre-upgrade record and,
 * when known, the target build. A node counts as upgraded when it reports the target; a new
 * `installed_at` alone only counts when no version, digest or uri of the target is known.
 * Pure: the activities feed it what the node said.
 */
import { compareBuild, Evidence, isKnownBuild, type Build, type InstalledBuild } from './upgrade-target.js';

export const VerifyVerdict = {
  /** The node reports the target (or, with no target known, a new install). */
  Applied: 'applied',
  /** The node still reports the pre-upgrade install. */
  Old: 'old',
  /** A new install is visible, but not the target; or the install appeared under another name. */
  Mismatch: 'mismatch',
  /** The node no longer reports the backend at all. */
  Missing: 'missing',
} as const;
export type VerifyVerdict = (typeof VerifyVerdict)[keyof typeof VerifyVerdict];

/** What a node reported for the backend before the upgrade (the verification baseline). */
export type InstalledRecord = InstalledBuild;

/** The verification baseline of one `backend.list` entry (only the fields that were sent). */
export function installedRecordOf(entry: {
  installedAt?: string | undefined;
  digest?: string | undefined;
  version?: string | undefined;
  uri?: string | undefined;
}): InstalledRecord {
  const record: InstalledRecord = {};
  if (entry.installedAt !== undefined) record.installedAt = entry.installedAt;
  if (entry.digest !== undefined) record.digest = entry.digest;
  if (entry.version !== undefined) record.version = entry.version;
  if (entry.uri !== undefined) record.uri = entry.uri;
  return record;
}

/** What verification compares a node against, beyond the pre-upgrade record. */
export interface TargetCheck {
  /** The build the node must reach, when the rollout knows its target. */
  target?: Build;
  /** The target is an explicit `--uri`: the uri counts as evidence, and an install under another name fails at once. */
  uri?: string;
  /** Meta backends: judge this concrete backend's entry. */
  concrete?: string;
}

/** A verdict, the sentence for the node's steps, and the field that decided it. */
export interface Verification {
  verdict: VerifyVerdict;
  detail: string;
  decidedBy: Evidence;
}

/** What the judgement knows about the upgrade being verified. */
export interface VerifyExpectation {
  /** The build the node must reach, when known. */
  target?: Build;
  /** The target is the operator's `--uri`: the uri is evidence too. */
  explicitUri?: boolean;
}

function changedSince(before: InstalledBuild, now: InstalledBuild): boolean {
  return now.installedAt !== before.installedAt || now.digest !== before.digest;
}

/**
 * Judges `now` (absent: the node lists no such backend) against `before` and the expectation.
 * With a known target: it matches → applied (when the node already matched before, as after
 * `--force`, a new `installed_at` is also required); it does not match but changed → mismatch;
 * else old. With no target: a new `installed_at` or digest → applied, else old.
 */
export function judgeUpgrade(
  before: InstalledBuild,
  now: InstalledBuild | undefined,
  expect: VerifyExpectation = {},
): Verification {
  if (now === undefined) {
    return {
      verdict: VerifyVerdict.Missing,
      detail: 'the node no longer reports the backend',
      decidedBy: Evidence.None,
    };
  }
  const changed = changedSince(before, now);
  const target = expect.target;
  if (isKnownBuild(target)) {
    const cmp = compareBuild(now, target, expect.explicitUri === true);
    if (cmp.decidedBy !== Evidence.None) {
      const wasAlready = compareBuild(before, target, expect.explicitUri === true).matches;
      if (cmp.matches && (changed || !wasAlready)) {
        return {
          verdict: VerifyVerdict.Applied,
          detail: `reports the target: ${cmp.detail}`,
          decidedBy: cmp.decidedBy,
        };
      }
      if (!changed) {
        return {
          verdict: VerifyVerdict.Old,
          detail: `still the pre-upgrade install (${cmp.detail}, installed_at ${before.installedAt ?? 'unknown'})`,
          decidedBy: cmp.decidedBy,
        };
      }
      return {
        verdict: VerifyVerdict.Mismatch,
        detail: mismatchDetail(now, target, cmp.decidedBy),
        decidedBy: cmp.decidedBy,
      };
    }
    if (changed && target.version !== undefined && now.version === undefined) {
      return {
        verdict: VerifyVerdict.Mismatch,
        detail: `reinstalled, but reports no version instead of ${target.version}`,
        decidedBy: Evidence.Version,
      };
    }
  }
  if (!changed) {
    return {
      verdict: VerifyVerdict.Old,
      detail: `still the pre-upgrade install (installed_at ${before.installedAt ?? 'unknown'})`,
      decidedBy: Evidence.InstalledAt,
    };
  }
  const decidedBy = now.installedAt !== before.installedAt ? Evidence.InstalledAt : Evidence.Digest;
  return {
    verdict: VerifyVerdict.Applied,
    detail: `new install: installed_at ${now.installedAt ?? '?'}${now.version !== undefined ? `, version ${now.version}` : ''}`,
    decidedBy,
  };
}

function mismatchDetail(now: InstalledBuild, target: Build, by: Evidence): string {
  const field = by === Evidence.Version ? 'version' : by === Evidence.Digest ? 'digest' : 'uri';
  return `reinstalled, but reports ${field} ${now[field] ?? '(none)'} instead of ${target[field] ?? '?'}`;
}

/**
 * A `--uri` install that shows up under another name (LocalAI names a directory install after
 * the folder when no name is given): the name of the entry that carries the uri, if any.
 */
export function findMisnamedInstall(
  uri: string,
  expectedName: string,
  listed: readonly { name: string; uri?: string | undefined }[],
): string | undefined {
  const strip = (u: string): string => u.replace(/^oci:\/\//, '').replace(/\/+$/, '');
  return listed.find((o) => o.name !== expectedName && o.uri !== undefined && strip(o.uri) === strip(uri))?.name;
}

/**
 * {@link judgeUpgrade} with a rollout's inputs: `targetVersion` is the older spec field (a
 * version, or a `sha256:` digest), used only when `check.target` (the resolved target) is absent.
 */
export function judgeInstall(
  before: InstalledRecord,
  now: InstalledRecord | undefined,
  targetVersion: string | undefined,
  check: TargetCheck = {},
): Verification {
  let target = check.target;
  if (target === undefined && targetVersion !== undefined) {
    target = targetVersion.startsWith('sha256:') ? { digest: targetVersion } : { version: targetVersion };
  }
  return judgeUpgrade(before, now, {
    ...(target !== undefined ? { target } : {}),
    explicitUri: check.uri !== undefined,
  });
}
