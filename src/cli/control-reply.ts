/**
 * The one line a control command prints once the workflow accepted it: what was done, to which
 * rollout, and what happens now, each said once. After an abort it names the nodes caught
 * mid-upgrade and the command that checks what they have installed.
 */
import type { ControlCall } from '../client/control-calls.js';
import { isInFlight } from '../domain/node-state.js';
import { WaitReason } from '../domain/rollout-phase.js';
import type { RolloutStatus } from '../workflows/status.js';
import { escapeText } from './terminal-text.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function reasonText(call: ControlCall): string {
  const arg = call.args[0] as { reason?: unknown } | undefined;
  return typeof arg?.reason === 'string' ? ` (reason: ${escapeText(arg.reason)})` : '';
}

/** Nodes in flight (draining through soaking, or unconfirmed) when the status was taken. */
export function caughtMidUpgrade(status: RolloutStatus): string[] {
  return status.nodes.filter((n) => isInFlight(n.state)).map((n) => n.id);
}

/** The confirmation of `call`, given the status the workflow returned. */
export function controlReply(call: ControlCall, status: RolloutStatus): string[] {
  const b = escapeText(call.backend);
  const c = status.counts;
  switch (call.update) {
    case 'pause':
      return [
        `paused ${b}${reasonText(call)}: ${plural(c.inFlight, 'node')} in flight ${c.inFlight === 1 ? 'finishes' : 'finish'}, ${plural(c.pending, 'node')} pending ${c.pending === 1 ? 'waits' : 'wait'} for 'fleet-rollout resume ${b}'`,
      ];
    case 'resume':
      return [
        status.waiting === WaitReason.CanaryGate
          ? `resumed ${b}${reasonText(call)}: the canary wave is done and waits for 'fleet-rollout promote ${b}'`
          : `resumed ${b}${reasonText(call)}: ${plural(c.pending, 'node')} pending, ${plural(c.inFlight, 'node')} in flight`,
      ];
    case 'promote':
      return [
        (call.args[0] as { full?: unknown } | undefined)?.full === true
          ? `promoted ${b} in full${reasonText(call)}: no canary gate or wave barrier is left, ${plural(c.pending, 'node')} pending go on`
          : `promoted ${b}${reasonText(call)}: the canary gate is open, ${plural(c.pending, 'node')} pending go on`,
      ];
    case 'setMaxParallel':
      return [`maxParallel of ${b} is now ${status.maxParallel}`];
    case 'skipNode':
      return [`skipped node ${escapeText(String(call.args[0]))} of ${b}`];
    case 'retryNode':
      return [`node ${escapeText(String(call.args[0]))} of ${b} will be tried again`];
    case 'abort': {
      const caught = caughtMidUpgrade(status).map(escapeText);
      const lines = [`aborted ${b}${reasonText(call)}: ${plural(c.pending, 'pending node')} will not start`];
      if (caught.length > 0) {
        lines.push(
          `caught mid-upgrade (their upgrade is cancelled; the node may have applied it): ${caught.join(', ')}`,
          `check what they have installed: fleet-rollout nodes ${b} --nodes ${caught.join(',')}`,
        );
      }
      return lines;
    }
  }
}
