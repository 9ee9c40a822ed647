/** `fleet-rollout promote BACKEND`: open the canary gate. */
import { controlCalls } from '../../client/control-calls.js';
import { runControl } from '../control-command.js';

/** Promotes a rollout's canary. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'promote',
      positionals: ['BACKEND'],
      description: 'Promotes the canary of the rollout of BACKEND: the remaining waves start.',
      examples: ['fleet-rollout promote llama-cpp'],
      call: (backend) => controlCalls.promote(backend),
    },
    args,
  );
}
