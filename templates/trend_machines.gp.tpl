{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Trend of a test's headline statistic per machine class (perfcheck report --machine
    all|FINGERPRINT): one line per machine fingerprint, each its own data set (INDEX: x is the
    result's position among the results of every machine by start time, see
    reports/chart_machines.cpp), titled with its short name; COLOR is six hex digits, DT a dash
    type. The baseline is the reported session's machine's. }}{{>FRAME}}
set ylabel '{{Y_LABEL:x-gp}}' textcolor rgb "#333333"
plot '{{DATA:x-gp}}' index {{TICS:x-gp}} using 1:(NaN):xticlabels(2) notitle{{#MACHINE}}, \
     '' index {{INDEX:x-gp}} using 1:2 with linespoints lw 1.5 pt 7 ps 0.45 dt {{DT:x-gp}} lc rgb "#{{COLOR:x-gp}}" title '{{NAME:x-gp}}'{{/MACHINE}}{{#BASELINE}}, \
     '' index {{INDEX:x-gp}} using 1:2 with lines dt 3 lw 2 lc rgb "#2e7d32" title 'baseline'{{/BASELINE}}
unset output
