{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    This session's runs against the baseline's. Data set 0 (boxes): x, p25, p5, p95,
    p75, median; data set 1 (runs): jittered x, value, colour. }}{{>FRAME}}
set ylabel '{{Y_LABEL:x-gp}}' textcolor rgb "#333333"
set xtics ("baseline" 1, "this session" 2)
set boxwidth 0.4
set style fill solid 0.25 border
unset key
plot '{{DATA:x-gp}}' index 0 using 1:2:3:4:5 with candlesticks whiskerbars 0.5 lw 1.2 lc rgb "#1f4e8c", \
     '' index 0 using 1:6:6:6:6 with candlesticks lw 2.5 lc rgb "#1f4e8c", \
     '' index 1 using 1:2:3 with points pt 7 ps 0.35 lc rgb variable
unset output
