/** `fleet-rollout skip BACKEND NODE`: leave a pending or failed node alone. */
import { controlCalls } from '../../client/control-calls.js';
import { runControl } from '../control-command.js';

/** Skips one node of a rollout. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'skip',
      positionals: ['BACKEND', 'NODE'],
      description: 'Skips NODE in the rollout of BACKEND (a pending or failed node); retry brings it back.',
      examples: ['fleet-rollout skip llama-cpp gpu-7'],
      call: (backend, [node = '']) => controlCalls.skipNode(backend, node),
    },
    args,
  );
}
