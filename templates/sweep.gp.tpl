{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    A sweep's headline statistic against its numeric parameter. Data set 0: x (the value, or
    its log10 on a log axis), value, low, high, tic label (the value); data set INDEX: threshold
    lines; FIT (one per complexity gate): the fitted curve, x and fitted value; BREAK (one per
    breaking point): a vertical line at the level found, two points, labelled at its top (on its
    left when it is right of the middle). }}{{>FRAME}}
{{#BREAK}}set label '{{TITLE:x-gp}}' at {{X:x-gp}}, graph 0.96 {{SIDE:x-gp}} offset character {{SHIFT:x-gp}}, 0 front textcolor rgb "#6a1b9a" font ",8"
{{/BREAK}}set ylabel '{{Y_LABEL:x-gp}}' textcolor rgb "#333333"
set xlabel '{{X_LABEL:x-gp}}' offset 0, 0.6 textcolor rgb "#333333"
plot {{#BAND}}'{{DATA:x-gp}}' index 0 using 1:3:4 with filledcurves lc rgb "#a8c5e8" title '95% CI', \
     {{/BAND}}'{{DATA:x-gp}}' index 0 using 1:2:xticlabels(5) with linespoints pt 7 ps 0.6 lw 1.5 lc rgb "#1f4e8c" title '{{LINE_TITLE:x-gp}}'{{#LIMITS}}, \
     '' index {{INDEX:x-gp}} using 1:2 with lines dt 2 lw 1.5 lc rgb "#c62828" title 'threshold'{{/LIMITS}}{{#FIT}}, \
     '' index {{INDEX:x-gp}} using 1:2 with lines dt 4 lw 2 lc rgb "#ef6c00" title '{{TITLE:x-gp}}'{{/FIT}}{{#BREAK}}, \
     '' index {{INDEX:x-gp}} using 1:2 with lines dt 3 lw 2 lc rgb "#6a1b9a" notitle{{/BREAK}}
unset output
