{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    The start of one test of index.html, up to its charts. Each chart follows as
    chart_start.html.tpl, the SVG (gnuplot's, after reports/svg_sanitizer.cpp, with the tooltips
    of chart_overlay.svg.tpl), chart_end.html.tpl; report_test_end.html.tpl closes the test. }}<section class="test v-{{CLASS}}" id="{{ANCHOR}}">
<h2><span class="badge">{{VERDICT}}</span> <span class="name">{{NAME}}</span></h2>
<p class="facts">{{#HEADLINE}}{{LABEL}} <b>{{TEXT}}</b>{{/HEADLINE}}{{#DELTA}} · <span class="{{CLASS}}">{{TEXT}}</span> vs baseline{{#BASE}} {{VALUE}}{{/BASE}} ({{INTERVAL}}){{/DELTA}}{{#RUN}} · commit <code>{{COMMIT}}</code> · {{DATE}} · {{RUNS}} runs{{/RUN}}{{#NOT_RUN}}did not run in this session{{/NOT_RUN}} · {{RESULTS}} results in the history</p>
{{#REASONS}}<ul class="reasons">{{#REASON}}<li>{{TEXT}}</li>{{/REASON}}</ul>{{/REASONS}}
{{#WARNINGS}}<ul class="warnings">{{#WARNING}}<li>{{TEXT}}</li>{{/WARNING}}</ul>{{/WARNINGS}}
{{#CHANGES}}<ul class="changes">{{#CHANGE}}<li><span class="{{CLASS}}">{{WORD}} {{TEXT}}</span> since <code>{{COMMIT}}</code> ({{DATE}}): {{BEFORE}} → {{AFTER}}</li>{{/CHANGE}}{{#MORE}}<li class="muted">and {{N}} earlier change points on the chart</li>{{/MORE}}</ul>{{/CHANGES}}
{{#TREND}}<p class="trend {{CLASS}}">Soak trend {{#AT}}at <code>{{LEVEL}}</code>: {{/AT}}{{TEXT}}</p>{{/TREND}}
{{#SERVER}}<p class="server">{{TEXT}}</p>{{/SERVER}}
{{#METADATA}}<dl class="metadata">{{#ITEM}}<dt>{{KEY}}</dt><dd>{{VALUE}}</dd>{{/ITEM}}</dl>{{/METADATA}}
{{#REPORTED}}<table class="reported"><thead><tr><th>Reported metric</th><th>Median</th><th>p95</th><th>Values</th></tr></thead><tbody>{{#METRIC}}<tr><td><code>{{NAME}}</code></td><td>{{MEDIAN}}</td><td>{{P95}}</td><td>{{N}}</td></tr>{{/METRIC}}</tbody></table>{{/REPORTED}}
{{#THRESHOLDS}}<table class="thresholds"><thead><tr><th>Threshold</th><th>Measured</th><th>Outcome</th></tr></thead><tbody>{{#THRESHOLD}}<tr><td><code>{{EXPR}}</code></td><td>{{VALUE}}</td><td class="{{CLASS}}">{{OUTCOME}}</td></tr>{{/THRESHOLD}}</tbody></table>{{/THRESHOLDS}}{{#LEVELS}}<table class="thresholds levels"><thead><tr><th>Level</th><th>Runs</th><th>{{METRIC}} median (95% CI)</th>{{#COLUMN}}<th><code>{{NAME}}</code> median (p95)</th>{{/COLUMN}}<th>Thresholds</th></tr></thead><tbody>{{#LEVEL}}<tr><td><code>{{LEVEL}}</code></td><td>{{RUNS}}</td><td>{{MEDIAN}}</td>{{#CELL}}<td>{{TEXT}}</td>{{/CELL}}<td class="{{CLASS}}">{{THRESHOLDS}}</td></tr>{{/LEVEL}}</tbody></table>{{/LEVELS}}
<div class="charts">
{{#NO_CHART}}<p class="muted">No chart: this test has no stored figures to draw.</p>{{/NO_CHART}}
