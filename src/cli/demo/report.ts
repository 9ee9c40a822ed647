/**
 * The demo's closing text: the summary after the rollout (headline, final table, what was staged
 * and whether it happened) and, with `--keep`, the addresses and commands to try on the stack.
 */
import { formatDuration } from '../../domain/duration.js';
import { countsLine, headline, paint, type OutputStyle } from '../render.js';
import type { RolloutStatus } from '../../workflows/status.js';
import { DEMO_BACKEND, type DemoNode } from './scenario.js';
import type { DemoVerdict } from './verdict.js';
import { demoNodeTable } from './view.js';

/** Headline, counts, the table of every node, and the staged expectations with their outcome. */
export function summaryLines(style: OutputStyle, status: RolloutStatus, verdict: DemoVerdict): string[] {
  const lines = ['', headline(style, status), countsLine(status), '', ...demoNodeTable(style, status), ''];
  lines.push(
    verdict.asDesigned
      ? 'As designed (the one failure was staged, so the demo exits 0):'
      : 'NOT as designed (the demo exits 1):',
  );
  for (const check of verdict.checks) {
    const mark = check.ok ? paint(style, 'green', 'ok  ') : paint(style, 'red', 'FAIL');
    lines.push(`  ${mark} ${check.text}`);
  }
  return lines;
}

/** Addresses of the stack as the `--keep` text needs them. */
export interface KeepInfo {
  temporalAddress: string;
  uiUrl: string;
  natsUrl: string;
  inventoryFile: string;
  nodes: readonly DemoNode[];
  /** The live web view (`fleet-rollout dashboard`) the demo serves. */
  dashboardUrl: string;
}

/** What to try while `--keep` holds the stack up. */
export function keepLines(info: KeepInfo): string[] {
  const env = `export TEMPORAL_ADDRESS=${info.temporalAddress} TEMPORAL_UI_URL=${info.uiUrl} NATS_URL=${info.natsUrl}`;
  const zone = info.nodes[0]?.zone ?? 'eu-west';
  return [
    '',
    '--keep: the stack stays up until Ctrl-C.',
    `  Temporal   ${info.temporalAddress}`,
    `  Web UI     ${info.uiUrl}`,
    `  Dashboard  ${info.dashboardUrl}`,
    `  NATS       ${info.natsUrl}`,
    `  Inventory  ${info.inventoryFile}`,
    '',
    'Try, in another terminal in this directory:',
    `  ${env}`,
    `  npx fleet-rollout status ${DEMO_BACKEND}`,
    `  npx fleet-rollout history ${DEMO_BACKEND}`,
    `  npx fleet-rollout plan --backend ${DEMO_BACKEND} --inventory ${info.inventoryFile} --max-parallel 2 --canary 1`,
    `  npx fleet-rollout start --backend ${DEMO_BACKEND} --inventory ${info.inventoryFile} --selector zone=${zone} \\`,
    '      --canary 1 --promote manual --min-healthy-time 5s --reason "try the controls"',
    `  npx fleet-rollout watch ${DEMO_BACKEND}        (and from a third terminal:)`,
    `  npx fleet-rollout promote ${DEMO_BACKEND}; npx fleet-rollout pause ${DEMO_BACKEND}; npx fleet-rollout resume ${DEMO_BACKEND}`,
    '',
    'Press Ctrl-C here to stop everything.',
  ];
}

/** `demo: finished in 38s`. */
export function elapsedLine(startedAt: number, now: number): string {
  return `finished in ${formatDuration(now - startedAt)}`;
}
