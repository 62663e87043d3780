{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Tooltips over a gnuplot chart: one circle per point with its <title>. }}<g class="tips">{{#POINT}}<circle cx="{{X}}" cy="{{Y}}" class="{{CLASS}}"><title>{{TIP}}</title></circle>{{/POINT}}</g>
