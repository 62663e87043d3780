{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    The server under test during the current result's runs, sample by sample (the samples carry
    no times). Data set 0: sample number, server RSS in MiB; THREADS: sample number, threads on
    the second axis; RUNS: a dotted vertical segment between two runs. }}{{>FRAME}}
set ylabel 'server RSS (MiB)' textcolor rgb "#333333"
set xlabel '{{X_LABEL:x-gp}}' textcolor rgb "#333333"
{{#THREADS}}set border 11 lc rgb "#666666"
set y2range [0:{{Y2HI:x-gp}}]
set y2tics {{Y2STEP:x-gp}} nomirror out scale 0.6 textcolor rgb "#333333"
set format y2 "%.0f"
set y2label 'threads' textcolor rgb "#333333"
{{/THREADS}}plot '{{DATA:x-gp}}' index 0 using 1:2 with linespoints pt 7 ps 0.3 lw 1.5 lc rgb "#6a1b9a" title 'RSS'{{#THREADS}}, \
     '' index {{INDEX:x-gp}} using 1:2 axes x1y2 with steps dt 2 lw 1.5 lc rgb "#ef6c00" title 'threads'{{/THREADS}}{{#RUNS}}, \
     '' index {{INDEX:x-gp}} using 1:2 with lines dt 3 lw 1 lc rgb "#999999" notitle{{/RUNS}}
unset output
