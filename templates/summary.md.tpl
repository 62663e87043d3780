{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    summary.md: fits a pull-request comment or a CI job summary. GitHub renders the inline
    HTML, so values are HTML-escaped by auto-escaping; x-markdown first escapes Markdown's own
    punctuation in free text (names, reasons). }}## perfcheck: {{COUNTS}}

{{#SESSION}}Session {{ID:x-markdown}} · commit {{COMMIT:x-markdown}}{{#BRANCH}} on {{NAME:x-markdown}}{{/BRANCH}} · {{MACHINE:x-markdown}} · {{DATE:x-markdown}}{{#REPORT}} · <a href="{{URL}}">full report</a>{{/REPORT}}
{{/SESSION}}
{{#EMPTY}}The history holds no results for this session.
{{/EMPTY}}{{#ALL_UNCHANGED}}All {{N}} tests passed, none slower.
{{/ALL_UNCHANGED}}{{#TABLE}}| Verdict | Test | Headline | Change vs baseline | Trend | Thresholds | Warnings |
| --- | --- | --- | --- | --- | --- | --- |
{{#ROW}}| {{ICON}} {{VERDICT}} | {{#LINK}}<a href="{{URL}}">{{NAME:x-markdown}}</a>{{/LINK}}{{#PLAIN}}{{NAME:x-markdown}}{{/PLAIN}} | {{HEADLINE:x-markdown}} | {{#DELTA}}**{{TEXT}}** ({{INTERVAL}}){{/DELTA}}{{#NO_DELTA}}no baseline{{/NO_DELTA}} | {{SINCE:x-markdown}} | {{THRESHOLDS:x-markdown}} | {{WARNINGS:x-markdown}} |
{{/ROW}}{{/TABLE}}{{#REASONS}}
{{#TEST}}- **{{NAME:x-markdown}}**: {{TEXT:x-markdown}}
{{/TEST}}{{/REASONS}}{{#DETAILS}}
{{#TEST}}- **{{NAME:x-markdown}}**{{#META}} · {{KEY:x-markdown}}={{VALUE:x-markdown}}{{/META}}{{#METRIC}} · {{METRIC:x-markdown}} median {{MEDIAN:x-markdown}}, p95 {{P95:x-markdown}}{{/METRIC}}{{#TREND}} · trend {{TEXT:x-markdown}}{{/TREND}}
{{/TEST}}{{/DETAILS}}{{#SERVERS}}
{{#TEST}}- **{{NAME:x-markdown}}** · {{TEXT:x-markdown}}
{{/TEST}}{{/SERVERS}}{{#PROFILE}}
#### Profile of {{NAME:x-markdown}} ({{TOOL:x-markdown}})

{{#FILE}}<a href="{{URL}}">{{LABEL:x-markdown}}</a>{{#FILE_separator}} · {{/FILE_separator}}{{/FILE}}
{{#NOT_MEASURED}}
Not profiled: {{TEXT:x-markdown}}
{{/NOT_MEASURED}}{{#WARNING}}
Warning: {{TEXT:x-markdown}}
{{/WARNING}}{{#TABLE}}
| Function | Share |{{#DIFF_HEAD}} Baseline | Growth |{{/DIFF_HEAD}}
| --- | --- |{{#DIFF_HEAD}} --- | --- |{{/DIFF_HEAD}}
{{#ROW}}| {{FUNCTION:x-markdown}} | {{SHARE}} |{{#DIFF}} {{BASELINE}} | {{GROWTH}} |{{/DIFF}}
{{/ROW}}{{/TABLE}}{{/PROFILE}}{{#UNCHANGED}}
<details><summary>{{N}} unchanged {{TESTS}}</summary>

{{#ITEM}}- {{#LINK}}<a href="{{URL}}">{{NAME:x-markdown}}</a>{{/LINK}}{{#PLAIN}}{{NAME:x-markdown}}{{/PLAIN}}: {{HEADLINE:x-markdown}}{{#DELTA}} ({{TEXT}}){{/DELTA}}
{{/ITEM}}
</details>
{{/UNCHANGED}}{{#LEVELS}}
#### {{#LINK}}<a href="{{URL}}">{{NAME:x-markdown}}</a>{{/LINK}}{{#PLAIN}}{{NAME:x-markdown}}{{/PLAIN}} per level

| Level | {{RUNS_HEAD}} | {{METRIC_HEAD:x-markdown}} |{{#COLUMN}} {{NAME:x-markdown}}{{#WHAT}} {{TEXT}}{{/WHAT}} |{{/COLUMN}} Thresholds |
| --- | --- | --- |{{#COLUMN}} --- |{{/COLUMN}} --- |
{{#LEVEL}}| {{LEVEL:x-markdown}} | {{RUNS}} | {{MEDIAN:x-markdown}} |{{#CELL}} {{TEXT:x-markdown}} |{{/CELL}} {{THRESHOLDS:x-markdown}} |
{{/LEVEL}}{{/LEVELS}}{{#MACHINES}}
#### Per machine ({{SCOPE:x-markdown}})

| Test | Machine | Results | Latest |
| --- | --- | --- | --- |{{#LINE}}
| {{#LINK}}<a href="{{URL}}">{{NAME:x-markdown}}</a>{{/LINK}}{{#PLAIN}}{{NAME:x-markdown}}{{/PLAIN}} | {{MACHINE:x-markdown}}{{#OWN}} (this session's){{/OWN}} | {{RESULTS}} | {{LATEST:x-markdown}}{{#DATE}} ({{TEXT:x-markdown}}){{/DATE}} |{{/LINE}}{{/MACHINES}}
