/**
 * The dashboard's single HTML page: markup and style here, behaviour in `page-script.ts`. No
 * build step, no external resources. Everything that comes from nodes or operators is put in
 * the page with `textContent`, never as HTML.
 */
import { PAGE_SCRIPT } from './page-script.js';

const STYLE = `
:root { --bg:#0f1419; --panel:#182029; --text:#e6e9ee; --dim:#8b96a3; --line:#2a3440;
  --pending:#4b5563; --upgrading:#2f80ed; --verifying:#8e6bdf; --soaking:#14b8a6; --succeeded:#22a559;
  --failed:#e5484d; --skipped:#a3a3a3; --unknown:#f5a524; --starting:#3fa7d6; --restoring:#0ea5a0; --up-to-date:#5b8c5a; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--text); }
header { padding:12px 20px; border-bottom:1px solid var(--line); display:flex; gap:16px; align-items:baseline; }
header h1 { font-size:18px; margin:0; } header a { color:var(--dim); text-decoration:none; }
main { padding:16px 20px; }
.summary { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:10px; margin-bottom:14px; }
.card { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:8px 10px; }
.card .label { color:var(--dim); font-size:12px; } .card .value { font-size:18px; font-weight:600; }
.phase-running .value, .phase-succeeded .value { color:var(--succeeded); }
.phase-paused .value, .phase-halted .value { color:var(--unknown); }
.phase-failed .value, .phase-aborted .value { color:var(--failed); }
.message { margin:0 0 12px; color:var(--dim); }
.bar { height:6px; background:var(--line); border-radius:3px; overflow:hidden; }
.bar > span { display:block; height:100%; background:var(--succeeded); }
.controls { display:flex; gap:8px; align-items:center; margin:12px 0; flex-wrap:wrap; }
button { background:var(--panel); color:var(--text); border:1px solid var(--line); border-radius:5px; padding:6px 14px; cursor:pointer; }
button:hover:not(:disabled) { border-color:var(--upgrading); } button:disabled { opacity:.4; cursor:default; }
button.danger { border-color:#6b2a2c; }
input { background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:5px; padding:6px 8px; width:260px; }
.notice { color:var(--unknown); min-height:1.4em; }
table.grid { border-collapse:collapse; width:100%; }
table.grid th { color:var(--dim); font-weight:500; text-align:left; padding:6px; border-bottom:1px solid var(--line); }
table.grid td { vertical-align:top; padding:6px; border-bottom:1px solid var(--line); }
.tiles { display:flex; flex-wrap:wrap; gap:6px; }
.tile { width:150px; border-radius:6px; padding:6px 8px; background:var(--pending); cursor:pointer; border:2px solid transparent; }
.tile.selected { border-color:var(--text); }
.tile .name { font-weight:600; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.tile .sub { font-size:12px; opacity:.9; } .tile .bar { background:rgba(0,0,0,.25); margin-top:4px; }
.tile .bar > span { background:rgba(255,255,255,.85); }
.state-pending { background:var(--pending); } .state-upgrading { background:var(--upgrading); } .state-verifying { background:var(--verifying); }
.state-soaking { background:var(--soaking); } .state-succeeded { background:var(--succeeded); }
.state-failed { background:var(--failed); } .state-skipped { background:var(--skipped); color:#111; }
.state-unknown { background:var(--unknown); color:#111; } .state-starting { background:var(--starting); }
.state-restoring { background:var(--restoring); } .state-up-to-date { background:var(--up-to-date); }
.legend { display:flex; gap:12px; flex-wrap:wrap; color:var(--dim); font-size:12px; margin:8px 0; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:middle; }
.details { margin-top:14px; } .details pre { white-space:pre-wrap; color:var(--dim); margin:4px 0 0; }
.list a { color:var(--text); } .list td, .list th { padding:6px 10px; text-align:left; border-bottom:1px solid var(--line); }
`;

/** The page (the same for the list and a rollout; the script reads the path). */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fleet-rollout</title><style>${STYLE}</style></head>
<body>
<header><h1>fleet-rollout</h1><a href="/">all rollouts</a><span id="title"></span><a id="web-ui" hidden>Temporal Web UI</a></header>
<main>
<section id="list-view" hidden><table class="list"><thead><tr><th>backend</th><th>phase</th><th>progress</th><th>failed</th><th>started</th><th>requested by</th></tr></thead><tbody id="runs"></tbody></table></section>
<section id="rollout-view" hidden>
  <div class="summary">
    <div class="card" id="card-phase"><div class="label">phase</div><div class="value" id="phase">…</div></div>
    <div class="card"><div class="label">waiting for</div><div class="value" id="waiting">–</div></div>
    <div class="card"><div class="label">progress</div><div class="value" id="progress">–</div><div class="bar"><span id="progress-bar" style="width:0"></span></div></div>
    <div class="card"><div class="label">replicas down / budget</div><div class="value" id="replicas">–</div></div>
    <div class="card"><div class="label">failures / allowed</div><div class="value" id="failures">–</div></div>
    <div class="card"><div class="label">wave</div><div class="value" id="wave">–</div></div>
    <div class="card"><div class="label">ETA</div><div class="value" id="eta">–</div></div>
  </div>
  <p class="message" id="message"></p>
  <div class="controls">
    <button id="pause">Pause</button><button id="resume">Resume</button><button id="promote">Promote</button>
    <input id="reason" placeholder="reason (kept in the history)" maxlength="500">
    <button id="abort" class="danger">Abort</button>
    <span class="notice" id="notice"></span>
  </div>
  <div class="legend" id="legend"></div>
  <table class="grid"><thead id="grid-head"></thead><tbody id="grid-body"></tbody></table>
  <div class="details card" id="details" hidden><div class="label">node</div><div class="value" id="details-title"></div><pre id="details-text"></pre></div>
</section>
</main>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
