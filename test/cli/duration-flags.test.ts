/**
 * Duration flags with a unit, their deprecated `-ms` spellings, and the agent's simulation and
 * install-limit flags parsed with them: every refusal is a UsageError naming the flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  durationFlag,
  durationFlagValue,
  durationRangeFlag,
  durationRangeFlagValue,
  listFlag,
} from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/exit.js';
import { parseInstallLimitFlags } from '../../src/cli/install-limit-flags.js';
import { parseSimulationFlags } from '../../src/cli/simulation-flags.js';

const usage = (pattern: RegExp) => (err: unknown) => err instanceof UsageError && pattern.test(err.message);

void test('a duration takes a unit; a bare number is refused with the fix; 0 only where it means none', () => {
  assert.equal(durationFlag('--hang', '20s'), 20_000);
  assert.equal(durationFlag('--hang', '1m30s'), 90_000);
  assert.equal(durationFlag('--hang', '250ms'), 250);
  assert.throws(() => durationFlag('--hang', '20000'), usage(/^--hang: "20000" has no unit; write it like 90s/));
  assert.throws(() => durationFlag('--hang', '1.5'), usage(/--hang: "1.5" has no unit/));
  assert.throws(() => durationFlag('--ready-timeout', '0'), usage(/--ready-timeout: "0" is not a positive duration/));
  assert.throws(() => durationFlag('--ready-timeout', 'soon'), usage(/--ready-timeout: "soon" is not a positive/));
  assert.equal(durationFlag('--hang', '0', { zero: true }), 0);
  assert.equal(durationFlag('--hang', '0s', { zero: true }), 0);
  assert.throws(() => durationFlag('--hang', '30', { zero: true }), usage(/--hang: "30" has no unit/));
  assert.throws(() => durationFlag('--hang', '-1s', { zero: true }), usage(/--hang: "-1s" is not a duration.*0: none/));
});

void test('a duration range is one duration or LOW-HIGH', () => {
  assert.deepEqual(durationRangeFlag('--install-time', '2s'), { min: 2_000, max: 2_000 });
  assert.deepEqual(durationRangeFlag('--install-time', '500ms-3s'), { min: 500, max: 3_000 });
  assert.deepEqual(durationRangeFlag('--install-time', '0'), { min: 0, max: 0 });
  assert.throws(() => durationRangeFlag('--install-time', '500-3000'), usage(/--install-time: "500" has no unit/));
  assert.throws(() => durationRangeFlag('--install-time', '3s-1s'), usage(/"3s-1s" ends before it starts/));
  assert.throws(() => durationRangeFlag('--install-time', '1s-2s-3s'), usage(/not a duration or a range/));
});

void test('the old -ms spelling: whole milliseconds, with a warning naming the new flag; not both', () => {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);
  assert.equal(durationFlagValue({ 'hang-ms': '20000' }, 'hang', { old: 'hang-ms', zero: true, warn }), 20_000);
  assert.deepEqual(warnings, ['--hang-ms is deprecated and will be removed: write --hang 20s']);
  assert.equal(durationFlagValue({ hang: '20s' }, 'hang', { old: 'hang-ms', warn }), 20_000);
  assert.equal(durationFlagValue({}, 'hang', { old: 'hang-ms', warn }), undefined);
  assert.equal(warnings.length, 1);
  assert.deepEqual(durationRangeFlagValue({ 'install-ms': '500-3000' }, 'install-time', { old: 'install-ms', warn }), {
    min: 500,
    max: 3_000,
  });
  assert.equal(warnings[1], '--install-ms is deprecated and will be removed: write --install-time 500ms-3s');
  assert.throws(
    () => durationFlagValue({ hang: '1s', 'hang-ms': '1000' }, 'hang', { old: 'hang-ms', warn }),
    usage(/--hang and --hang-ms: give one of them/),
  );
  assert.throws(
    () => durationFlagValue({ 'hang-ms': '20s' }, 'hang', { old: 'hang-ms', warn }),
    usage(/--hang-ms "20s": expected whole milliseconds; better, write --hang with a unit/),
  );
});

void test('install limit flags: durations with a unit, sizes, counts; the old names still work', () => {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);
  assert.deepEqual(
    parseInstallLimitFlags(
      { 'max-download-bytes': '1GiB', 'max-entries': '10', 'install-deadline': '0', 'download-idle-timeout': '2m' },
      warn,
    ),
    { maxDownloadBytes: 1024 ** 3, maxEntries: 10, deadlineMs: 0, idleTimeoutMs: 120_000 },
  );
  assert.deepEqual(parseInstallLimitFlags({ 'install-deadline-ms': '0' }, warn), { deadlineMs: 0 });
  assert.deepEqual(parseInstallLimitFlags({ 'download-idle-timeout-ms': '400' }, warn), { idleTimeoutMs: 400 });
  assert.equal(warnings.length, 2);
  assert.throws(
    () => parseInstallLimitFlags({ 'max-extracted-bytes': 'lots' }),
    usage(/--max-extracted-bytes "lots": expected a positive size such as 68719476736 or 64GiB/),
  );
  assert.throws(
    () => parseInstallLimitFlags({ 'max-entries': '0' }),
    usage(/--max-entries "0": expected a whole number of at least 1/),
  );
  assert.throws(
    () => parseInstallLimitFlags({ 'download-idle-timeout': '0' }),
    usage(/--download-idle-timeout: "0" is not a positive duration/),
  );
  assert.throws(
    () => parseInstallLimitFlags({ 'download-idle-timeout-ms': '0' }, warn),
    usage(/--download-idle-timeout-ms: "0ms" is not a positive duration/),
  );
  assert.throws(
    () => parseInstallLimitFlags({ 'install-deadline': '600' }),
    usage(/--install-deadline: "600" has no unit/),
  );
});

void test('simulation flags: validated with the flag named in the error', () => {
  const knobs = parseSimulationFlags({
    backend: ['llama-cpp@v1.2.3', 'vllm@0.9'],
    'install-time': '500ms-3s',
    replicas: '2',
    'crash-at': 'extracting',
    hang: '20s',
    'crash-downtime': '1.5s',
  });
  assert.deepEqual(knobs.node.otherBackends, [{ name: 'vllm', version: '0.9' }]);
  assert.equal(knobs.node.replicas, 2);
  assert.equal(knobs.node.installMs, '500-3000');
  assert.equal(knobs.node.crashRestartMs, 1_500);
  assert.equal(knobs.hangMs, 20_000);
  const old = parseSimulationFlags(
    { backend: ['x@1'], 'install-ms': '500-3000', 'hang-ms': '20000', 'crash-restart-ms': '1500' },
    () => undefined,
  );
  assert.deepEqual([old.node.installMs, old.hangMs, old.node.crashRestartMs], ['500-3000', 20_000, 1_500]);
  assert.throws(() => parseSimulationFlags({}), usage(/--backend is required/));
  assert.throws(
    () => parseSimulationFlags({ backend: ['x@1'], 'fail-rate': '2' }),
    usage(/--fail-rate "2": at most 1/),
  );
  assert.throws(
    () => parseSimulationFlags({ backend: ['x@1'], 'crash-at': 'later' }),
    usage(/--crash-at "later".*resolving, downloading/),
  );
  assert.throws(() => parseSimulationFlags({ backend: ['x@1'], replicas: 'two' }), usage(/--replicas "two"/));
  assert.equal(parseSimulationFlags({ backend: ['x@1'], 'fail-start': 'v2.*' }).failStart, 'v2.*');
  assert.throws(() => parseSimulationFlags({ backend: ['x@1'], 'fail-start': '' }), usage(/--fail-start "": empty/));
  assert.throws(() => parseSimulationFlags({ backend: ['x@1'], hang: '20000' }), usage(/--hang: "20000" has no unit/));
  assert.throws(
    () => parseSimulationFlags({ backend: ['x@1'], 'install-time': '500-3000' }),
    usage(/--install-time: "500" has no unit/),
  );
  assert.deepEqual(['a,b', ' c '].flatMap(listFlag), ['a', 'b', 'c'], 'repeated, comma-separated id lists');
});
