{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Trend of a test's headline statistic over its history: bands, the line, thresholds, the
    baseline, change points and segment means, all from one data file: index 0 holds x and the
    line (only the results the chart draws), index BANDS x, inner band low/high, outer band
    low/high (at most 100 rows, see reports/chart_trend.cpp); the other data sets are numbered
    there too. A threshold outside the y range is written
    at the edge it lies beyond, with its value. }}{{>FRAME}}
set ylabel '{{Y_LABEL:x-gp}}' textcolor rgb "#333333"
{{#LIMIT_ABOVE}}set label 'threshold {{VALUES:x-gp}} ↑' at graph 1, graph 1 right offset character -0.5, character -0.8 front textcolor rgb "#c62828" font ",9"
{{/LIMIT_ABOVE}}{{#LIMIT_BELOW}}set label 'threshold {{VALUES:x-gp}} ↓' at graph 1, graph 0 right offset character -0.5, character 0.7 front textcolor rgb "#c62828" font ",9"
{{/LIMIT_BELOW}}plot '{{DATA:x-gp}}' index {{BANDS:x-gp}} using 1:4:5 with filledcurves lc rgb "#dbe7f5" title '{{OUTER_TITLE:x-gp}}', \
     '' index {{BANDS:x-gp}} using 1:2:3 with filledcurves lc rgb "#a8c5e8" title '{{INNER_TITLE:x-gp}}', \
     '' index 0 using 1:2 with lines lw 1.5 lc rgb "#1f4e8c" title '{{LINE_TITLE:x-gp}}'{{#LIMITS}}, \
     '' index {{INDEX:x-gp}} using 1:2 with lines dt 2 lw 1.5 lc rgb "#c62828" title 'threshold'{{/LIMITS}}{{#BASELINE}}, \
     '' index {{INDEX:x-gp}} using 1:2 with lines dt 3 lw 2 lc rgb "#2e7d32" title 'baseline'{{/BASELINE}}{{#CHANGES}}, \
     '' index {{CP_INDEX:x-gp}} using 1:2 with lines dt 4 lw 1 lc rgb "#777777" title 'change point', \
     '' index {{SEG_INDEX:x-gp}} using 1:2 with lines lw 2 lc rgb "#ef6c00" title 'segment mean'{{/CHANGES}}, \
     '' index {{TICS:x-gp}} using 1:(NaN):xticlabels(2) notitle
unset output
