/**
 * Client-side checks of a rollout spec before anything is sent: the spec schema (the same one the
 * workflow applies again at start), and node ids that cannot be NATS subject tokens or that two
 * nodes would share, which the workflow would refuse only after it started.
 */
import { parseRolloutSpec, type RolloutSpec, type RolloutSpecInput } from '../domain/spec.js';
import { selectTargets, tokenProblems, type ExcludedNode, type TargetNode } from '../domain/targets.js';
import { nodeToken } from '../protocol/subjects.js';
import { InvalidSpecError, type SpecProblem } from './errors.js';

const PROBLEM_RE = /✖ ([^\n]*)(?:\n\s*→ at ([^\n]*))?/g;

/**
 * Splits the multi-line message of `parseRolloutSpec` into problems with their field paths.
 * A message that already starts with its field (`maxUnavailable: "x" is …`) is not prefixed twice.
 */
export function specProblems(message: string): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const match of message.matchAll(PROBLEM_RE)) {
    const path = match[2]?.trim() ?? '';
    let text = (match[1] ?? '').trim();
    if (path !== '' && text.startsWith(`${path}: `)) text = text.slice(path.length + 2);
    problems.push({ path, message: text });
  }
  return problems.length > 0 ? problems : [{ path: '', message: message.replace(/\s+/g, ' ') }];
}

/** One line: `path: message; path: message`. */
export function formatProblems(problems: readonly SpecProblem[]): string {
  return problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; ');
}

/**
 * Validates `input` and its targets.
 * @returns the parsed spec (defaults applied, durations in ms), its targets in planning order and the excluded candidates.
 * @throws InvalidSpecError with every problem, each naming its field.
 */
export function checkRolloutSpec(input: RolloutSpecInput): {
  spec: RolloutSpec;
  targets: TargetNode[];
  excluded: ExcludedNode[];
} {
  const parsed = parseRolloutSpec(input);
  if (!parsed.ok) {
    const problems = specProblems(parsed.message);
    throw new InvalidSpecError(`invalid rollout spec: ${formatProblems(problems)}`, problems);
  }
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
  if (problems.length > 0) throw new InvalidSpecError(`invalid rollout spec: ${formatProblems(problems)}`, problems);
  return { spec: parsed.spec, targets, excluded };
}
