/** `fleet-rollout retry BACKEND NODE`: try a failed or skipped node again, with a new op id. */
import { controlCalls } from '../../client/control-calls.js';
import { runControl } from '../control-command.js';

/** Retries one node of a rollout. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'retry',
      positionals: ['BACKEND', 'NODE'],
      description: 'Retries NODE in the rollout of BACKEND (a failed or skipped node), with a new op id.',
      examples: ['fleet-rollout retry llama-cpp gpu-7'],
      call: (backend, [node = '']) => controlCalls.retryNode(backend, node),
    },
    args,
  );
}
