/** `fleet-rollout set-max-parallel BACKEND N`: change how many nodes upgrade at once. */
import { controlCalls } from '../../client/control-calls.js';
import { MAX_PARALLEL } from '../../domain/budget.js';
import { intFlag } from '../args.js';
import { runControl } from '../control-command.js';

/** Changes a rollout's maxParallel. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'set-max-parallel',
      positionals: ['BACKEND', 'N'],
      description: `Sets how many nodes of the rollout of BACKEND upgrade at once (1-${MAX_PARALLEL}), from now on.`,
      examples: ['fleet-rollout set-max-parallel llama-cpp 8'],
      call: (backend, [n = '']) => controlCalls.setMaxParallel(backend, intFlag('N', n, 1, MAX_PARALLEL)),
    },
    args,
  );
}
