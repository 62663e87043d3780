{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    The headline statistic per level of a series. Columns: x, value, low, high, tic label. }}{{>FRAME}}
set ylabel '{{Y_LABEL:x-gp}}' textcolor rgb "#333333"
plot '{{DATA:x-gp}}' using 1:2:3:4:xticlabels(5) with yerrorlines pt 7 ps 0.6 lw 1.5 lc rgb "#1f4e8c" title '{{LINE_TITLE:x-gp}}'
unset output
