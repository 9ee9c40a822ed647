/** The dashboard's guard as a pure function of the request: token, loopback Host, control header, origin. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { checkRequest, cookies, hostOf, presentedToken, sameSecret, TOKEN_COOKIE } from '../../src/dashboard/guard.js';

function request(method: string, headers: Record<string, string>): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}

const TOKEN = 'secret-token-42';

void test('without a token: loopback Host headers only', () => {
  assert.equal(checkRequest(request('GET', { host: '127.0.0.1:8080' }), undefined).ok, true);
  assert.equal(checkRequest(request('GET', { host: 'localhost:8080' }), undefined).ok, true);
  assert.equal(checkRequest(request('GET', { host: '[::1]:8080' }), undefined).ok, true);
  const rebound = checkRequest(request('GET', { host: 'attacker.example' }), undefined);
  assert.deepEqual(rebound.ok ? undefined : rebound.status, 403);
});

void test('with a token: every request presents it, as a bearer token or the cookie', () => {
  const host = { host: 'fleet.internal:8080' };
  const denied = checkRequest(request('GET', host), TOKEN);
  assert.equal(denied.ok ? 0 : denied.status, 401);
  assert.equal(checkRequest(request('GET', { ...host, authorization: 'Bearer nope' }), TOKEN).ok, false);
  assert.equal(checkRequest(request('GET', { ...host, authorization: `Bearer ${TOKEN}` }), TOKEN).ok, true);
  assert.equal(checkRequest(request('GET', { ...host, cookie: `a=b; ${TOKEN_COOKIE}=${TOKEN}` }), TOKEN).ok, true);
  assert.equal(checkRequest(request('GET', { ...host, cookie: `${TOKEN_COOKIE}=${TOKEN}x` }), TOKEN).ok, false);
});

void test('controls need the control header and, when sent, a same-origin Origin', () => {
  const base = { host: '127.0.0.1:8080' };
  const noHeader = checkRequest(request('POST', base), undefined);
  assert.equal(noHeader.ok ? 0 : noHeader.status, 403);
  const control = { ...base, 'x-fleet-rollout-control': '1' };
  assert.equal(checkRequest(request('POST', control), undefined).ok, true);
  assert.equal(checkRequest(request('POST', { ...control, origin: 'http://127.0.0.1:8080' }), undefined).ok, true);
  assert.equal(checkRequest(request('POST', { ...control, origin: 'http://evil.example' }), undefined).ok, false);
  assert.equal(checkRequest(request('POST', { ...control, origin: 'http://127.0.0.1:9999' }), undefined).ok, false);
});

void test('helpers: constant-time comparison, cookies, hosts', () => {
  assert.ok(sameSecret('abc', 'abc'));
  assert.ok(!sameSecret('abc', 'abd') && !sameSecret('abc', 'abcd'));
  assert.deepEqual(cookies('a=1; b = two%20words; bad; c=%E0%A4%A'), { a: '1', b: 'two words' });
  assert.equal(hostOf('[::1]:8080'), '::1');
  assert.equal(hostOf('example.com:80'), 'example.com');
  assert.equal(presentedToken(request('GET', { authorization: 'bearer  xyz ' })), 'xyz');
});
