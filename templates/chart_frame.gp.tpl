{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Included by every chart: the svg terminal, the output file and a fixed plot area, so that
    reports/charts.cpp can place tooltips on the points. Every value passes x-gp (a whitelist
    without quotes or backticks). }}reset
set terminal svg size {{WIDTH:x-gp}},{{HEIGHT:x-gp}} dynamic font "sans,10" background "#ffffff"
set output '{{SVG_FILE:x-gp}}'
set termoption noenhanced
set encoding utf8
set datafile separator "\t"
set lmargin at screen {{LEFT:x-gp}}
set rmargin at screen {{RIGHT:x-gp}}
set bmargin at screen {{BOTTOM:x-gp}}
set tmargin at screen {{TOP:x-gp}}
set xrange [{{XLO:x-gp}}:{{XHI:x-gp}}]
set yrange [{{YLO:x-gp}}:{{YHI:x-gp}}]
set border 3 lc rgb "#666666"
set tics nomirror out scale 0.6 textcolor rgb "#333333"
set grid ytics lc rgb "#e6e6e6" lw 1 dt 1
set key at screen {{LEFT:x-gp}}, 0.995 left top horizontal samplen 1.5 spacing 1 font ",9" textcolor rgb "#333333"
