{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Tooltips over a gnuplot chart. Each titled point is a circle with its <title>. The others
    are data-p, records "x y key tail rest" joined by "|" (key, tail: the numbers of the
    tooltip's start and end in the page's key list, #tip-keys), from which the page's script (report_foot.html.tpl) makes
    their circles and titles: a few bytes a point instead of a hundred. }}<g class="tips"{{#DATA}} data-p="{{POINTS}}"{{/DATA}}>{{#POINT}}<circle cx="{{X}}" cy="{{Y}}"{{#CSS}} class="{{CLASS}}"{{/CSS}}><title>{{TIP}}</title></circle>{{/POINT}}</g>
