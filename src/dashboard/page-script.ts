/**
 * The dashboard page's script, as plain browser JavaScript (no build step): the list of rollouts,
 * or one rollout live from server-sent events, rendered with DOM calls and `textContent` only.
 * Controls POST with the control header and the same-origin cookie. What the rollout waits for
 * and its ETA come from `page-wait.ts`, embedded as source.
 */
import { FINAL_PHASES } from '../domain/rollout-phase.js';
import { etaCell, waitingCell } from './page-wait.js';

export const PAGE_SCRIPT = String.raw`
'use strict';
const STATES = ['pending', 'upgrading', 'verifying', 'starting', 'restoring', 'soaking', 'succeeded', 'up-to-date', 'failed', 'skipped', 'unknown'];
${waitingCell.toString()}
${etaCell.toString()}
const FINAL = ${JSON.stringify(FINAL_PHASES)};
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
const path = location.pathname.split('/').filter(Boolean);
const backendName = path[0] === 'rollouts' && path[1] ? decodeURIComponent(path[1]) : null;
let selected = null;
let latest = null;

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const s = Math.round(ms / 1000);
  return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
}

async function showList() {
  $('list-view').hidden = false;
  const res = await fetch('/api/rollouts');
  const body = await res.json();
  const rows = $('runs');
  rows.replaceChildren();
  if (!res.ok) { rows.append(el('tr', '', body.error)); return; }
  if (body.length === 0) { const tr = el('tr'); tr.append(el('td', '', 'no rollouts yet')); rows.append(tr); }
  for (const run of body) {
    const tr = el('tr');
    const link = el('a', '', run.backend);
    link.href = '/rollouts/' + encodeURIComponent(run.backend);
    const first = el('td'); first.append(link); tr.append(first);
    tr.append(el('td', '', run.phase ?? run.execution), el('td', '', (run.progressPct ?? 0) + '%'),
      el('td', '', String(run.failedNodes ?? 0)), el('td', '', new Date(run.startedAt).toLocaleString()),
      el('td', '', run.requestedBy ?? ''));
    rows.append(tr);
  }
}

function nodeText(n) {
  return [
    n.id + ' (' + n.zone + ', wave ' + n.wave + ')',
    'state: ' + n.state + (n.pct !== null && n.state === 'upgrading' ? ' ' + Math.round(n.pct) + '%' : ''),
    'version: ' + (n.installedBefore ?? '?') + ' → ' + (n.installedAfter ?? '…'),
    'attempts: ' + n.attempts + (n.fallback ? ' (legacy fallback)' : ''),
    'duration: ' + duration(n.durationMs),
    n.error ? 'last error: ' + n.error : '',
  ].filter(Boolean).join('\n');
}

function renderDetails() {
  const n = latest && selected ? latest.nodes.find((x) => x.id === selected) : undefined;
  $('details').hidden = !n;
  if (!n) return;
  $('details-title').textContent = n.id;
  $('details-text').textContent = nodeText(n) + (n.steps.length ? '\n\nsteps:\n' + n.steps.join('\n') : '');
}

function renderGrid(s) {
  const zones = [...new Set(s.nodes.map((n) => n.zone))].sort();
  const waves = [...new Set(s.nodes.map((n) => n.wave))].sort((a, b) => a - b);
  const head = el('tr');
  head.append(el('th', '', 'zone'));
  for (const w of waves) head.append(el('th', '', 'wave ' + w));
  $('grid-head').replaceChildren(head);
  const body = [];
  for (const zone of zones) {
    const tr = el('tr');
    tr.append(el('th', '', zone || '(no zone)'));
    for (const w of waves) {
      const td = el('td');
      const tiles = el('div', 'tiles');
      for (const n of s.nodes.filter((x) => x.zone === zone && x.wave === w)) {
        const tile = el('div', 'tile state-' + n.state + (n.id === selected ? ' selected' : ''));
        tile.dataset.nodeId = n.id;
        tile.dataset.state = n.state;
        tile.title = nodeText(n);
        tile.append(el('div', 'name', n.name || n.id));
        const pct = n.state === 'succeeded' ? 100 : n.pct === null ? 0 : Math.round(n.pct);
        tile.append(el('div', 'sub', n.state + (n.state === 'upgrading' ? ' ' + pct + '%' : '') + (n.attempts > 1 ? ' ×' + n.attempts : '') + (n.fallback ? ' · legacy' : '')));
        tile.append(el('div', 'sub', (n.installedBefore ?? '?') + ' → ' + (n.installedAfter ?? '…')));
        const bar = el('div', 'bar'); const fill = el('span'); fill.style.width = pct + '%'; bar.append(fill); tile.append(bar);
        tile.addEventListener('click', () => { selected = n.id; render(latest); });
        tiles.append(tile);
      }
      td.append(tiles);
      tr.append(td);
    }
    body.push(tr);
  }
  $('grid-body').replaceChildren(...body);
}

function render(s) {
  latest = s;
  $('title').textContent = s.backend;
  document.title = s.backend + ': ' + s.phase + ' · fleet-rollout';
  $('phase').textContent = s.phase;
  $('card-phase').className = 'card phase-' + s.phase;
  $('waiting').textContent = waitingCell(s);
  $('progress').textContent = s.progressPct + '% (' + s.counts.succeeded + '/' + s.counts.total + ')';
  $('progress-bar').style.width = s.progressPct + '%';
  $('replicas').textContent = s.replicas.down + ' / ' + s.replicas.budget;
  $('failures').textContent = s.counts.failed + ' / ' + s.allowedFailures;
  $('wave').textContent = s.wave.current + ' / ' + s.wave.total;
  $('eta').textContent = etaCell(s);
  $('message').textContent = s.message;
  if (s.webUrl) { $('web-ui').href = s.webUrl; $('web-ui').hidden = false; }
  const ended = FINAL.includes(s.phase);
  $('pause').disabled = ended || s.phase === 'paused';
  $('resume').disabled = ended || !(s.phase === 'paused' || s.phase === 'halted');
  $('promote').disabled = ended || s.waiting !== 'canary-gate';
  $('abort').disabled = ended;
  renderGrid(s);
  renderDetails();
}

async function control(name) {
  const backend = backendName;
  const reason = $('reason').value.trim();
  $('notice').textContent = name + '…';
  try {
    const res = await fetch('/api/rollouts/' + encodeURIComponent(backend) + '/' + name, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fleet-rollout-control': '1' },
      body: JSON.stringify(reason ? { reason } : {}),
    });
    const body = await res.json();
    if (!res.ok) { $('notice').textContent = body.error; return; }
    $('notice').textContent = name + ': done';
    render(body);
  } catch (err) {
    $('notice').textContent = name + ' failed: ' + err.message;
  }
}

function showRollout(backend) {
  $('rollout-view').hidden = false;
  const legend = $('legend');
  for (const st of STATES) { const item = el('span'); const sw = el('i', 'state-' + st); item.append(sw, st); legend.append(item); }
  for (const name of ['pause', 'resume', 'promote', 'abort']) $(name).addEventListener('click', () => void control(name));
  const source = new EventSource('/api/rollouts/' + encodeURIComponent(backend) + '/events');
  source.addEventListener('status', (e) => { $('notice').textContent = ''; render(JSON.parse(e.data)); });
  source.addEventListener('problem', (e) => { $('notice').textContent = JSON.parse(e.data).message; });
}

if (backendName !== null) showRollout(backendName);
else void showList();
`;
