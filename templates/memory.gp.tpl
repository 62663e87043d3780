{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Memory timeline of one run. Columns: seconds, RSS in the chart's unit. }}{{>FRAME}}
set ylabel '{{Y_LABEL:x-gp}}' textcolor rgb "#333333"
set xlabel 'seconds' textcolor rgb "#333333"
plot '{{DATA:x-gp}}' using 1:2 with lines lw 1.5 lc rgb "#6a1b9a" title 'RSS'
unset output
