/**
 * Client-side checks of a rollout spec before anything is sent: the spec schema (the same one the
 * workflow applies again at start), and node ids that cannot be NATS subject tokens or that two
 * nodes would share, which the workflow would refuse only after it started. A command checks its
 * spec once: what the check returns is accepted by {@link startRollout} and {@link createSchedule}
 * as it is.
 */
import { formatSpecIssues, parseRolloutSpec, type RolloutSpec, type RolloutSpecInput } from '../domain/spec.js';
import { selectTargets, tokenProblems, type ExcludedNode, type TargetNode } from '../domain/targets.js';
import { nodeToken } from '../protocol/subjects.js';
import { InvalidSpecError, type SpecProblem } from './errors.js';

/** A spec that passed {@link checkRolloutSpec}, with what the check found. */
export class CheckedRolloutSpec {
  constructor(
    /** The spec as written (durations as strings): what a rollout or a schedule records. */
    readonly input: RolloutSpecInput,
    /** The parsed spec: defaults applied, durations in milliseconds. */
    readonly spec: RolloutSpec,
    /** The targets in planning order. */
    readonly targets: TargetNode[],
    /** The candidates left out, and why. */
    readonly excluded: ExcludedNode[],
  ) {}
}

function invalid(problems: readonly SpecProblem[]): InvalidSpecError {
  return new InvalidSpecError(`invalid rollout spec: ${formatSpecIssues(problems)}`, problems);
}

/**
 * Validates `input` and its targets.
 * @returns the parsed spec (defaults applied, durations in ms), its targets in planning order and the excluded candidates.
 * @throws InvalidSpecError with every problem, each naming its field.
 */
export function checkRolloutSpec(input: RolloutSpecInput): CheckedRolloutSpec {
  const parsed = parseRolloutSpec(input);
  if (!parsed.ok) throw invalid(parsed.issues);
  const { targets, excluded } = selectTargets(parsed.spec);
  const problems: SpecProblem[] = tokenProblems(
    targets.map((t) => t.id),
    nodeToken,
  ).map((message) => ({ path: 'nodes', message }));
  if (targets.length === 0) {
    problems.push({
      path: 'nodes',
      message: 'no targets left: the selector matches no inventory node, or every candidate is excluded',
    });
  }
  if (problems.length > 0) throw invalid(problems);
  return new CheckedRolloutSpec(input, parsed.spec, targets, excluded);
}

/** `spec` checked, unless it already was. */
export function checkedRolloutSpec(spec: RolloutSpecInput | CheckedRolloutSpec): CheckedRolloutSpec {
  return spec instanceof CheckedRolloutSpec ? spec : checkRolloutSpec(spec);
}
