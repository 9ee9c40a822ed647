/** A rollout drains only through the frontend it names: a worker started with another one refuses, naming both. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { checkSameFrontend } from '../../src/activities/frontend.js';
import { createFrontendClient } from '../../src/frontend/index.js';

const client = createFrontendClient({ url: 'http://localai:8080' });

void test('the same frontend, with or without a trailing slash, or none named, is accepted', () => {
  assert.doesNotThrow(() => checkSameFrontend(client, 'http://localai:8080'));
  assert.doesNotThrow(() => checkSameFrontend(client, 'http://localai:8080/'));
  assert.doesNotThrow(() => checkSameFrontend(client, undefined));
});

void test('another frontend is refused for good, naming both URLs and the flag that fixes it', () => {
  assert.throws(
    () => checkSameFrontend(client, 'http://other:8080'),
    (err: unknown) =>
      err instanceof ApplicationFailure &&
      err.nonRetryable &&
      err.type === 'FrontendRefused' &&
      err.message.includes('http://other:8080') &&
      err.message.includes('--localai-url http://localai:8080') &&
      err.message.includes('start the worker with --localai-url http://other:8080'),
  );
});
