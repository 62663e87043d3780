{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    The start of index.html: the session header and the summary table. The Content Security
    Policy allows no network access at all and only the one script of report_foot.html.tpl, by
    its hash (tests/cli/report_test.py checks that the hash matches). }}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-gwA7ugN+tjeHEj4PnlqJwdcmvrfBBUxZZiXca1GJLGk='">
<meta name="generator" content="perfcheck {{GENERATOR_VERSION}}">
<title>perfcheck: {{COUNTS}}</title>
<style>
:root { --fg: #1d2329; --muted: #5f6b76; --line: #d9dee3; --bg-alt: #f5f7f9;
  --failed: #b71c1c; --regressed: #c2410c; --error: #6d28d9; --inconclusive: #8a6d00;
  --improved: #1b5e20; --passed: #2e6b30; --notrun: #6b7280; --expected: #4b5563; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 1.2rem 1.5rem 3rem; color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 .4rem; }
h2 { font-size: 1.15rem; margin: 0 0 .4rem; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; }
header { border-bottom: 1px solid var(--line); padding-bottom: .8rem; margin-bottom: 1rem; }
.session { display: flex; flex-wrap: wrap; gap: .2rem 1.6rem; margin: .5rem 0 0; }
.session div { display: flex; gap: .4rem; }
.session dt { color: var(--muted); }
.session dd { margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: .4rem; margin: .3rem 0; }
.badge { display: inline-block; border-radius: 3px; padding: 0 .45rem; color: #fff; font-weight: 600;
  font-size: .85em; white-space: nowrap; background: var(--notrun); }
.v-failed .badge, .badge.v-failed { background: var(--failed); }
.v-regressed .badge, .badge.v-regressed { background: var(--regressed); }
.v-error .badge, .badge.v-error { background: var(--error); }
.v-inconclusive .badge, .badge.v-inconclusive { background: var(--inconclusive); }
.v-improved .badge, .badge.v-improved { background: var(--improved); }
.v-expected .badge, .badge.v-expected { background: var(--expected); }
.v-passed .badge, .badge.v-passed, .v-pass .badge, .badge.v-pass { background: var(--passed); }
.note { background: #fff8e1; border: 1px solid #f0d58c; padding: .4rem .7rem; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " \25B2"; font-size: .7em; }
table.sortable th[aria-sort="descending"]::after { content: " \25BC"; font-size: .7em; }
tbody tr:nth-child(even) { background: var(--bg-alt); }
td.num { white-space: nowrap; }
.worse { color: var(--failed); font-weight: 600; }
.better { color: var(--improved); font-weight: 600; }
small, .muted { color: var(--muted); }
.name { overflow-wrap: break-word; word-break: break-word; }
td a.name { display: inline-block; min-width: 9rem; }
section.test { border-top: 1px solid var(--line); padding-top: 1rem; margin-top: 1.4rem; }
section.test h2 { display: flex; gap: .6rem; align-items: baseline; }
.facts { margin: .2rem 0 .6rem; }
ul.reasons li { color: var(--failed); }
ul.warnings li { color: var(--inconclusive); }
ul.changes { margin: .2rem 0 .6rem; }
table.thresholds { width: auto; margin: .4rem 0 .8rem; }
table.thresholds td.bad { color: var(--failed); font-weight: 600; }
table.thresholds td.good { color: var(--passed); }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.chart { margin: 0; flex: 1 1 340px; max-width: 480px; }
figure.chart-trend { flex-basis: 100%; max-width: 100%; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .85em; margin-top: .2rem; }
.chart-missing { border: 1px dashed #b0b8c0; background: var(--bg-alt); color: var(--muted);
  padding: 2.5rem 1rem; text-align: center; }
/* gnuplot's repeated presentation attributes, as classes (reports/svg_compaction.cpp) */
.ga { fill: none; color: black; stroke: currentColor; }
.gg { fill: none; color: gray; stroke: currentColor; }
.te, .tm, .t9 { stroke: none; fill: rgb(51,51,51); font-family: sans; font-size: 10px; text-anchor: end; }
.tm { text-anchor: middle; }
.t9 { font-size: 9px; }
.gridline { stroke: rgb(230,230,230); stroke-dasharray: 2,4; }
.sa { stroke: rgb(102,102,102); }
.sb { stroke: rgb(31,78,140); }
.cb { color: rgb(31,78,140); }
.cg { color: rgb(138,138,138); }
.sc { stroke: none; shape-rendering: crispEdges; }
.tips circle { fill: #1f4e8c; fill-opacity: .55; r: 2.2px; }
.tips circle.cur { fill: #c2410c; fill-opacity: 1; r: 4px; }
.tips circle.med, .tips circle.peak { fill: #c2410c; fill-opacity: .9; r: 3.5px; }
.tips circle:hover { fill-opacity: 1; r: 5px; }
.empty { color: var(--muted); font-size: 1.05rem; padding: 1.5rem 0; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  table.sortable th::after { content: none !important; }
  section.test { break-inside: avoid; page-break-inside: avoid; }
  figure.chart { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .tips circle:hover { r: 2.2px; }
}
</style>
</head>
<body>
<header>
<h1>Performance report</h1>
<p class="counts">{{#COUNT}}<span class="badge v-{{CLASS}}">{{N}} {{WORD}}</span>{{/COUNT}}{{#NO_COUNT}}<span class="muted">no tests</span>{{/NO_COUNT}}</p>
<dl class="session">
<div><dt>Session</dt><dd class="mono">{{SESSION_ID}}</dd></div>
<div><dt>Commit</dt><dd class="mono">{{COMMIT}}</dd></div>
<div><dt>Branch</dt><dd>{{BRANCH}}</dd></div>
<div><dt>Machine</dt><dd>{{MACHINE}}</dd></div>
<div><dt>Date</dt><dd>{{DATE}}</dd></div>
<div><dt>perfcheck</dt><dd>{{PERFCHECK_VERSION}}</dd></div>
</dl>
{{#CHART_NOTE}}<p class="note" role="note">{{TEXT}}</p>{{/CHART_NOTE}}
</header>
<main>
<section id="summary">
<h2>Summary</h2>
{{#EMPTY}}<p class="empty">The history holds no results for this session yet. Run <code>ctest -L perf</code> to record some.</p>{{/EMPTY}}
{{#TABLE}}<table class="sortable">
<thead><tr><th data-type="num" aria-sort="ascending">Verdict</th><th>Test</th><th data-type="num">Headline</th><th data-type="num">Change vs baseline</th><th>Trend</th><th data-type="num">Thresholds</th><th data-type="num">Warnings</th></tr></thead>
<tbody>
{{#ROW}}<tr class="v-{{CLASS}}">
<td data-sort="{{SEVERITY}}"><span class="badge">{{VERDICT}}</span></td>
<td><a class="name" href="#{{ANCHOR}}">{{NAME}}</a></td>
<td class="num" data-sort="{{VALUE}}">{{#HEADLINE}}<small>{{LABEL}}</small> {{TEXT}}{{/HEADLINE}}</td>
<td class="num" data-sort="{{CHANGE}}">{{#DELTA}}<span class="{{CLASS}}">{{TEXT}}</span><br><small>{{INTERVAL}}</small>{{/DELTA}}{{#NO_DELTA}}<small>no baseline</small>{{/NO_DELTA}}</td>
<td>{{#SINCE}}<span class="{{CLASS}}">{{TEXT}}</span>{{#SINCE_separator}}<br>{{/SINCE_separator}}{{/SINCE}}</td>
<td data-sort="{{THRESHOLDS_FAILED}}">{{#THRESHOLDS}}<span class="{{CLASS}}">{{TEXT}}</span>{{/THRESHOLDS}}</td>
<td data-sort="{{WARNING_COUNT}}">{{#WARNINGS}}<span title="{{ALL}}">{{COUNT}}: {{FIRST}}</span>{{/WARNINGS}}</td>
</tr>
{{/ROW}}</tbody>
</table>{{/TABLE}}
{{#MACHINES}}<h3 id="machines">Per machine</h3>
<p class="muted">The newest result of each test on {{SCOPE}} (machine fingerprint), in the test's headline statistic; each test's trend draws one line per machine.</p>
<table class="sortable machines">
<thead><tr><th>Test</th><th>Machine</th><th data-type="num">Results</th><th data-type="num">Latest</th><th>Date</th></tr></thead>
<tbody>
{{#LINE}}<tr>
<td><a class="name" href="#{{ANCHOR}}">{{NAME}}</a></td>
<td class="mono">{{MACHINE}}{{#OWN}} <small>(this session's)</small>{{/OWN}}</td>
<td class="num" data-sort="{{RESULTS}}">{{RESULTS}}</td>
<td class="num" data-sort="{{VALUE}}"><small>{{LABEL}}</small> {{LATEST}}</td>
<td>{{DATE}}</td>
</tr>
{{/LINE}}</tbody>
</table>{{/MACHINES}}
</section>
